package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignIn(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name     string
		email    string
		password string
		status   int
		location string
		body     string
	}{
		{"right password", e.therapist.Email, testPassword, http.StatusSeeOther, "/", ""},
		{"email in other case", strings.ToUpper(e.therapist.Email), testPassword, http.StatusSeeOther, "/", ""},
		{"wrong password", e.therapist.Email, "not the password at all", http.StatusUnprocessableEntity, "", "Enter a correct email address and password"},
		{"unknown email", "nobody@example.nhs.uk", testPassword, http.StatusUnprocessableEntity, "", "Enter a correct email address and password"},
		{"empty", "", "", http.StatusUnprocessableEntity, "", "Enter your email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			p := b.post("/sign-in", url.Values{"email": {tt.email}, "password": {tt.password}})
			if p.Status != tt.status || p.Location != tt.location {
				t.Fatalf("got %d %q, want %d %q", p.Status, p.Location, tt.status, tt.location)
			}
			if tt.body != "" {
				if !strings.Contains(p.Body, tt.body) || !strings.Contains(p.Body, "nhsuk-error-summary") {
					t.Errorf("page lacks error %q and summary", tt.body)
				}
				if tt.email != "" && !strings.Contains(p.Body, `value="`+tt.email+`"`) {
					t.Errorf("email typed was not kept")
				}
				if strings.Contains(p.Body, tt.password) && tt.password != "" {
					t.Errorf("password echoed back")
				}
				return
			}
			var cookie *http.Cookie
			for _, c := range cookiesOf(p) {
				if c.Name == sessionName {
					cookie = c
				}
			}
			if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax", cookie)
			}
			if home := b.get("/"); home.Status != http.StatusOK || !strings.Contains(home.Body, "My caseload") {
				t.Errorf("after sign-in, / answers %d", home.Status)
			}
		})
	}
}

func cookiesOf(p page) []*http.Cookie {
	return (&http.Response{Header: p.Header}).Cookies()
}

func TestStaffPagesNeedSignIn(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F32")
	for _, path := range []string{"/", "/patients/new", referralPath(r.ID), referralPath(r.ID) + "/contacts/new", referralPath(r.ID) + "/end"} {
		p := e.browser().get(path)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
			t.Errorf("GET %s signed out: %d %q, want a redirect to sign in", path, p.Status, p.Location)
		}
	}
	p := e.browser().get("/referrals/1")
	if want := "/sign-in?next=/referrals/1"; p.Location != want {
		t.Errorf("redirect %q, want %q", p.Location, want)
	}
	// After signing in, the page asked for is shown.
	b := e.browser()
	got := b.post("/sign-in", url.Values{"email": {e.therapist.Email}, "password": {testPassword}, "next": {"/referrals/1"}})
	if got.Location != "/referrals/1" {
		t.Errorf("sign-in with next: redirect %q", got.Location)
	}
	got = b.post("/sign-in", url.Values{"email": {e.therapist.Email}, "password": {testPassword}, "next": {"//evil.example/"}})
	if got.Location != "/" {
		t.Errorf("sign-in with an off-site next: redirect %q, want /", got.Location)
	}
}

func TestSignOut(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	p := b.post("/sign-out", nil)
	if p.Status != http.StatusSeeOther || p.Location != "/sign-in" {
		t.Fatalf("sign out: %d %q", p.Status, p.Location)
	}
	if p := b.get("/"); p.Status != http.StatusSeeOther {
		t.Errorf("after sign-out / answers %d, want a redirect", p.Status)
	}
}

func TestCSRF(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	r := e.referral(e.therapist, "Ann Example", "F32")
	tests := []struct {
		name  string
		path  string
		token string
	}{
		{"sign-in without token", "/sign-in", ""},
		{"new patient without token", "/patients/new", ""},
		{"new patient with a wrong token", "/patients/new", "forged"},
		{"record session without token", referralPath(r.ID) + "/contacts/new", ""},
		{"sign out without token", "/sign-out", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"name": {"Eve"}, "email": {e.therapist.Email}, "password": {testPassword}}
			if tt.token != "" {
				form.Set("_csrf", tt.token)
			}
			p := b.postRaw(tt.path, form)
			if p.Status != http.StatusForbidden {
				t.Errorf("got %d, want 403", p.Status)
			}
		})
	}
	// Browsers that say the post is same-origin pass without a token (echo's
	// Sec-Fetch-Site check); cross-site posts are refused.
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/sign-out", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := b.do(req); p.Status != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", p.Status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/sign-in", "/static/charts.js", "/api/v1/referrals/1", "/no-such-page"} {
		p := e.browser().get(path)
		want := map[string]string{
			"Content-Security-Policy": contentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
		}
		for h, v := range want {
			if got := p.Header.Get(h); got != v {
				t.Errorf("%s: %s = %q, want %q", path, h, got, v)
			}
		}
	}
	if !strings.Contains(contentSecurityPolicy, "script-src 'self';") || strings.Contains(contentSecurityPolicy, "unsafe") {
		t.Errorf("CSP allows inline code: %s", contentSecurityPolicy)
	}
}
