package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A client's own connection sends each request once, on one keep-alive
// connection while the server keeps it open, reads the whole answer, refuses
// an unexpected status, and dials again after the server closes it.
func TestConnKeepsAliveAndRedials(t *testing.T) {
	var dials atomic.Int64
	var (
		mu     sync.Mutex
		bodies []string
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(b))
		mu.Unlock()
		switch r.URL.Path {
		case "/close":
			w.Header().Set("Connection", "close")
		case "/missing":
			http.Error(w, "no such thing", http.StatusNotFound)
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("x", 20000)) // more than the reader's buffer
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := newConn(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	send := func(method, path, body string, want int) (int, error) {
		req := mustRequest(context.Background(), method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		return c.do(req, want)
	}
	for i := range 3 {
		if n, err := send(http.MethodPost, "/save", `{"a":1}`, http.StatusOK); err != nil || n != 20000 {
			t.Fatalf("request %d: %d bytes, %v", i, n, err)
		}
	}
	if got := dials.Load(); got != 1 {
		t.Errorf("3 requests on %d connections, want 1", got)
	}
	if _, err := send(http.MethodGet, "/missing", "", http.StatusOK); err == nil || !strings.Contains(err.Error(), "404, want 200") {
		t.Errorf("a 404 answered %v", err)
	}
	if _, err := send(http.MethodGet, "/close", "", http.StatusOK); err != nil {
		t.Fatal(err)
	}
	if _, err := send(http.MethodGet, "/after", "", http.StatusOK); err != nil {
		t.Fatal(err)
	}
	if got := dials.Load(); got != 2 {
		t.Errorf("after the server closed: %d connections in all, want 2", got)
	}
	want := []string{"POST /save Bearer t {\"a\":1}", "POST /save Bearer t {\"a\":1}", "POST /save Bearer t {\"a\":1}",
		"GET /missing Bearer t ", "GET /close Bearer t ", "GET /after Bearer t "}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(bodies, "|") != strings.Join(want, "|") {
		t.Errorf("the server saw %q, want %q (each once)", bodies, want)
	}
}

// The disk probe times fsyncs with the cores idle and then busy, and says
// how many took 5 ms or more.
func TestDiskProbe(t *testing.T) {
	var out strings.Builder
	if err := probeDisk(t.Context(), t.TempDir(), 100*time.Millisecond, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	re := regexp.MustCompile(`^fsync of a 16 KB overwrite, (idle cores|\d+ cores busy): [1-9]\d* fsyncs, p50 [\d.]+ms, p99 [\d.]+ms, p99.9 [\d.]+ms, longest [\d.]+ms; \d+ of 5ms or more$`)
	if len(lines) != 2 || !re.MatchString(lines[0]) || !re.MatchString(lines[1]) || !strings.Contains(lines[1], "busy") {
		t.Errorf("probe printed:\n%s", out.String())
	}
	if got := describe([]time.Duration{6 * time.Millisecond, time.Millisecond, 5 * time.Millisecond}); got != "3 fsyncs, p50 5.00ms, p99 5.00ms, p99.9 5.00ms, longest 6.00ms; 2 of 5ms or more" {
		t.Errorf("describe = %q", got)
	}
}
