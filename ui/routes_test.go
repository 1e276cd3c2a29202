package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every route in the table answers a request with no credentials as its
// access level says: staff pages send to sign-in, the API answers 401, and
// only sign-in itself is open. A new route is covered as soon as it is added.
func TestEveryRouteRefusesAnonymous(t *testing.T) {
	e := newTestEnv(t)
	e.referral(e.therapist, "Ann On", "F32")
	for _, rt := range e.server.routes() {
		path := strings.NewReplacer(":id", "1").Replace(rt.path)
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			req, _ := http.NewRequest(rt.method, e.http.URL+path, strings.NewReader("{}"))
			if rt.access == api {
				req.Header.Set("Content-Type", "application/json")
			} else {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				// Past CSRF, so that the access check itself is what answers.
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			p := e.browser().do(req)
			switch rt.access {
			case staff, patient, admin:
				if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
					t.Errorf("got %d %q, want a redirect to sign in", p.Status, p.Location)
				}
			case api:
				if p.Status != http.StatusUnauthorized {
					t.Errorf("got %d, want 401", p.Status)
				}
			case public:
				if p.Status >= 500 || p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location, "/sign-in") && rt.method == http.MethodGet {
					t.Errorf("got %d %q", p.Status, p.Location)
				}
			default:
				t.Errorf("access level %d is not covered by this test: add what an anonymous request to it should get", rt.access)
			}
		})
	}
}

func TestSessionIdlesOut(t *testing.T) {
	e := newTestEnv(t)
	now := testNow
	e.server.clock = func() time.Time { return now }
	b := e.signedIn(e.therapist)
	now = now.Add(20 * time.Minute)
	if p := b.get("/"); p.Status != http.StatusOK {
		t.Fatalf("after 20 minutes: %d, want still signed in", p.Status)
	}
	now = now.Add(25 * time.Minute) // 25 since the last request
	if p := b.get("/"); p.Status != http.StatusOK {
		t.Fatalf("active within 30 minutes: %d, want still signed in", p.Status)
	}
	now = now.Add(31 * time.Minute)
	if p := b.get("/"); p.Status != http.StatusSeeOther {
		t.Errorf("after 31 idle minutes: %d, want a redirect to sign in", p.Status)
	}
}

// The API's routes, and only they, lie beneath its mount, so that a path
// there that no route serves is answered in JSON like the API's own errors.
func TestAPIRoutesUnderAPIRoot(t *testing.T) {
	e := newTestEnv(t)
	for _, rt := range e.server.routes() {
		if under := strings.HasPrefix(rt.path, apiRoot); under != (rt.access == api) {
			t.Errorf("%s %s: access %d, beneath %s %v", rt.method, rt.path, rt.access, apiRoot, under)
		}
	}
}
