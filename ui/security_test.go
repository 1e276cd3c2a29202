package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// Sessions, sign-in, accountability and break glass (issue 6), through the
// real server on a real store.

func sessionCookie(t *testing.T, p page) *http.Cookie {
	t.Helper()
	for _, c := range cookiesOf(p) {
		if c.Name == sessionName {
			return c
		}
	}
	t.Fatalf("no session cookie in %d response", p.Status)
	return nil
}

func signInAs(t *testing.T, b *browser, email, password string) page {
	t.Helper()
	return b.post("/sign-in", url.Values{"email": {email}, "password": {password}})
}

// withCookie replays a copied session cookie from a fresh browser.
func (e *testEnv) withCookie(c *http.Cookie) *browser {
	b := e.browser()
	u, _ := url.Parse(e.http.URL)
	b.hc.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/"}})
	return b
}

func TestSessionCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		store, err := caseload.Open(filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, testClock)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := New(store, Options{SecureCookies: secure, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		u, err := store.CreateUser(context.Background(), caseload.NewUser{Email: "tara@example.nhs.uk", Name: "T", Role: caseload.RoleTherapist, Team: "N", Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		// The CSRF cookie first, then sign in; cookies are read off the
		// responses, since a jar would not send Secure ones over http.
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sign-in", nil))
		var csrf *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == cookieName("clinic_csrf", secure) {
				csrf = c
			}
		}
		// Issue 15, 13: HSTS when served over TLS (Secure), not otherwise.
		if got := rec.Header().Get("Strict-Transport-Security"); (got != "") != secure || (secure && !strings.Contains(got, "max-age=")) {
			t.Errorf("secure=%v: Strict-Transport-Security %q", secure, got)
		}
		if csrf == nil || !csrf.HttpOnly || csrf.Secure != secure || csrf.SameSite != http.SameSiteLaxMode {
			t.Errorf("secure=%v: CSRF cookie %+v", secure, csrf)
			continue
		}
		form := url.Values{"email": {u.Email}, "password": {testPassword}, "_csrf": {csrf.Value}}
		req := httptest.NewRequest(http.MethodPost, "/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(csrf)
		rec = httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		var sess *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == cookieName(sessionName, secure) {
				sess = c
			}
		}
		if rec.Code != http.StatusSeeOther || sess == nil {
			t.Fatalf("secure=%v: sign in %d, cookie %v", secure, rec.Code, sess)
		}
		// Issue 15, 13: __Host- names when Secure; the session cookie ends
		// with the browser (no Max-Age or Expires).
		if secure && (!strings.HasPrefix(sess.Name, "__Host-") || !strings.HasPrefix(csrf.Name, "__Host-")) {
			t.Errorf("secure cookies named %q and %q: want __Host- names", sess.Name, csrf.Name)
		}
		if sess.MaxAge != 0 || !sess.Expires.IsZero() {
			t.Errorf("secure=%v: session cookie Max-Age %d, Expires %v: want a cookie that ends with the browser", secure, sess.MaxAge, sess.Expires)
		}
		if !sess.HttpOnly || sess.Secure != secure || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" {
			t.Errorf("secure=%v: session cookie %+v: want HttpOnly, SameSite=Lax, Secure only when asked", secure, sess)
		}
		store.Close()
	}
}

// A copy of the cookie is worthless once its session has ended.
func TestSignOutEndsSessionOnServer(t *testing.T) {
	e := newTestEnv(t)
	b := e.browser()
	cookie := sessionCookie(t, signInAs(t, b, e.therapist.Email, testPassword))
	if p := e.withCookie(cookie).get("/"); p.Status != http.StatusOK {
		t.Fatalf("copied cookie before sign-out: %d, want 200", p.Status)
	}
	if p := b.post("/sign-out", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.Status)
	}
	if p := e.withCookie(cookie).get("/"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in") {
		t.Errorf("copied cookie after sign-out: %d %q, want a redirect to sign in", p.Status, p.Location)
	}
	res, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{UserID: e.therapist.ID, Action: caseload.AuditSignOut})
	if err != nil || len(res.Entries) != 1 || res.Entries[0].Detail != "signed out" {
		t.Errorf("sign_out audit rows %+v, %v", res.Entries, err)
	}
}

// Signing in issues a new session id; the one the browser had before ends.
func TestSignInRenewsSession(t *testing.T) {
	e := newTestEnv(t)
	b := e.browser()
	first := sessionCookie(t, signInAs(t, b, e.therapist.Email, testPassword))
	second := sessionCookie(t, signInAs(t, b, e.therapist.Email, testPassword))
	if first.Value == second.Value {
		t.Fatal("same session cookie after signing in again")
	}
	if p := e.withCookie(first).get("/"); p.Status != http.StatusSeeOther {
		t.Errorf("the earlier session still works: %d", p.Status)
	}
	if p := e.withCookie(second).get("/"); p.Status != http.StatusOK {
		t.Errorf("the new session does not work: %d", p.Status)
	}
}

// Idleness is measured on the server: a copy of the cookie kept aside is
// dead after 30 minutes without a request, and the session is ended.
func TestIdleSessionEndsOnServer(t *testing.T) {
	now := testNow
	e := newTestEnvAt(t, &now)
	b := e.browser()
	cookie := sessionCookie(t, signInAs(t, b, e.therapist.Email, testPassword))
	now = now.Add(29 * time.Minute)
	if p := b.get("/"); p.Status != http.StatusOK {
		t.Fatalf("after 29 minutes: %d", p.Status)
	}
	now = now.Add(30*time.Minute + time.Second)
	if p := e.withCookie(cookie).get("/"); p.Status != http.StatusSeeOther {
		t.Fatalf("after 30 idle minutes: %d, want a redirect to sign in", p.Status)
	}
	// Ended, not merely refused: going back in time does not revive it.
	now = now.Add(-10 * time.Minute)
	if p := b.get("/"); p.Status != http.StatusSeeOther {
		t.Errorf("an idled-out session came back: %d", p.Status)
	}
	res, _ := e.store.SearchAudit(context.Background(), caseload.AuditQuery{UserID: e.therapist.ID, Action: caseload.AuditSignOut})
	if len(res.Entries) != 1 || !strings.Contains(res.Entries[0].Detail, "idle") {
		t.Errorf("sign_out rows: %+v", res.Entries)
	}
}

// Disabling an account signs its user out at once and refuses sign-in and
// its tokens; enabling it lets them in again.
func TestAdminDisablesAccount(t *testing.T) {
	e := newTestEnv(t)
	tara := e.signedIn(e.therapist)
	token := e.token(e.therapist)
	admin := e.signedIn(e.admin)
	if p := admin.post("/admin/users/"+itoa(e.therapist.ID)+"/disable", nil); p.Status != http.StatusSeeOther || p.Location != "/admin/users?done=disabled" {
		t.Fatalf("disable: %d %q", p.Status, p.Location)
	}
	if p := tara.get("/"); p.Status != http.StatusSeeOther {
		t.Errorf("disabled user still signed in: %d", p.Status)
	}
	if p := signInAs(t, e.browser(), e.therapist.Email, testPassword); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Enter a correct email address and password") {
		t.Errorf("disabled user signs in: %d", p.Status)
	}
	if status, _, _ := e.api(http.MethodGet, "/api/v1/referrals/1", token, ""); status != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d, want 401", status)
	}
	if p := admin.get("/admin/users"); !strings.Contains(p.Body, "Disabled") {
		t.Errorf("users page does not show the account disabled")
	}
	if p := admin.post("/admin/users/"+itoa(e.therapist.ID)+"/enable", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("enable: %d", p.Status)
	}
	e.signedIn(e.therapist)
	if p := admin.post("/admin/users/"+itoa(e.admin.ID)+"/disable", nil); p.Status != http.StatusForbidden {
		t.Errorf("admin disabling themself: %d, want 403", p.Status)
	}
	if p := admin.post("/admin/users/9999/disable", nil); p.Status != http.StatusNotFound {
		t.Errorf("disabling nobody: %d, want 404", p.Status)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

var summaryRE = regexp.MustCompile(`(?s)<div class="nhsuk-error-summary.*?</div>\s*</div>`)

// The same answer for an unknown e-mail and a wrong password, before and
// after throttling starts; throttling by account and by address.
func TestSignInThrottling(t *testing.T) {
	e := newTestEnv(t)
	answer := func(email, password string) (int, string) {
		p := signInAs(t, e.browser(), email, password)
		return p.Status, summaryRE.FindString(p.Body)
	}
	wrongStatus, wrong := answer(e.therapist.Email, "not the right one")
	unknownStatus, unknown := answer("nobody@example.nhs.uk", "not the right one")
	if wrongStatus != unknownStatus || wrong != unknown || wrong == "" {
		t.Fatalf("wrong password %d %q, unknown e-mail %d %q: want the same answer", wrongStatus, wrong, unknownStatus, unknown)
	}
	for range caseload.MaxFailuresPerAccount - 1 {
		answer(e.therapist.Email, "not the right one")
		answer("nobody@example.nhs.uk", "not the right one")
	}
	// Now paused: even the right password is refused, with the same answer
	// for the real account and the unknown e-mail.
	status, paused := answer(e.therapist.Email, testPassword)
	unknownStatus, unknownPaused := answer("nobody@example.nhs.uk", testPassword)
	if status != http.StatusTooManyRequests || paused != unknownPaused || !strings.Contains(paused, "too many attempts") {
		t.Fatalf("paused account %d %q, paused unknown %d %q", status, paused, unknownStatus, unknownPaused)
	}
	// Another account from the same address still signs in.
	e.signedIn(e.colleague)
	// The address: twenty failures over many e-mails pause everyone from it.
	for i := range caseload.MaxFailuresPerAddress {
		answer("guess"+itoa(int64(i))+"@example.nhs.uk", "not the right one")
	}
	if status, _ := answer(e.supervisor.Email, testPassword); status != http.StatusTooManyRequests {
		t.Errorf("address not paused: %d", status)
	}
}

// A spoofed X-Forwarded-For from a client that is not this machine's proxy
// does not change the address failures are counted against; the audit
// rows carry the peer's address.
func TestClientAddressIsThePeer(t *testing.T) {
	e := newTestEnv(t)
	b := e.browser()
	b.csrf()
	form := url.Values{"email": {e.therapist.Email}, "password": {testPassword}, "_csrf": {b.csrf()}}
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if p := b.do(req); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.Status)
	}
	res, _ := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditSignIn})
	// The test server's peer is loopback, which is trusted as a proxy on
	// the same host: the header is believed.
	if len(res.Entries) != 1 || res.Entries[0].Address != "203.0.113.9" {
		t.Errorf("sign_in from loopback with X-Forwarded-For: %+v", res.Entries)
	}
	// From elsewhere, the header is ignored.
	r := httptest.NewRequest(http.MethodGet, "/sign-in", nil)
	r.RemoteAddr = "198.51.100.20:4321"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	rec := httptest.NewRecorder()
	e.server.echo.ServeHTTP(rec, r)
	c := e.server.echo.NewContext(r, rec)
	if got := c.RealIP(); got != "198.51.100.20" {
		t.Errorf("RealIP from a remote peer with X-Forwarded-For = %q, want the peer", got)
	}
}

// Views of a record are audited with who, which record and from where, and
// the record's page shows who has viewed it.
func TestViewsAreAudited(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F32")
	if p := e.signedIn(e.therapist).get(referralPath(r.ID)); p.Status != http.StatusOK {
		t.Fatal(p.Status)
	}
	tok := e.token(e.supervisor)
	for _, path := range []string{"/api/v1/referrals/" + itoa(r.ID), "/api/v1/referrals/" + itoa(r.ID) + "/outcome"} {
		if status, _, _ := e.api(http.MethodGet, path, tok, ""); status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
	}
	// A refused look is not a view.
	e.signedIn(e.south).get(referralPath(r.ID))
	res, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditView, ReferralID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range res.Entries {
		got = append(got, x.UserName+": "+x.Detail+" from "+x.Address)
		if x.PatientID != r.PatientID {
			t.Errorf("view row without the patient: %+v", x)
		}
	}
	want := []string{
		"Sue Supervisor: API: outcome from 127.0.0.1",
		"Sue Supervisor: API: referral from 127.0.0.1",
		"Tara Therapist: referral page from 127.0.0.1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("view rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	p := e.signedIn(e.supervisor).get(referralPath(r.ID))
	if !strings.Contains(p.Body, "Who has viewed this record") || strings.Count(p.Body, "Tara Therapist") < 2 || !strings.Contains(p.Body, "API: outcome") {
		t.Errorf("the referral page does not list its viewers")
	}
}

// Break glass: an admin is refused a record, gives a reason, reads it (only
// reads) for an hour, every view audited with the reason and shown to the
// record's clinicians.
func TestBreakGlass(t *testing.T) {
	now := testNow
	e := newTestEnvAt(t, &now)
	r := e.referral(e.therapist, "Ann Example", "F32")
	admin := e.signedIn(e.admin)
	p := admin.get(referralPath(r.ID))
	if p.Status != http.StatusForbidden || !p.doc(t).has(t, `a.nhsuk-button.nhsuk-button--warning[href="/admin/break-glass?referral=`+itoa(r.ID)+`"]`) {
		t.Fatalf("admin before break glass: %d, want 403 with a link to break glass", p.Status)
	}
	if p := admin.get("/admin/break-glass?referral=" + itoa(r.ID)); p.Status != http.StatusOK || !p.doc(t).has(t, `[value="`+itoa(r.ID)+`"]`) {
		t.Fatalf("break glass form: %d", p.Status)
	}
	if p := admin.post("/admin/break-glass", url.Values{"referral": {itoa(r.ID)}, "reason": {"why"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "at least 10 characters") {
		t.Errorf("a too-short reason: %d", p.Status)
	}
	if p := admin.post("/admin/break-glass", url.Values{"referral": {"999"}, "reason": {"Complaint ref 2026-114"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("no such referral: %d", p.Status)
	}
	p = admin.post("/admin/break-glass", url.Values{"referral": {itoa(r.ID)}, "reason": {"Complaint ref 2026-114"}})
	if p.Status != http.StatusSeeOther || p.Location != referralPath(r.ID) {
		t.Fatalf("break glass: %d %q", p.Status, p.Location)
	}
	p = admin.get(referralPath(r.ID))
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Break glass access") || !strings.Contains(p.Body, "Complaint ref 2026-114") {
		t.Fatalf("admin under break glass: %d", p.Status)
	}
	// Reading only.
	if p := admin.post(referralPath(r.ID)+"/end", url.Values{"date": {"2026-03-01"}, "reason": {"completed"}}); p.Status != http.StatusForbidden {
		t.Errorf("admin ending a referral under break glass: %d, want 403", p.Status)
	}
	if p := admin.get(referralPath(r.ID) + "/contacts/new"); p.Status != http.StatusForbidden {
		t.Errorf("admin opening the session form under break glass: %d, want 403", p.Status)
	}
	// Another patient's record stays closed.
	other := e.referral(e.colleague, "Bob Other", "F32")
	if p := admin.get(referralPath(other.ID)); p.Status != http.StatusForbidden {
		t.Errorf("another patient's record under break glass: %d", p.Status)
	}
	// The clinicians see it.
	p = e.signedIn(e.therapist).get(referralPath(r.ID))
	if !regexp.MustCompile(`Ada Admin.*\n.*Break glass</strong> referral page \(break glass: Complaint ref 2026-114\)`).MatchString(p.Body) {
		t.Errorf("the record's viewers do not show the break glass view")
	}
	// An hour later it is closed again (with a request on the way, so that
	// the session does not idle out first).
	for range 2 {
		now = now.Add(25 * time.Minute)
		if p := admin.get(referralPath(r.ID)); p.Status != http.StatusOK {
			t.Errorf("%v on: %d, want 200", now.Sub(testNow), p.Status)
		}
	}
	now = testNow.Add(caseload.BreakGlassFor)
	if p := admin.get(referralPath(r.ID)); p.Status != http.StatusForbidden {
		t.Errorf("after an hour: %d, want 403", p.Status)
	}
	res, _ := e.store.SearchAudit(context.Background(), caseload.AuditQuery{UserID: e.admin.ID, PatientID: r.PatientID})
	var actions []string
	for _, x := range res.Entries {
		actions = append(actions, x.Action)
	}
	if strings.Join(actions, " ") != "view view view break_glass" {
		t.Errorf("admin's audit rows on the patient: %v", actions)
	}
}

func TestAdminPages(t *testing.T) {
	e := newTestEnv(t)
	admin := e.signedIn(e.admin)
	for _, path := range []string{"/admin/users", "/admin/users/new", "/admin/teams", "/admin/audit", "/admin/break-glass"} {
		if p := admin.get(path); p.Status != http.StatusOK {
			t.Errorf("GET %s: %d", path, p.Status)
		}
	}
	if p := admin.get("/admin/teams"); !strings.Contains(p.Body, "North") || !strings.Contains(p.Body, "Sue Supervisor") || !strings.Contains(p.Body, "Colin Colleague") {
		t.Errorf("teams page lacks its teams and people")
	}
	// Adding a user: every field checked, what was typed kept, the
	// password never echoed.
	p := admin.post("/admin/users/new", url.Values{"email": {"nianew@example.nhs.uk"}, "name": {""}, "role": {"therapist"}, "team": {""}, "password": {"password123"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Enter a name") || !strings.Contains(p.Body, "Enter the team") || !strings.Contains(p.Body, "too common") {
		t.Errorf("bad user: %d\n%s", p.Status, summaryRE.FindString(p.Body))
	}
	if !p.doc(t).has(t, `input[value="nianew@example.nhs.uk"]`) || strings.Contains(p.Body, "password123") {
		t.Errorf("form does not keep the e-mail, or echoes the password")
	}
	p = admin.post("/admin/users/new", url.Values{"email": {"nianew@example.nhs.uk"}, "name": {"Nia New"}, "role": {"therapist"}, "team": {"East"}, "password": {"nianew is my name"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "does not contain your email") {
		t.Errorf("password with the e-mail: %d", p.Status)
	}
	p = admin.post("/admin/users/new", url.Values{"email": {"nianew@example.nhs.uk"}, "name": {"Nia New"}, "role": {"therapist"}, "team": {"East"}, "password": {testPassword}})
	if p.Status != http.StatusSeeOther || p.Location != "/admin/users?done=added" {
		t.Fatalf("add user: %d %q", p.Status, p.Location)
	}
	if p := admin.post("/admin/users/new", url.Values{"email": {"NIANEW@example.nhs.uk"}, "name": {"Nia"}, "role": {"admin"}, "password": {testPassword}}); !strings.Contains(p.Body, "already exists") {
		t.Errorf("duplicate e-mail: %d", p.Status)
	}
	if p := admin.get("/admin/users?done=added"); !strings.Contains(p.Body, "User added.") || !strings.Contains(p.Body, "Nia New") {
		t.Errorf("users page after adding")
	}
	nia := signInAs(t, e.browser(), "nianew@example.nhs.uk", testPassword)
	if nia.Status != http.StatusSeeOther {
		t.Fatalf("new user cannot sign in: %d", nia.Status)
	}
	// Issue 15, 1: an admin cannot make a token for another user (it would
	// let them read records in that user's name).
	if p := admin.post("/admin/users/"+itoa(e.therapist.ID)+"/tokens", nil); p.Status != http.StatusForbidden || regexp.MustCompile(`id="token"`).MatchString(p.Body) {
		t.Errorf("admin makes a token for a therapist: %d, want 403 and no token", p.Status)
	}
	// The audit log names the admin for each change.
	res, _ := e.store.SearchAudit(context.Background(), caseload.AuditQuery{UserID: e.admin.ID})
	var actions []string
	for _, x := range res.Entries {
		actions = append(actions, x.Action)
	}
	if strings.Join(actions, " ") != "create_user sign_in" {
		t.Errorf("admin's audit rows: %v", actions)
	}
}

func TestAuditSearchPage(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F32")
	tara := e.signedIn(e.therapist)
	for range 60 {
		tara.get(referralPath(r.ID))
	}
	admin := e.signedIn(e.admin)
	p := admin.get("/admin/audit?action=view&referral=" + itoa(r.ID))
	if p.Status != http.StatusOK || strings.Count(p.Body, "referral page") != 50 || !strings.Contains(p.Body, "Older") || strings.Contains(p.Body, "Newer") {
		t.Fatalf("first page: %d, %d rows", p.Status, strings.Count(p.Body, "referral page"))
	}
	next := regexp.MustCompile(`href="(/admin/audit\?[^"]+)"`).FindStringSubmatch(p.Body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	p = admin.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if strings.Count(p.Body, "referral page") != 10 || !strings.Contains(p.Body, "Newer") {
		t.Errorf("second page: %d rows", strings.Count(p.Body, "referral page"))
	}
	for _, q := range []string{"user=" + itoa(e.therapist.ID) + "&action=sign_in", "patient=" + itoa(r.PatientID) + "&action=create_patient", "from=2026-03-16&to=2026-03-16&action=create_referral"} {
		if p := admin.get("/admin/audit?" + q); p.Status != http.StatusOK || strings.Contains(p.Body, "Nothing matches") {
			t.Errorf("%s: %d, nothing found", q, p.Status)
		}
	}
	if p := admin.get("/admin/audit?from=2026-03-17&action=create_referral"); !strings.Contains(p.Body, "Nothing matches") {
		t.Errorf("a date range after everything found something")
	}
	for _, q := range []string{"from=yesterday", "user=abc", "action=drop_table", "from=2026-03-10&to=2026-03-01"} {
		if p := admin.get("/admin/audit?" + q); p.Status != http.StatusUnprocessableEntity || !p.doc(t).has(t, ".nhsuk-error-summary") {
			t.Errorf("%s: %d, want 422 with the error on the field", q, p.Status)
		}
	}
}

// addAdminSamples adds the administration pages to TestEveryTemplateRenders,
// and a referral page read under break glass with its viewers.
func addAdminSamples(t *testing.T, samples map[string]any, base basePage, f *form) {
	t.Helper()
	users := []adminUserRow{
		{User: caseload.User{ID: 1, Name: "Ada", Email: "ada@example.nhs.uk", Role: caseload.RoleAdmin}},
		{User: caseload.User{ID: 2, Name: "Tara", Email: "tara@example.nhs.uk", Role: caseload.RoleTherapist, Disabled: true}, Teams: "North", CanDisable: true},
		{User: caseload.User{ID: 3, Name: "Sue", Email: "sue@example.nhs.uk", Role: caseload.RoleSupervisor}, Teams: "North (supervises)", CanDisable: true},
	}
	samples["admin_users.html"] = &adminUsersPage{basePage: base, Users: users, Done: "User added.", Form: f, Roles: userRoleFilters, Next: "/admin/users?page=2"}
	samples["admin_user_new.html"] = &adminUserNewPage{basePage: base, Form: f, Roles: roleOptions, Teams: []caseload.Team{{ID: 1, Name: "North"}}}
	tokens := []tokenRow{
		{Token: caseload.Token{ID: 4, UserName: "Tara", UserEmail: "tara@example.nhs.uk", Name: "practice system", CreatedAt: testNow, ExpiresAt: testNow.Add(caseload.TokenLifetime), LastUsedAt: testNow}, Active: true},
		{Token: caseload.Token{ID: 3, UserName: "Tara", UserEmail: "tara@example.nhs.uk", CreatedAt: testNow, ExpiresAt: testNow, RevokedAt: testNow}},
	}
	samples["account_tokens.html"] = &accountTokensPage{basePage: base, Form: f, Tokens: tokens, Secret: "abc_DEF-123", Made: &tokens[0].Token, Done: "Token revoked."}
	samples["admin_tokens.html"] = &adminTokensPage{basePage: base, Tokens: tokens, Done: "Token revoked."}
	samples["admin_teams.html"] = &adminTeamsPage{basePage: base, Teams: []adminTeamRow{{Team: caseload.Team{ID: 1, Name: "North"}, Therapists: []string{"Tara"}, Supervisors: []string{"Sue"}}}}
	samples["admin_break_glass.html"] = &breakGlassPage{basePage: base, Form: f, Minutes: 60}
	samples["audit_search.html"] = &auditSearchPage{basePage: base, Form: f, Users: []caseload.User{users[0].User}, Actions: caseload.AuditActions, Page: 2,
		Entries: []caseload.AuditEntry{{ID: 1, At: testNow, UserID: 1, UserName: "Ada", UserRole: caseload.RoleAdmin, Action: "view", Entity: "referral", EntityID: 7, PatientID: 3, Address: "192.0.2.1", Detail: "referral page"}},
		Prev:    "/admin/audit?page=1", Next: "/admin/audit?page=3"}
}

// The referral page read under break glass shows the warning and its viewers.
func TestReferralPageAccountability(t *testing.T) {
	e := newTestEnv(t)
	u := e.admin
	g := caseload.Grant{ID: 1, Reason: "Complaint <b>114</b>", ExpiresAt: testNow.Add(time.Hour)}
	viewers := []viewer{{Name: "Ada Admin", Role: "admin", At: testNow, What: "referral page (break glass: Complaint)", Broken: true}}
	p := &referralPage{basePage: basePage{Title: "Pat", User: &u}, Referral: caseload.Referral{ID: 7, ReceivedOn: "2026-01-05", Intensity: "low"}, Grant: &g, Viewers: &viewers}
	var buf strings.Builder
	if err := e.server.pages["referral_show.html"].t.ExecuteTemplate(&buf, "layout", p); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{"Break glass access", "Complaint &lt;b&gt;114&lt;/b&gt;", "11:00 on 16 March 2026", "Who has viewed this record", "Ada Admin", "nhsuk-tag--red"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	p.Grant, p.Viewers = nil, nil
	buf.Reset()
	if err := e.server.pages["referral_show.html"].t.ExecuteTemplate(&buf, "layout", p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Break glass") || strings.Contains(buf.String(), "Who has viewed") {
		t.Errorf("accountability sections shown without a grant or viewers")
	}
}

// Downloads of patient-level rows, the score correction form and recorded
// reviews are audited too.
func TestMoreAuditedActions(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Ann Example", "F32")
	ct, err := e.store.RecordContact(ctx, e.therapist, r.ID, caseload.NewContact{Date: "2026-02-02", Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{measures.PHQ9: {Items: ints(2, 2, 2, 2, 2, 2, 2, 2, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	sue := e.signedIn(e.supervisor)
	if p := sue.get("/scores/" + itoa(ct.Scores[0].ID) + "/correct?referral=" + itoa(r.ID)); p.Status != http.StatusOK {
		t.Fatalf("score form: %d", p.Status)
	}
	if p := sue.get("/reports/outcomes.csv?from=2026-01-01&to=2026-03-16"); p.Status != http.StatusOK {
		t.Fatalf("CSV: %d", p.Status)
	}
	if _, err := e.store.RecordReview(caseload.WithAudit(ctx, 0, "192.0.2.8"), e.supervisor, r.ID, caseload.NewReview{Date: "2026-03-16", Decision: "continue"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.store.SearchAudit(ctx, caseload.AuditQuery{UserID: e.supervisor.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range res.Entries {
		got = append(got, x.Action+" "+x.Entity+": "+x.Detail)
	}
	want := []string{
		"record_review referral: review 1: continue",
		"download referral: outcomes CSV 2026-01-01 to 2026-03-16", // a row per referral (issue 15)
		"view referral: score correction form",
		"sign_in user: ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("supervisor's audit rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Admins find their pages from the navigation; nobody else sees them there.
func TestAdminNavigation(t *testing.T) {
	e := newTestEnv(t)
	if d := e.signedIn(e.admin).get("/admin/users").doc(t); !d.has(t, `a[href="/admin/users"]`) || !d.has(t, `a[href="/admin/audit"]`) {
		t.Errorf("admin's navigation lacks the admin pages")
	}
	if p := e.signedIn(e.supervisor).get("/review"); p.doc(t).has(t, `[href^="/admin/"]`) {
		t.Errorf("a supervisor's navigation links to admin pages")
	}
}

// Patients get no API tokens from the admin pages.
func TestNoTokensForPatients(t *testing.T) {
	f := newAccessFixture(t)
	admin := f.e.signedIn(f.e.admin)
	if p := admin.post("/admin/users/"+itoa(f.users["patientOwn"].ID)+"/tokens", nil); p.Status != http.StatusForbidden {
		t.Errorf("token for a patient: %d, want 403", p.Status)
	}
}

// However busy, a session ends 12 hours after signing in.
func TestSessionLifetime(t *testing.T) {
	now := testNow
	e := newTestEnvAt(t, &now)
	b := e.signedIn(e.therapist)
	for now.Sub(testNow) < sessionLifetime-20*time.Minute {
		now = now.Add(20 * time.Minute)
		if p := b.get("/"); p.Status != http.StatusOK {
			t.Fatalf("active session ended after %v: %d", now.Sub(testNow), p.Status)
		}
	}
	now = testNow.Add(sessionLifetime + time.Minute)
	if p := b.get("/"); p.Status != http.StatusSeeOther {
		t.Errorf("after 12 hours: %d, want a redirect to sign in", p.Status)
	}
}

// A patient's look at their own record is audited like anyone's.
func TestPatientViewsAreAudited(t *testing.T) {
	f := newAccessFixture(t)
	pat := f.browserFor(t, "patientOwn")
	if p := pat.get(portalPath(f.referral.ID)); p.Status != http.StatusOK {
		t.Fatalf("progress page: %d", p.Status)
	}
	if p := pat.get(portalPath(f.referral.ID + 1000)); p.Status != http.StatusNotFound {
		t.Fatalf("someone else's progress page: %d", p.Status)
	}
	res, err := f.e.store.SearchAudit(context.Background(), caseload.AuditQuery{UserID: f.users["patientOwn"].ID, Action: caseload.AuditView})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 1 || res.Entries[0].EntityID != f.referral.ID || res.Entries[0].Detail != "patient's own progress page" {
		t.Errorf("patient's view rows: %+v", res.Entries)
	}
	if p := f.e.signedIn(f.e.therapist).get(referralPath(f.referral.ID)); !strings.Contains(p.Body, "own progress page") {
		t.Errorf("the therapist does not see the patient's view")
	}
}

// Pages that list patients with their scores are views too: one audit row
// per page, naming each referral shown.
func TestListPagesAreAudited(t *testing.T) {
	e := newTestEnv(t)
	a := e.referral(e.therapist, "Lia Listed", "F32")
	b := e.referral(e.therapist, "Lou Listed", "F41.1")
	tests := []struct {
		who   caseload.User
		path  string
		list  string
		wants []int64
	}{
		{e.therapist, "/", "caseload", []int64{a.ID, b.ID}},
		{e.supervisor, "/review", "weekly_review", nil},
	}
	for _, tt := range tests {
		if p := e.signedIn(tt.who).get(tt.path); p.Status != http.StatusOK {
			t.Fatalf("%s: %d", tt.path, p.Status)
		}
		got, err := e.store.SearchAudit(t.Context(), caseload.AuditQuery{UserID: tt.who.ID, Action: caseload.AuditView})
		if err != nil {
			t.Fatal(err)
		}
		var rows []caseload.AuditEntry
		for _, x := range got.Entries {
			if x.Entity == tt.list {
				rows = append(rows, x)
			}
		}
		if len(rows) != 1 {
			t.Fatalf("%s: %d %s audit rows, want 1: %+v", tt.path, len(rows), tt.list, got.Entries)
		}
		if !strings.Contains(rows[0].Detail, "referrals") {
			t.Errorf("%s: audit detail %q", tt.path, rows[0].Detail)
		}
		for _, id := range tt.wants {
			if !strings.Contains(rows[0].Detail, itoa(id)) {
				t.Errorf("%s: audit detail %q lacks referral %d", tt.path, rows[0].Detail, id)
			}
		}
	}
}
