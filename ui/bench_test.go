package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The benchmark service is internal/caseload's fixture (caseload.BenchmarkDB):
// one cached database file shared by both packages' benchmarks.
var (
	benchConfig = caseload.BenchmarkService
	benchNow    = caseload.BenchmarkNow
	benchClock  = caseload.BenchmarkClock
)

// syntheticPassword is LoadSynthetic's password for every synthetic user.
const syntheticPassword = caseload.SyntheticPassword

// benchDB is the shared benchmark database.
func benchDB(b *testing.B) string {
	b.Helper()
	path, err := caseload.BenchmarkDB(clinic.Schema)
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// benchDBCopy is a copy of it for a benchmark that writes.
func benchDBCopy(b *testing.B) string {
	b.Helper()
	path, err := caseload.BenchmarkDBCopy(clinic.Schema, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// benchEnv is the real server on the benchmark database, with signed-in
// sessions for a few therapists and their open referrals.
type benchEnv struct {
	handler   http.Handler
	sessions  []benchSession
	referrals []int64 // open referrals, each with the index of its therapist's session
	owner     []int
}

type benchSession struct {
	cookies string // Cookie header: session and CSRF cookies
	csrf    string
}

func newBenchEnv(b *testing.B, path string) *benchEnv {
	b.Helper()
	store, err := caseload.Open(path, clinic.Schema, benchClock)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	srv, err := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	env := &benchEnv{handler: srv.Handler()}
	ctx := context.Background()
	for team := 1; team <= 3; team++ {
		email := fmt.Sprintf("therapist-%d-%d-1@synthetic.example", benchConfig.Seed, team)
		u, err := store.Authenticate(ctx, email, syntheticPassword)
		if err != nil {
			b.Fatalf("synthetic therapist %s: %v", email, err)
		}
		env.sessions = append(env.sessions, env.signIn(b, email))
		rows, err := store.Caseload(ctx, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows {
			env.referrals = append(env.referrals, r.Referral.ID)
			env.owner = append(env.owner, len(env.sessions)-1)
		}
	}
	if len(env.referrals) == 0 {
		b.Fatal("no open referrals on the benchmark therapists' caseloads")
	}
	// As the server does at start-up (cmd/clinic), so that the timings are of
	// requests, not of building the expected-response curves once.
	if _, err := store.Expectation(ctx); err != nil {
		b.Fatal(err)
	}
	return env
}

func (env *benchEnv) signIn(b *testing.B, email string) benchSession {
	b.Helper()
	// A GET first, for the CSRF cookie.
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sign-in", nil))
	var csrf string
	for _, c := range rec.Result().Cookies() {
		if c.Name == "clinic_csrf" {
			csrf = c.Value
		}
	}
	form := url.Values{"email": {email}, "password": {syntheticPassword}, "_csrf": {csrf}}
	req := httptest.NewRequest(http.MethodPost, "/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "clinic_csrf="+csrf)
	rec = httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("sign in %s: %d", email, rec.Code)
	}
	cookies := []string{"clinic_csrf=" + csrf}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionName {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
	}
	return benchSession{cookies: strings.Join(cookies, "; "), csrf: csrf}
}

func (env *benchEnv) get(b *testing.B, path string, s benchSession) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Cookie", s.cookies)
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
}

func BenchmarkCaseloadPage(b *testing.B) {
	env := newBenchEnv(b, benchDB(b))
	i := 0
	for b.Loop() {
		env.get(b, "/?sort=phq9&dir=desc", env.sessions[i%len(env.sessions)])
		i++
	}
	b.ReportMetric(float64(len(env.referrals))/float64(len(env.sessions)), "rows/page")
}

func BenchmarkReferralPage(b *testing.B) {
	env := newBenchEnv(b, benchDB(b))
	i := 0
	for b.Loop() {
		k := i % len(env.referrals)
		env.get(b, referralPath(env.referrals[k]), env.sessions[env.owner[k]])
		i++
	}
}

// BenchmarkRecordSession posts the record-a-session form (PHQ-9, GAD-7 and a
// WSAS) through the real handler, on a copy of the benchmark database so
// that the cached one is not changed.
func BenchmarkRecordSession(b *testing.B) {
	path := benchDBCopy(b)
	env := newBenchEnv(b, path)
	date := benchNow.Format(dateLayout)
	i := 0
	for b.Loop() {
		k := i % len(env.referrals)
		s := env.sessions[env.owner[k]]
		form := sessionForm(date, split("211101100"), split("1101100"), "", "")
		for n := 1; n <= 5; n++ {
			form.Set(itemField(measures.WSAS, n), "3")
		}
		form.Set("submission_id", "bench-"+strconv.Itoa(i))
		form.Set("_csrf", s.csrf)
		req := httptest.NewRequest(http.MethodPost, referralPath(env.referrals[k])+"/contacts/new", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", s.cookies)
		rec := httptest.NewRecorder()
		env.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("record session: %d\n%s", rec.Code, errorSummaryOf(rec.Body.String()))
		}
		i++
	}
}

// apiBench is the real server on the benchmark database with an API token
// for each synthetic therapist and their open referrals, as cmd/loadgen
// drives it: requests go round the whole service's caseloads, so a run of
// saves adds a session or a few to each of thousands of referrals, not
// dozens to one therapist's (whose growing histories would make every later
// save dearer than a clinic's).
type apiBench struct {
	handler http.Handler
	calls   []apiCall
}

// apiCall is a referral and the token of the therapist whose caseload it is on.
type apiCall struct {
	token    string
	referral int64
}

func newAPIBench(b *testing.B, path string) *apiBench {
	b.Helper()
	store, err := caseload.Open(path, clinic.Schema, benchClock)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	srv, err := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	env := &apiBench{handler: srv.Handler()}
	var caseloads [][]apiCall
	for team := 1; team <= benchConfig.Teams; team++ {
		for n := 1; n <= benchConfig.TherapistsPerTeam; n++ {
			email := fmt.Sprintf("therapist-%d-%d-%d@synthetic.example", benchConfig.Seed, team, n)
			token, t, err := store.CreateToken(ctx, email, "bench")
			if err != nil {
				b.Fatal(err)
			}
			rows, err := store.Caseload(ctx, t.UserID)
			if err != nil {
				b.Fatal(err)
			}
			var calls []apiCall
			for _, r := range rows {
				calls = append(calls, apiCall{token: token, referral: r.Referral.ID})
			}
			caseloads = append(caseloads, calls)
		}
	}
	// One referral of each therapist in turn, round the caseloads.
	for i := 0; ; i++ {
		added := false
		for _, calls := range caseloads {
			if i < len(calls) {
				env.calls, added = append(env.calls, calls[i]), true
			}
		}
		if !added {
			break
		}
	}
	if len(env.calls) < 1000 {
		b.Fatalf("%d open referrals on the therapists' caseloads", len(env.calls))
	}
	return env
}

func (env *apiBench) do(b *testing.B, method, path, token, body string, want int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d\n%s", method, path, rec.Code, rec.Body.String())
	}
}

// BenchmarkAPIReferral is cmd/loadgen's "read": GET /api/v1/referrals/:id
// with a Bearer token (an audited view, durable before the answer).
func BenchmarkAPIReferral(b *testing.B) {
	env := newAPIBench(b, benchDBCopy(b))
	cpu := processCPU(b)
	i := 0
	for b.Loop() {
		c := env.calls[i%len(env.calls)]
		env.do(b, http.MethodGet, fmt.Sprintf("/api/v1/referrals/%d", c.referral), c.token, "", http.StatusOK)
		i++
	}
	reportCPU(b, cpu, i)
}

// BenchmarkAPIReferralAgain is the same read of referrals read before: a
// hundred of them in turn, each answered (after the first round) from the
// answer kept since nothing was written (api_referral_cache.go), as a
// service's reads mostly are between saves. BenchmarkAPIReferral, going
// round all the service's open referrals once per few thousand reads,
// measures mostly first reads.
func BenchmarkAPIReferralAgain(b *testing.B) {
	env := newAPIBench(b, benchDBCopy(b))
	calls := env.calls[:100]
	for _, c := range calls {
		env.do(b, http.MethodGet, fmt.Sprintf("/api/v1/referrals/%d", c.referral), c.token, "", http.StatusOK)
	}
	cpu := processCPU(b)
	i := 0
	for b.Loop() {
		c := calls[i%len(calls)]
		env.do(b, http.MethodGet, fmt.Sprintf("/api/v1/referrals/%d", c.referral), c.token, "", http.StatusOK)
		i++
	}
	reportCPU(b, cpu, i)
}

// BenchmarkAPIRecordContact is cmd/loadgen's "save": a PHQ-9 and GAD-7
// session posted to /api/v1/referrals/:id/contacts.
func BenchmarkAPIRecordContact(b *testing.B) {
	env := newAPIBench(b, benchDBCopy(b))
	body := fmt.Sprintf(`{"date":%q,"kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,2,1,1,2,1,1,2,0]},"gad7":{"items":[2,1,1,2,1,1,2]}}}`,
		benchNow.Format(dateLayout))
	cpu := processCPU(b)
	i := 0
	for b.Loop() {
		c := env.calls[i%len(env.calls)]
		env.do(b, http.MethodPost, fmt.Sprintf("/api/v1/referrals/%d/contacts", c.referral), c.token, body, http.StatusCreated)
		i++
	}
	reportCPU(b, cpu, i)
}

// BenchmarkAPIRecordContactParallel is BenchmarkAPIRecordContact from 16
// clients at once, as cmd/loadgen drives it: concurrent saves share
// commits, and what limits them is the work each does on the one committer
// (ns/op is the wall time per save of the whole run, 1/throughput).
func BenchmarkAPIRecordContactParallel(b *testing.B) {
	env := newAPIBench(b, benchDBCopy(b))
	body := fmt.Sprintf(`{"date":%q,"kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,2,1,1,2,1,1,2,0]},"gad7":{"items":[2,1,1,2,1,1,2]}}}`,
		benchNow.Format(dateLayout))
	var next atomic.Int64
	cpu := processCPU(b)
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := env.calls[int(next.Add(1))%len(env.calls)]
			req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/referrals/%d/contacts", c.referral), strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			env.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Errorf("save: %d\n%s", rec.Code, rec.Body.String())
				return
			}
		}
	})
	reportCPU(b, cpu, b.N)
}

// BenchmarkAPITrivial is the baseline beside them: the sign-in page, as
// cmd/loadgen's "trivial".
func BenchmarkAPITrivial(b *testing.B) {
	env := newAPIBench(b, benchDBCopy(b))
	cpu, i := processCPU(b), 0
	for b.Loop() {
		env.do(b, http.MethodGet, "/sign-in", env.calls[0].token, "", http.StatusOK)
		i++
	}
	reportCPU(b, cpu, i)
}

// processCPU is the CPU time this process has used, user and system, on
// every thread (SQLite's work included): the benchmarks report it per
// operation as cpu-µs/op, the server CPU a request costs, which on a
// shared machine varies less than the wall time (issue 17).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process CPU used since start over n operations.
func reportCPU(b *testing.B, start time.Duration, n int) {
	if n > 0 {
		b.ReportMetric(float64(processCPU(b)-start)/float64(n)/1e3, "cpu-µs/op")
	}
}
