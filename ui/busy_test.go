package ui

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
)

// syncBuffer is a log the server and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A database locked by another process past the busy timeout (maintenance
// beside the live server) answers 503 with Retry-After, for a save and an
// audited read alike, and never 500; once the lock goes, the save works.
func TestLockedDatabaseAnswers503(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the store's 5 s busy timeout")
	}
	e := newTestEnv(t)
	var log syncBuffer
	e.server.log = slog.New(slog.NewTextHandler(&log, nil))
	tok := e.token(e.therapist)
	r := e.referral(e.therapist, "Lock Ed", "F32")
	contacts := "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10) + "/contacts"
	const body = `{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,0]}}}`

	other, err := sql.Open("sqlite3", e.path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	for _, req := range []struct{ method, path, body string }{
		{http.MethodPost, contacts, body},
		{http.MethodGet, "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10), ""},
	} {
		req := e.apiRequest(req.method, req.path, tok, req.body)
		if req.StatusCode != http.StatusServiceUnavailable || req.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s with the database locked: %d, Retry-After %q; want 503 with Retry-After", req.Request.Method, req.Request.URL.Path, req.StatusCode, req.Header.Get("Retry-After"))
		}
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a locked database was logged as an error:\n%s", log.String())
	}
	if _, err := conn.ExecContext(t.Context(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if status, _, raw := e.api(http.MethodPost, contacts, tok, body); status != http.StatusCreated {
		t.Errorf("save after the lock went: %d %s", status, raw)
	}
}

// apiRequest is api's request, answering the whole response.
func (e *testEnv) apiRequest(method, path, token, body string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// A request whose client has gone away (its context cancelled) is not an
// error of the server's: it is logged below ERROR. A real fault still is.
func TestClientDisconnectNotLoggedAsError(t *testing.T) {
	e := newTestEnv(t)
	var log syncBuffer
	e.server.log = slog.New(slog.NewTextHandler(&log, nil))
	handle := func(ctx context.Context, err error) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/referrals/1", nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		e.server.handleError(err, echo.New().NewContext(req, rec))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	handle(ctx, errors.Join(errors.New("record contact"), context.Canceled))
	if strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "abandoned") {
		t.Errorf("a client's disconnect was logged as:\n%s", log.String())
	}
	// The same error on a request still live is a fault.
	handle(context.Background(), errors.Join(errors.New("record contact"), context.Canceled))
	if !strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a cancellation not the client's was not logged as an error:\n%s", log.String())
	}
}
