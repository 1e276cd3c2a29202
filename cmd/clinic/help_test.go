package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpListsSubCommands(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{arg}, strings.NewReader(""), &out, &out); err != nil {
			t.Fatalf("clinic %s: %v", arg, err)
		}
		for _, want := range []string{"user add", "token create", "token list", "token revoke", "export ids", "import ids", "rebuild-summaries", "backup", "restore", "--addr", "--demo", "--role admin"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("clinic %s does not mention %q:\n%s", arg, want, out.String())
			}
		}
	}
}

// TestEmptyDatabaseSaysHowToAddAnAdmin: started without --demo on a new
// database, the server says how to add the first administrator; once there
// is one, it says nothing of it.
func TestEmptyDatabaseSaysHowToAddAnAdmin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	store, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var out bytes.Buffer
	if err := sayHowToAddAnAdmin(context.Background(), store, db, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "clinic user add --db "+db+" --role admin") {
		t.Errorf("no instructions for the first admin:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"user", "add", "--db", db, "--role", "admin", "--email", "ada@example.org", "--name", "Ada Admin"},
		strings.NewReader("a long enough pass phrase\n"), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatalf("user add: %v", err)
	}
	out.Reset()
	if err := sayHowToAddAnAdmin(context.Background(), store, db, &out); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("with an admin, still printed:\n%s", out.String())
	}
}
