package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"clinic/ui"
)

// Issue 15, 5 and 13: `clinic token create` makes a token for a member of
// staff (never a patient), `clinic token list` shows it with its last use,
// and `clinic token revoke` makes it answer 401 at once, while a server has
// the database open.
func TestTokenCommands(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "clinic.db")
	cli := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append(args, "--db", db), strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	if out, err := cli("a long enough pass phrase\n", "user", "add", "--email", "tia@example.nhs.uk", "--name", "Tia", "--role", "therapist", "--team", "North"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	out, err := cli("", "token", "create", "--email", "tia@example.nhs.uk", "--name", "practice system")
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(out)

	store, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := ui.New(store, ui.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	call := func() int {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/v1/reports/outcomes?from=2026-01-01&to=2026-03-31", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(); got != http.StatusOK {
		t.Fatalf("new token: %d", got)
	}
	list, err := cli("", "token", "list")
	if err != nil || !strings.Contains(list, "tia@example.nhs.uk") || !strings.Contains(list, "practice system") || strings.Contains(list, "never") {
		t.Errorf("token list (%v):\n%s", err, list)
	}
	tokens, err := store.Tokens(ctx, 0)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens: %v %v", tokens, err)
	}
	if out, err := cli("", "token", "revoke", "--id", strconv.FormatInt(tokens[0].ID, 10)); err != nil {
		t.Fatalf("revoke: %v %s", err, out)
	}
	if got := call(); got != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", got)
	}
	if _, err := cli("", "token", "revoke", "--id", "999"); err == nil {
		t.Error("revoking an unknown token succeeded")
	}
}

// Issue 15, 6: the server warns at start when the database can be read by
// others.
func TestWarnIfExposed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clinic.db")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	warnIfExposed(slog.New(slog.NewTextHandler(&out, nil)), db)
	if !strings.Contains(out.String(), "chmod 600") {
		t.Errorf("no warning for a 0644 database: %q", out.String())
	}
	if err := os.Chmod(db, 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	warnIfExposed(slog.New(slog.NewTextHandler(&out, nil)), db)
	if out.Len() != 0 {
		t.Errorf("a warning for a 0600 database: %q", out.String())
	}
}
