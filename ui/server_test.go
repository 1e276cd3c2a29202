package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"clinic"
	"clinic/internal/caseload"
)

// testNow is the clock of every test: a Monday morning in March.
var testNow = time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC)

func testClock() time.Time { return testNow }

const testPassword = "correct horse battery staple"

// testEnv is a real server on a real store in a temporary SQLite file, with
// a small service: two therapists in team North (one supervised by sup),
// one in team South, and an admin.
type testEnv struct {
	t      *testing.T
	store  *caseload.Store
	server *Server
	http   *httptest.Server
	path   string // the database file

	therapist, colleague, south, supervisor, admin caseload.User
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnvClock(t, testClock)
}

// newTestEnvClock builds the test service on the given clock.
func newTestEnvClock(t *testing.T, clock func() time.Time) *testEnv {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clinic.db")
	store, err := caseload.Open(path, clinic.Schema, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, store: store, server: srv, path: path}
	e.http = httptest.NewServer(srv.Handler())
	t.Cleanup(e.http.Close)
	e.therapist = e.user("tara@example.nhs.uk", "Tara Therapist", caseload.RoleTherapist, "North")
	e.colleague = e.user("colin@example.nhs.uk", "Colin Colleague", caseload.RoleTherapist, "North")
	e.south = e.user("sam@example.nhs.uk", "Sam South", caseload.RoleTherapist, "South")
	e.supervisor = e.user("sue@example.nhs.uk", "Sue Supervisor", caseload.RoleSupervisor, "North")
	e.admin = e.user("ada@example.nhs.uk", "Ada Admin", caseload.RoleAdmin, "")
	return e
}

func (e *testEnv) user(email, name string, role caseload.Role, team string) caseload.User {
	e.t.Helper()
	u, err := e.store.CreateUser(context.Background(), caseload.NewUser{Email: email, Name: name, Role: role, Team: team, Password: testPassword})
	if err != nil {
		e.t.Fatalf("create user %s: %v", email, err)
	}
	// Read back, so that Teams and TeamID are filled as sign-in sees them.
	u, err = e.store.User(context.Background(), u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *testEnv) token(u caseload.User) string {
	e.t.Helper()
	tok, _, err := e.store.CreateToken(context.Background(), u.Email, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// referral makes a patient and a referral on u's caseload through the store.
func (e *testEnv) referral(u caseload.User, name, descriptor string) caseload.Referral {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.store.CreatePatient(ctx, u, caseload.NewPatient{Name: name, DateOfBirth: "1980-05-01"})
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := e.store.CreateReferral(ctx, u, caseload.NewReferral{PatientID: p.ID, TherapistID: u.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: descriptor, Intensity: "low"})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// ints makes answers for ScoreInput.Items.
func ints(vs ...int) []*int {
	out := make([]*int, len(vs))
	for i := range vs {
		v := vs[i]
		out[i] = &v
	}
	return out
}

// browser is a user agent with its own cookies that does not follow
// redirects, so tests see them.
type browser struct {
	e  *testEnv
	hc *http.Client
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.e.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(body), Header: resp.Header}
}

func (b *browser) get(path string) page {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.http.URL+path, nil)
	return b.do(req)
}

// csrf is the token the browser would send: the one in its CSRF cookie,
// fetched with a GET first if it has none.
func (b *browser) csrf() string {
	u, _ := url.Parse(b.e.http.URL)
	for i := 0; i < 2; i++ {
		for _, c := range b.hc.Jar.Cookies(u) {
			if c.Name == "clinic_csrf" {
				return c.Value
			}
		}
		b.get("/sign-in")
	}
	b.e.t.Fatal("no CSRF cookie")
	return ""
}

// post sends a form with the CSRF token, as a page of clinic would.
func (b *browser) post(path string, form url.Values) page {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.csrf())
	return b.postRaw(path, form)
}

func (b *browser) postRaw(path string, form url.Values) page {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signedIn returns a browser signed in as u.
func (e *testEnv) signedIn(u caseload.User) *browser {
	e.t.Helper()
	b := e.browser()
	p := b.post("/sign-in", url.Values{"email": {u.Email}, "password": {testPassword}})
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		e.t.Fatalf("sign in as %s: %d %s", u.Email, p.Status, p.Location)
	}
	return b
}

// api calls the JSON API with a Bearer token (none when token is "").
func (e *testEnv) api(method, path, token, body string) (int, map[string]any, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.http.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, string(raw)
}

// chartOptions reads the chart option JSON blocks of a page, by chart id.
func chartOptions(t *testing.T, body string) map[string]map[string]any {
	t.Helper()
	re := regexp.MustCompile(`(?s)<script type="application/json" data-chart="([^"]+)">(.*?)</script>`)
	out := map[string]map[string]any{}
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		var opt map[string]any
		if err := json.Unmarshal([]byte(m[2]), &opt); err != nil {
			t.Fatalf("chart %s: bad JSON: %v\n%s", m[1], err, m[2])
		}
		out[m[1]] = opt
	}
	return out
}

// chartFacts pulls out what a chart shows: its points, its threshold line
// and its shaded band.
type chartFacts struct {
	XType     string   // "time": points placed by date
	Dates     []string // each point's date on the time axis
	Points    []float64
	Threshold float64
	BandFrom  float64
	BandTo    float64
	YMin      float64
	YMax      float64
}

func readChart(t *testing.T, opt map[string]any) chartFacts {
	t.Helper()
	var f chartFacts
	series := opt["series"].([]any)[0].(map[string]any)
	for _, d := range series["data"].([]any) {
		pair := d.(map[string]any)["value"].([]any)
		f.Dates = append(f.Dates, pair[0].(string))
		f.Points = append(f.Points, pair[1].(float64))
	}
	f.XType, _ = opt["xAxis"].([]any)[0].(map[string]any)["type"].(string)
	if ml, ok := series["markLine"].(map[string]any); ok {
		f.Threshold = ml["data"].([]any)[0].(map[string]any)["yAxis"].(float64)
	}
	if ma, ok := series["markArea"].(map[string]any); ok {
		pair := ma["data"].([]any)[0].([]any)
		f.BandFrom = pair[0].(map[string]any)["yAxis"].(float64)
		f.BandTo = pair[1].(map[string]any)["yAxis"].(float64)
	}
	y := opt["yAxis"].([]any)[0].(map[string]any)
	f.YMin, _ = y["min"].(float64)
	f.YMax, _ = y["max"].(float64)
	return f
}
