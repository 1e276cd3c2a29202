package ui

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The access policy, checked on every route the router serves, for every
// kind of user. The routes come from echo itself (e.Routes()), so a route
// added without a row in accessTable fails TestEveryRouteHasAnAccessRow
// with the row to add.

// outcome is what a user gets from a route.
type outcome int

const (
	unset     outcome = iota // the row forgot this user
	allowed                  // served: any status but a refusal or a server error (a 422 for an empty form is fine)
	signIn                   // 303 to /sign-in
	noToken                  // 401: the API wants a Bearer token
	forbidden                // 403
	notFound                 // 404: must not learn the record exists
)

func (o outcome) String() string {
	return [...]string{"unset", "allowed", "signIn", "noToken", "forbidden", "notFound"}[o]
}

// expect says what each kind of user gets. "Own" and "other" are about the
// fixture's referral: it is on Tara's caseload in team North, supervised by
// Sue; Colin is Tara's colleague in North; Sol supervises South only; Ada is
// an admin; Bea an admin who broke glass for the referral's patient; Pat is
// the referral's patient, Pip another referral's patient.
type expect struct {
	anon                 outcome // nobody signed in, no token
	own, other           outcome // Tara (the referral's therapist), Colin (her colleague)
	supIn, supOut        outcome // Sue (supervises North), Sol (supervises South)
	admin, glass         outcome // Ada, Bea (break glass on the referral's patient)
	patientOwn, patOther outcome // Pat (the referral's patient), Pip (another patient)
}

// Shorthands for the common shapes.
var (
	everyone       = expect{allowed, allowed, allowed, allowed, allowed, allowed, allowed, allowed, allowed}
	allStaff       = expect{signIn, allowed, allowed, allowed, allowed, allowed, allowed, forbidden, forbidden}
	therapists     = expect{signIn, allowed, allowed, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}
	referralRead   = expect{signIn, allowed, notFound, allowed, notFound, forbidden, allowed, forbidden, forbidden}
	referralChange = expect{signIn, allowed, notFound, allowed, notFound, forbidden, forbidden, forbidden, forbidden}
	adminsOnly     = expect{signIn, forbidden, forbidden, forbidden, forbidden, allowed, allowed, forbidden, forbidden}
	patientsOwn    = expect{signIn, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, allowed, notFound}
	// Patients cannot hold API tokens (issue 15), so they are refused as
	// having none.
	apiTherapists   = expect{noToken, allowed, allowed, forbidden, forbidden, forbidden, forbidden, noToken, noToken}
	apiReferralRead = expect{noToken, allowed, notFound, allowed, notFound, forbidden, allowed, noToken, noToken}
	apiReferralEdit = expect{noToken, allowed, notFound, allowed, notFound, forbidden, forbidden, noToken, noToken}
	// Clinical safety (issue 11): the duty list is the clinicians'; a risk
	// alert (:id under /risk-alerts/ is the fixture's alert) is acknowledged
	// by the referral's clinicians, never under break glass; a referral is
	// reopened by its therapist or a supervisor of its team.
	clinicians     = expect{signIn, allowed, allowed, allowed, allowed, forbidden, forbidden, forbidden, forbidden}
	alertAck       = expect{signIn, allowed, notFound, allowed, notFound, forbidden, forbidden, forbidden, forbidden}
	referralReopen = expect{signIn, allowed, notFound, allowed, notFound, forbidden, forbidden, forbidden, forbidden}
)

// accessTable has a row for every route. Path parameters are filled from the
// fixture: :id is the referral, except under /scores/ (a score of the
// referral), /admin/users/ (a spare user) and /patients/ (the referral's
// patient); :qid is a questionnaire Pat
// sent on the referral.
var accessTable = map[string]expect{
	"GET /sign-in":   everyone,
	"POST /sign-in":  everyone,
	"POST /sign-out": {signIn, signIn, signIn, signIn, signIn, signIn, signIn, signIn, signIn}, // back to sign in, signed out

	"GET /":                                 allStaff,
	"GET /patients/new":                     therapists,
	"POST /patients/new":                    therapists,
	"GET /patients":                         allStaff, // an admin finds only patients under a grant
	"GET /patients/:id":                     referralRead,
	"GET /patients/:id/referrals/new":       {signIn, allowed, notFound, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}, // therapists who may refer the patient
	"POST /patients/:id/referrals/new":      {signIn, allowed, notFound, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden},
	"GET /referrals/:id":                    referralRead,
	"GET /referrals/:id/letter":             referralRead,
	"GET /referrals/:id/contacts/new":       referralChange,
	"POST /referrals/:id/contacts/new":      referralChange,
	"GET /referrals/:id/end":                referralChange,
	"GET /referrals/:id/demographics":       referralChange,
	"POST /referrals/:id/demographics":      referralChange,
	"POST /referrals/:id/end":               referralChange,
	"GET /referrals/:id/move":               referralChange, // its therapist, or the team's supervisor (issue 14)
	"POST /referrals/:id/move":              referralChange,
	"GET /cover":                            {signIn, allowed, allowed, allowed, allowed, forbidden, forbidden, forbidden, forbidden},     // staff who hold caseloads; TestCoverAccess checks what cover opens
	"POST /cover":                           {signIn, forbidden, forbidden, allowed, allowed, forbidden, forbidden, forbidden, forbidden}, // supervisors grant it
	"GET /waiting":                          {signIn, forbidden, forbidden, allowed, allowed, forbidden, forbidden, forbidden, forbidden}, // supervisors hold their teams' lists
	"GET /referrals/receive":                {signIn, forbidden, forbidden, allowed, allowed, allowed, allowed, forbidden, forbidden},     // supervisors and admins receive onto a waiting list
	"POST /referrals/receive":               {signIn, forbidden, forbidden, allowed, allowed, allowed, allowed, forbidden, forbidden},
	"POST /referrals/:id/bring":             {signIn, allowed, notFound, forbidden, notFound, forbidden, forbidden, forbidden, forbidden}, // the referral's own therapist asks
	"GET /scores/:id/correct":               referralChange,
	"POST /scores/:id/correct":              referralChange,
	"GET /referrals/:id/invitation":         referralRead,
	"POST /referrals/:id/invitation":        referralChange,
	"POST /referrals/:id/invitation/revoke": referralChange,
	"GET /referrals/:id/reopen":             referralReopen,
	"POST /referrals/:id/reopen":            referralReopen,
	"GET /duty":                             clinicians,
	"GET /risk-alerts/:id/acknowledge":      alertAck,
	"POST /risk-alerts/:id/acknowledge":     alertAck,

	"GET /review":                    {signIn, forbidden, forbidden, allowed, allowed, forbidden, forbidden, forbidden, forbidden}, // supervisors hold it
	"GET /referrals/:id/reviews/new": {signIn, forbidden, notFound, allowed, notFound, forbidden, forbidden, forbidden, forbidden},
	"POST /referrals/:id/reviews":    {signIn, forbidden, notFound, allowed, notFound, forbidden, forbidden, forbidden, forbidden},
	"GET /reports/outcomes":          allStaff,
	"GET /reports/outcomes.csv":      allStaff,
	"GET /reports/sections.csv":      allStaff,

	"GET /invitation":                                 everyone,
	"POST /invitation":                                everyone,
	"GET /my":                                         {signIn, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, allowed, allowed},
	"GET /my/referrals/:id":                           patientsOwn,
	"GET /my/referrals/:id/questionnaire":             patientsOwn,
	"POST /my/referrals/:id/questionnaire":            patientsOwn,
	"GET /my/referrals/:id/questionnaires/:qid":       patientsOwn,
	"POST /my/referrals/:id/questionnaires/:qid/keep": patientsOwn,

	"GET /admin/users":              adminsOnly,
	"GET /admin/users/new":          adminsOnly,
	"POST /admin/users/new":         adminsOnly,
	"POST /admin/users/:id/disable": adminsOnly,
	"POST /admin/users/:id/enable":  adminsOnly,
	"POST /admin/users/:id/tokens":  {signIn, forbidden, forbidden, forbidden, forbidden, allowed, forbidden, forbidden, forbidden}, // :id is Ada: only for herself (issue 15)
	"GET /admin/tokens":             adminsOnly,
	"POST /admin/tokens/:id/revoke": adminsOnly,

	"GET /account/tokens":                  allStaff,
	"POST /account/tokens":                 allStaff,
	"POST /account/tokens/:id/revoke":      {signIn, allowed, notFound, notFound, notFound, notFound, notFound, forbidden, forbidden}, // Tara's token: hers alone (admins use /admin/tokens)
	"GET /admin/teams":                     adminsOnly,
	"GET /admin/audit":                     adminsOnly,
	"GET /admin/break-glass":               adminsOnly,
	"POST /admin/break-glass":              adminsOnly,
	"GET /admin/urgent-contact":            adminsOnly,
	"POST /admin/urgent-contact":           adminsOnly,
	"GET /admin/users/:id/edit":            adminsOnly,
	"POST /admin/users/:id/edit":           adminsOnly,
	"POST /admin/users/:id/reset-password": adminsOnly,
	"GET /reset-password":                  everyone,
	"POST /reset-password":                 everyone,
	"GET /admin/dataset":                   adminsOnly,
	"GET /admin/dataset/download":          adminsOnly,
	"GET /admin/qualifications":            adminsOnly,
	"POST /admin/users/:id/qualification":  adminsOnly,
	"GET /admin/care-professionals":        adminsOnly,
	"POST /admin/care-professionals":       adminsOnly,

	"POST /api/v1/patients":                    apiTherapists,
	"GET /api/v1/patients":                     {noToken, allowed, allowed, allowed, allowed, allowed, allowed, noToken, noToken},
	"POST /api/v1/referrals":                   {noToken, allowed, allowed, allowed, allowed, forbidden, forbidden, noToken, noToken}, // supervisors receive onto their waiting lists (issue 14)
	"GET /api/v1/referrals/:id":                apiReferralRead,
	"POST /api/v1/referrals/:id/contacts":      apiReferralEdit,
	"POST /api/v1/referrals/:id/end":           apiReferralEdit,
	"PUT /api/v1/referrals/:id/demographics":   apiReferralEdit,
	"POST /api/v1/referrals/:id/transfer":      apiReferralEdit,
	"GET /api/v1/referrals/:id/outcome":        apiReferralRead,
	"GET /api/v1/referrals/:id/flags":          apiReferralRead,
	"GET /api/v1/reports/outcomes":             {noToken, allowed, allowed, allowed, allowed, allowed, allowed, noToken, noToken},
	"GET /api/v1/risk-alerts":                  {noToken, allowed, allowed, allowed, allowed, forbidden, forbidden, noToken, noToken}, // each sees their own duty list
	"POST /api/v1/risk-alerts/:id/acknowledge": {noToken, allowed, notFound, allowed, notFound, forbidden, forbidden, noToken, noToken},

	// FHIR R4 (issue 18): the referral's read and change rules.
	"GET /api/v1/referrals/:id/fhir":                     apiReferralRead,
	"POST /api/v1/referrals/:id/questionnaire-responses": apiReferralEdit,

	"GET /static/*":  everyone,
	"HEAD /static/*": everyone,
}

// Cover (issue 14) as rows of the matrix: two more therapists of North,
// Tara's team. Cora covers Tara's caseload today; Otto covered it until
// yesterday. An expired cover opens nothing: Otto gets on every route
// exactly what Colin (Tara's colleague, never covering) gets. Cora gets
// what Tara gets, except on the routes below, which are the referral's own
// therapist's alone (or Tara's own token), where she gets what is listed.
var coverNowGets = map[string]outcome{
	"POST /referrals/:id/bring":           forbidden, // the referral's own therapist brings it to supervision
	"GET /referrals/:id/move":             forbidden, // a therapist moves only their own case
	"POST /referrals/:id/move":            forbidden,
	"POST /api/v1/referrals/:id/transfer": forbidden,
	"POST /account/tokens/:id/revoke":     notFound,  // Tara's token
	"GET /referrals/:id/reopen":           forbidden, // its own therapist, or the team's supervisor, reopens it
	"POST /referrals/:id/reopen":          forbidden,
}

// lastRoutes run after all the others: they end what the other rows need
// (the patient's access).
var lastRoutes = []string{"POST /referrals/:id/invitation/revoke"}

// accessFixture is the service the table is checked against.
type accessFixture struct {
	e        *testEnv
	referral caseload.Referral
	score    int64
	spare    caseload.User // target of the /admin/users/:id rows
	token    int64         // a spare API token of Tara's: the /…/tokens/:id rows
	qid      int64
	alert    int64 // the risk alert the referral's first contact opened
	users    map[string]caseload.User
}

// actors in the order of expect's fields.
var actors = []string{"anon", "own", "other", "supIn", "supOut", "admin", "glass", "coverNow", "coverGone", "patientOwn", "patOther"}

// outcomeOf is what the actor gets from the route's row.
func outcomeOf(key string, x expect, actor string) outcome {
	switch actor {
	case "coverGone":
		return x.other
	case "coverNow":
		if o, ok := coverNowGets[key]; ok {
			return o
		}
		return x.own
	}
	return x.of(actor)
}

func (x expect) of(actor string) outcome {
	return map[string]outcome{
		"anon": x.anon, "own": x.own, "other": x.other, "supIn": x.supIn, "supOut": x.supOut,
		"admin": x.admin, "glass": x.glass, "patientOwn": x.patientOwn, "patOther": x.patOther,
	}[actor]
}

func newAccessFixture(t *testing.T) *accessFixture {
	t.Helper()
	now := testNow
	e := newTestEnvAt(t, &now)
	ctx := context.Background()
	f := &accessFixture{e: e, users: map[string]caseload.User{}}
	f.users["own"] = e.therapist
	f.users["other"] = e.colleague
	f.users["supIn"] = e.supervisor
	f.users["supOut"] = e.user("sol@example.nhs.uk", "Sol South-Supervisor", caseload.RoleSupervisor, "South")
	f.users["admin"] = e.admin
	f.users["glass"] = e.user("bea@example.nhs.uk", "Bea Admin", caseload.RoleAdmin, "")
	f.spare = e.user("spare@example.nhs.uk", "Spare User", caseload.RoleTherapist, "South")
	if _, tok, err := e.store.CreateToken(ctx, e.therapist.Email, "spare"); err != nil {
		t.Fatal(err)
	} else {
		f.token = tok.ID
	}

	f.referral = e.referral(e.therapist, "Ann Example", "F41.1")
	ct, err := e.store.RecordContact(ctx, e.therapist, f.referral.ID, caseload.NewContact{
		Date: "2026-02-02", Kind: "treatment", Attendance: "attended",
		Scores: map[measures.InstrumentID]caseload.ScoreInput{
			measures.PHQ9: {Items: ints(2, 2, 2, 2, 2, 2, 2, 2, 1)},
			measures.GAD7: {Items: ints(2, 2, 2, 2, 2, 2, 2)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.score = ct.Scores[0].ID
	if f.alert, err = e.store.ContactRiskAlertID(ctx, ct.ID); err != nil || f.alert == 0 {
		t.Fatalf("the fixture's risk alert: %d %v", f.alert, err)
	}
	if _, err := e.store.BreakGlass(ctx, f.users["glass"], f.referral.ID, "Serious incident review"); err != nil {
		t.Fatal(err)
	}
	f.users["coverNow"] = e.user("cora@example.nhs.uk", "Cora Cover", caseload.RoleTherapist, "North")
	f.users["coverGone"] = e.user("otto@example.nhs.uk", "Otto Overdue", caseload.RoleTherapist, "North")
	covers := []struct {
		who      string
		grantAt  time.Time
		from, to string
	}{
		{"coverGone", testNow.AddDate(0, 0, -14), testNow.AddDate(0, 0, -10).Format("2006-01-02"), testNow.AddDate(0, 0, -1).Format("2006-01-02")},
		{"coverNow", testNow, testNow.Format("2006-01-02"), testNow.AddDate(0, 0, 7).Format("2006-01-02")},
	}
	for _, c := range covers {
		now = c.grantAt
		if _, err := e.store.GrantCover(ctx, e.supervisor, caseload.NewCover{TherapistID: f.users[c.who].ID, ColleagueID: e.therapist.ID,
			FromOn: c.from, ToOn: c.to, Reason: "Annual leave"}); err != nil {
			t.Fatal(err)
		}
	}
	now = testNow
	f.users["patientOwn"] = f.patient(t, f.referral, "pat@example.org")
	f.users["patOther"] = f.patient(t, e.referral(e.south, "Pip Other", "F32"), "pip@example.org")
	q, err := e.store.SubmitQuestionnaire(ctx, f.users["patientOwn"], f.referral.ID, map[measures.InstrumentID][]*int{
		measures.PHQ9: ints(1, 1, 1, 1, 1, 1, 1, 1, 0),
		measures.GAD7: ints(1, 1, 1, 1, 1, 1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.qid = q.ID
	return f
}

// patient gives r's patient an account, through an invitation.
func (f *accessFixture) patient(t *testing.T, r caseload.Referral, email string) caseload.User {
	t.Helper()
	ctx := context.Background()
	_, code, err := f.e.store.CreateInvitation(ctx, f.e.therapist, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.e.store.AcceptInvitation(ctx, caseload.AcceptInvitation{Code: code, DateOfBirth: "1980-05-01", Email: email, Password: testPassword, Address: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// path fills a route's parameters from the fixture.
func (f *accessFixture) path(route string) string {
	id := f.referral.ID
	switch {
	case strings.HasPrefix(route, "/scores/"):
		id = f.score
	case route == "/admin/users/:id/tokens":
		id = f.users["admin"].ID
	case strings.HasPrefix(route, "/admin/users/"):
		id = f.spare.ID
	case strings.HasPrefix(route, "/patients/"):
		id = f.referral.PatientID
	case strings.Contains(route, "/tokens/"):
		id = f.token
	case strings.HasPrefix(route, "/risk-alerts/"), strings.HasPrefix(route, "/api/v1/risk-alerts/"):
		id = f.alert
	}
	p := strings.NewReplacer(":qid", strconv.FormatInt(f.qid, 10), ":id", strconv.FormatInt(id, 10), "*", "app.css").Replace(route)
	if strings.HasPrefix(route, "/scores/") {
		p += "?referral=" + strconv.FormatInt(f.referral.ID, 10)
	}
	return p
}

// browserFor returns a browser signed in as the actor ("anon": none).
func (f *accessFixture) browserFor(t *testing.T, actor string) *browser {
	if actor == "anon" {
		return f.e.browser()
	}
	u := f.users[actor]
	b := f.e.browser()
	p := b.post("/sign-in", url.Values{"email": {u.Email}, "password": {testPassword}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %s", actor, p.Status, errorSummaryText(p.Body))
	}
	return b
}

func errorSummaryText(body string) string {
	if i := strings.Index(body, "nhsuk-error-summary__list"); i >= 0 {
		return body[i:min(len(body), i+300)]
	}
	return ""
}

// classify reads a response as an outcome.
func classify(p page) outcome {
	switch {
	case p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location, "/sign-in"):
		return signIn
	case p.Status == http.StatusUnauthorized:
		return noToken
	case p.Status == http.StatusForbidden:
		return forbidden
	case p.Status == http.StatusNotFound:
		return notFound
	}
	return allowed
}

// TestAccessPolicy walks every route for every kind of user, checking too
// that every answer carries the security headers.
func TestAccessPolicy(t *testing.T) {
	f := newAccessFixture(t)
	browsers := map[string]*browser{}
	tokens := map[string]string{}
	for _, a := range actors {
		browsers[a] = f.browserFor(t, a)
		if a != "anon" && isStaff(f.users[a]) {
			tokens[a] = f.e.token(f.users[a]) // patients hold no tokens (issue 15)
		}
	}
	var keys []string
	for _, r := range f.e.server.echo.Routes() {
		keys = append(keys, r.Method+" "+r.Path)
	}
	sort.SliceStable(keys, func(i, j int) bool { return lastIndex(keys[i]) < lastIndex(keys[j]) })
	for _, key := range keys {
		want, ok := accessTable[key]
		if !ok {
			continue // TestEveryRouteHasAnAccessRow reports it
		}
		method, route, _ := strings.Cut(key, " ")
		order := actors
		if lastIndex(key) > 0 {
			// Patients first: the staff who may revoke their access do.
			order = slices.Clone(actors)
			slices.Reverse(order)
		}
		for _, a := range order {
			t.Run(key+" as "+a, func(t *testing.T) {
				exp := outcomeOf(key, want, a)
				if exp == unset {
					t.Fatalf("accessTable[%q] does not say what %s gets", key, a)
				}
				b := browsers[a]
				if key == "POST /sign-out" {
					b = f.browserFor(t, a) // a session of its own to end
				}
				p := f.request(t, b, tokens[a], method, route)
				if p.Status >= 500 {
					t.Fatalf("%s %s as %s: %d, a server error", method, f.path(route), a, p.Status)
				}
				for h, v := range map[string]string{"Content-Security-Policy": contentSecurityPolicy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
					if p.Header.Get(h) != v {
						t.Errorf("%s %s as %s: %s = %q, want %q", method, f.path(route), a, h, p.Header.Get(h), v)
					}
				}
				if got := classify(p); got != exp {
					t.Errorf("%s %s as %s: %d %q (%s), want %s", method, f.path(route), a, p.Status, p.Location, got, exp)
				}
			})
		}
	}
}

func lastIndex(key string) int {
	for i, k := range lastRoutes {
		if k == key {
			return i + 1
		}
	}
	return 0
}

// request sends what a user of the route would: a form with the CSRF token
// (so that the policy, not CSRF, answers), or JSON with the user's token.
func (f *accessFixture) request(t *testing.T, b *browser, token, method, route string) page {
	t.Helper()
	path := f.path(route)
	if strings.HasPrefix(route, "/api/") {
		var body *strings.Reader
		if method == http.MethodPost {
			body = strings.NewReader("{}")
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, f.e.http.URL+path, body)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/json")
		}
		return b.do(req)
	}
	switch method {
	case http.MethodPost:
		form := url.Values{}
		if strings.HasPrefix(route, "/scores/") {
			form.Set("referral_id", strconv.FormatInt(f.referral.ID, 10))
		}
		return b.post(path, form)
	case http.MethodHead:
		req, _ := http.NewRequest(http.MethodHead, f.e.http.URL+path, nil)
		return b.do(req)
	}
	return b.get(path)
}

// TestEveryRouteHasAnAccessRow: a route the router serves without a row in
// accessTable (or a row for a route that is gone) fails, saying what to add.
func TestEveryRouteHasAnAccessRow(t *testing.T) {
	e := newTestEnv(t)
	levels := map[string]access{}
	for _, r := range e.server.routes() {
		levels[r.method+" "+r.path] = r.access
	}
	served := map[string]bool{}
	for _, r := range e.server.echo.Routes() {
		key := r.Method + " " + r.Path
		served[key] = true
		if _, ok := accessTable[key]; ok {
			continue
		}
		t.Errorf("route %s has no row in accessTable (ui/access_test.go): say what each kind of user gets from it.\n"+
			"Add a row like this one, checking each guess against ui/access.go:\n\t%q: %s,", key, key, guessRow(key, levels[key]))
	}
	for key, x := range accessTable {
		if !served[key] {
			t.Errorf("accessTable has a row for %s, which the router no longer serves: remove it", key)
		}
		for _, a := range actors {
			if outcomeOf(key, x, a) == unset {
				t.Errorf("accessTable[%q] does not say what %s gets", key, a)
			}
		}
	}
}

// guessRow suggests a row from the route's access level.
func guessRow(key string, level access) string {
	switch level {
	case public:
		return "everyone"
	case api:
		if strings.Contains(key, ":id") {
			return "apiReferralRead /* or apiReferralEdit */"
		}
		return "apiTherapists"
	case patient:
		return "patientsOwn"
	case admin:
		return "adminsOnly"
	}
	if strings.Contains(key, "/referrals/:id") {
		if strings.HasPrefix(key, "GET") {
			return "referralRead /* or referralChange */"
		}
		return "referralChange"
	}
	return "allStaff /* or therapists */"
}

// TestEveryFormNeedsCSRF: every state-changing browser route refuses a post
// without the CSRF token, from a user the route would otherwise serve.
func TestEveryFormNeedsCSRF(t *testing.T) {
	f := newAccessFixture(t)
	for _, r := range f.e.server.echo.Routes() {
		key := r.Method + " " + r.Path
		if r.Method != http.MethodPost || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		want, ok := accessTable[key]
		if !ok {
			continue
		}
		actor := ""
		if key == "POST /sign-out" {
			actor = "own"
		}
		for _, a := range actors {
			if outcomeOf(key, want, a) == allowed && actor == "" {
				actor = a
				break
			}
		}
		if actor == "" {
			t.Errorf("%s: nobody is allowed, so CSRF cannot be checked", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			b := f.browserFor(t, actor)
			p := b.postRaw(f.path(r.Path), url.Values{"referral_id": {fmt.Sprint(f.referral.ID)}})
			if p.Status != http.StatusForbidden {
				t.Errorf("post without a CSRF token as %s: %d, want 403", actor, p.Status)
			}
		})
	}
}

// The policy's words that matter: nothing inline, no framing, nothing from
// elsewhere.
func TestContentSecurityPolicy(t *testing.T) {
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(contentSecurityPolicy, want) {
			t.Errorf("CSP lacks %q: %s", want, contentSecurityPolicy)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:"} {
		if strings.Contains(contentSecurityPolicy, bad) {
			t.Errorf("CSP allows %q: %s", bad, contentSecurityPolicy)
		}
	}
}

// Every post form in the templates sends the CSRF token, so that no form is
// refused for lacking it (TestEveryFormNeedsCSRF checks the server refuses
// those that do).
func TestEveryPostFormCarriesCSRF(t *testing.T) {
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	form := regexp.MustCompile(`(?is)<form[^>]*method="post"[^>]*>(.*?)</form>`)
	n := 0
	for _, name := range files {
		b, err := fs.ReadFile(assets, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range form.FindAllStringSubmatch(string(b), -1) {
			n++
			if !strings.Contains(m[1], `{{template "csrf"`) && !strings.Contains(m[1], `name="_csrf"`) {
				t.Errorf("%s: a post form without the CSRF field:\n%.200s", name, m[0])
			}
		}
	}
	if n < 10 {
		t.Errorf("found only %d post forms", n)
	}
}
