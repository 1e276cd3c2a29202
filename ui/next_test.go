package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Issue 15, 8: after sign-in, next is followed only to a path on this site.
// Browsers drop tabs and newlines from URLs and read a backslash as a
// slash, so "/\t/evil.example" is "//evil.example" to them.
func TestSafeNext(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/referrals/7", "/referrals/7"},
		{"/reports/outcomes?period=q1&team=2", "/reports/outcomes?period=q1&team=2"},
		{"", ""},
		{"//evil.example", ""},
		{"/\\evil.example", ""},
		{"/\t/evil.example", ""},
		{"/\n/evil.example", ""},
		{"/\r\n/evil.example", ""},
		{"/%09/evil.example", "/%09/evil.example"}, // still escaped: a path, not a host
		{"\\\\evil.example", ""},
		{"https://evil.example/", ""},
		{"javascript:alert(1)", ""},
		{"/a\\b", ""},
		{"/sign-in", ""},
		{"/ok\u0000", ""},
		{"/ok\u2028", ""},
	} {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Black box: next=/%09/x in the query (a tab once decoded) lands on /.
	e := newTestEnv(t)
	b := e.browser()
	form := url.Values{"email": {e.therapist.Email}, "password": {testPassword}, "next": {"/\t/x"}}
	if p := b.post("/sign-in", form); p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Errorf("sign in with next=/%%09/x: %d %q, want 303 to /", p.Status, p.Location)
	}
	if p := e.browser().get("/sign-in?next=/%09/x"); p.Status != http.StatusOK || strings.Contains(p.Body, `name="next"`) {
		t.Errorf("sign-in form kept a next with a tab")
	}
}
