package ui

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Issue 15, 13: the invitation link comes from the configured base URL,
// never from the request's Host header, which a client chooses.
func TestInvitationLinkFromBaseURL(t *testing.T) {
	for _, tt := range []struct{ base, want string }{
		{"https://clinic.example.nhs.uk", "https://clinic.example.nhs.uk/invitation"},
		{"", "/invitation"},
	} {
		e := newTestEnv(t)
		srv, err := New(e.store, Options{BaseURL: tt.base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		e.http.Config.Handler = srv.Handler()
		r := e.referral(e.therapist, "Ann Example", "F41.1")
		b := e.signedIn(e.therapist)
		// The request names another host: a client chooses the Host header.
		req := httptest.NewRequest(http.MethodPost, "/referrals/"+itoa(r.ID)+"/invitation", strings.NewReader("_csrf="+b.csrf()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "evil.example"
		u, _ := url.Parse(e.http.URL)
		for _, c := range b.hc.Jar.Cookies(u) {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		p := page{Status: rec.Code, Location: rec.Header().Get("Location"), Body: rec.Body.String()}
		if p.Status != http.StatusOK || strings.Contains(p.Body, "evil.example") || !strings.Contains(p.Body, tt.want) {
			t.Errorf("base %q: invitation page %d %s, want the link %s and no evil.example", tt.base, p.Status, p.Location, tt.want)
		}
	}
	for _, bad := range []string{"clinic.example", "ftp://x", "https://x/path", "https://u@x", "https://x?q"} {
		if _, err := normaliseBaseURL(bad); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
}
