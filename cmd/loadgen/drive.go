package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"clinic/internal/caseload"
)

// The kinds of request, in the order they are reported.
var kinds = []string{"trivial", "save", "read", "caseload", "review", "report"}

const defaultMix = "save=40,read=40,trivial=10,caseload=5,review=3,report=2"

func kindNames() string { return strings.Join(kinds, ", ") }

// mix is the relative weight of each kind of request.
type mix map[string]int

func parseMix(s string) (mix, error) {
	m := mix{}
	total := 0
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not kind=weight", part)
		}
		if !contains(kinds, name) {
			return nil, fmt.Errorf("unknown kind %q (kinds: %s)", name, kindNames())
		}
		m[name] = n
		total += n
	}
	if total == 0 {
		return nil, errors.New("every weight is 0")
	}
	if m["trivial"] == 0 {
		return nil, errors.New("trivial needs a weight: it is the run's baseline")
	}
	return m, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// schedule lays out the kinds by weight (kind k weight w times), shuffled:
// each client cycles through it from a place of its own, so every kind is
// sent in the proportions asked, and a short run sends each kind with a
// weight.
func (m mix) schedule(rng *rand.Rand) []string {
	var out []string
	for _, k := range kinds {
		for range m[k] {
			out = append(out, k)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// clients are what the load acts as: one therapist per team (API token and
// a signed-in browser session) and a supervisor.
type clients struct {
	base       string
	http       *http.Client // API requests and the sign-in page: no cookies
	therapists []therapistClient
	browsers   []therapistClient // those signed in through the form
	supervisor staffClient
	contactDay string
}

type staffClient struct {
	token   string
	browser *http.Client // signed in
}

type therapistClient struct {
	staffClient
	referrals []int64
}

func newClients(ctx context.Context, base string, fx fixture, concurrency int) (*clients, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency + 1, MaxConnsPerHost: 0}
	c := &clients{
		base: base,
		http: &http.Client{Transport: tr, Timeout: time.Minute},
		// Yesterday: never in the future wherever the server's day ends.
		contactDay: time.Now().AddDate(0, 0, -1).Format(time.DateOnly),
	}
	sup, err := c.signIn(ctx, tr, fx.supervisor)
	if err != nil {
		return nil, err
	}
	c.supervisor = sup
	for _, t := range fx.therapists {
		tc := therapistClient{staffClient: staffClient{token: t.token}, referrals: t.referrals}
		if t.browser {
			if tc.staffClient, err = c.signIn(ctx, tr, t.staff); err != nil {
				return nil, err
			}
			c.browsers = append(c.browsers, tc)
		}
		c.therapists = append(c.therapists, tc)
	}
	if len(c.browsers) == 0 {
		return nil, errors.New("no therapist signed in through the browser")
	}
	return c, nil
}

// signIn signs in through the sign-in form, as a browser does.
func (c *clients) signIn(ctx context.Context, tr http.RoundTripper, s staff) (staffClient, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return staffClient{}, err
	}
	browser := &http.Client{Transport: tr, Jar: jar, Timeout: time.Minute}
	if err := expect(browser, mustRequest(ctx, http.MethodGet, c.base+"/sign-in", nil), http.StatusOK); err != nil {
		return staffClient{}, err
	}
	u, _ := url.Parse(c.base)
	var csrf string
	for _, k := range jar.Cookies(u) {
		if k.Name == "clinic_csrf" {
			csrf = k.Value
		}
	}
	form := url.Values{"email": {s.email}, "password": {caseload.SyntheticPassword}, "_csrf": {csrf}}
	req := mustRequest(ctx, http.MethodPost, c.base+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if err := expect(browser, req, http.StatusSeeOther); err != nil {
		return staffClient{}, fmt.Errorf("sign in %s: %w", s.email, err)
	}
	browser.CheckRedirect = nil
	return staffClient{token: s.token, browser: browser}, nil
}

// request makes the request of a kind, for a client numbered n.
func (c *clients) request(ctx context.Context, kind string, rng *rand.Rand) (*http.Client, *http.Request, int) {
	t := c.therapists[rng.IntN(len(c.therapists))]
	ref := t.referrals[rng.IntN(len(t.referrals))]
	switch kind {
	case "save":
		body := fmt.Sprintf(`{"date":%q,"kind":"treatment","attendance":"attended","scores":{"phq9":{"items":%s},"gad7":{"items":%s}}}`,
			c.contactDay, items(rng, 9), items(rng, 7))
		req := mustRequest(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/referrals/%d/contacts", c.base, ref), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+t.token)
		return c.http, req, http.StatusCreated
	case "read":
		req := mustRequest(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/referrals/%d", c.base, ref), nil)
		req.Header.Set("Authorization", "Bearer "+t.token)
		return c.http, req, http.StatusOK
	case "caseload":
		b := c.browsers[rng.IntN(len(c.browsers))]
		return b.browser, mustRequest(ctx, http.MethodGet, c.base+"/", nil), http.StatusOK
	case "review":
		return c.supervisor.browser, mustRequest(ctx, http.MethodGet, c.base+"/review", nil), http.StatusOK
	case "report":
		// A year's outcomes for the supervisor's team, up to the synthetic
		// service's clock.
		req := mustRequest(ctx, http.MethodGet, c.base+"/api/v1/reports/outcomes?from=2025-06-01&to=2026-05-31", nil)
		req.Header.Set("Authorization", "Bearer "+c.supervisor.token)
		return c.http, req, http.StatusOK
	}
	return c.http, mustRequest(ctx, http.MethodGet, c.base+"/sign-in", nil), http.StatusOK
}

// items are n random answers 0–3, the last 0 for PHQ-9: an item 9 answer
// above 0 opens a risk alert, which every supervisor's page then lists until
// acknowledged, and a run would otherwise open hundreds in seconds, more
// than any clinic has open.
func items(rng *rand.Rand, n int) string {
	xs := make([]string, n)
	for i := range xs {
		xs[i] = strconv.Itoa(rng.IntN(4))
	}
	if n == 9 {
		xs[8] = "0"
	}
	return "[" + strings.Join(xs, ",") + "]"
}

func mustRequest(ctx context.Context, method, u string, body io.Reader) *http.Request {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		panic(err) // only ever the server's own address
	}
	return req
}

// expect sends req and reads the whole answer, which must have status want.
func expect(c *http.Client, req *http.Request, want int) error {
	_, err := expectSize(c, req, want)
	return err
}

// expectSize is expect, answering the size of the body.
func expectSize(c *http.Client, req *http.Request, want int) (int, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != want {
		return 0, fmt.Errorf("%s %s: %d, want %d: %.200s", req.Method, req.URL.Path, resp.StatusCode, want, bytes.TrimSpace(body))
	}
	return len(body), nil
}

// results are the latencies of each kind of request, and the failures.
type results struct {
	latencies    map[string][]time.Duration
	bytes        map[string]int // the largest answer of each kind
	elapsed      time.Duration
	failed       int
	firstFailure string
	// CPU time used while driving, by the server and by this tool (its
	// clients share the machine's cores with the server): 0 when unknown.
	serverCPU, toolCPU time.Duration
	machine            string // how the machine's cores spent the time (machineShares): "" when unknown
	commits            string // the server's commits, as it logged them when stopped
}

// drive sends requests from cfg.concurrency clients until the duration or the
// request count is reached. Each kind is first sent once, untimed, so that
// a broken kind fails the run at once.
func drive(ctx context.Context, cfg config, c *clients) (results, error) {
	rng := rand.New(rand.NewPCG(1, 2)) // #nosec G404 -- load, not security
	for _, k := range kinds {
		if cfg.mix[k] > 0 {
			cl, req, want := c.request(ctx, k, rng)
			if err := expect(cl, req, want); err != nil {
				return results{}, fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	// Requests in flight at the deadline are let finish (not cancelled), so
	// that the server sees no disconnects of the tool's making.
	deadline := time.Now().Add(cfg.duration)
	schedule := cfg.mix.schedule(rng)
	var (
		mu    sync.Mutex
		res   = results{latencies: map[string][]time.Duration{}, bytes: map[string]int{}}
		sent  atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
	)
	for w := range cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+10, 3)) // #nosec G404 G115 -- load, not security
			own, err := newConn(c.base)
			if err != nil {
				panic(err) // only ever the server's own address
			}
			defer own.close()
			for i := w * 7; ctx.Err() == nil && time.Now().Before(deadline) && (cfg.requests == 0 || sent.Add(1) <= int64(cfg.requests)); i++ {
				kind := schedule[i%len(schedule)]
				cl, req, want := c.request(ctx, kind, rng)
				t0 := time.Now()
				var size int
				var err error
				if cl == c.http { // no cookies: the client's own connection (conn.go)
					size, err = own.do(req, want)
				} else {
					size, err = expectSize(cl, req, want)
				}
				d := time.Since(t0)
				mu.Lock()
				switch {
				case err == nil:
					res.latencies[kind] = append(res.latencies[kind], d)
					res.bytes[kind] = max(res.bytes[kind], size)
				default:
					if res.failed == 0 {
						res.firstFailure = fmt.Sprintf("%s: %v", kind, err)
					}
					res.failed++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}

func printResults(w io.Writer, cfg config, res results, hwm int64, hwmErr error, errorLines []string) {
	fmt.Fprintf(w, "service: %d referrals; %d clients for %v; mix %s\n", cfg.referrals, cfg.concurrency, res.elapsed.Round(time.Millisecond), formatMix(cfg.mix))
	base := res.latencies["trivial"]
	sort.Slice(base, func(i, j int) bool { return base[i] < base[j] })
	baseP99 := percentile(base, 0.99)
	fmt.Fprintf(w, "%-9s %8s %9s %9s %9s %9s %11s %9s\n", "kind", "count", "p50", "p90", "p99", "per s", "p99/trivial", "max size")
	for _, k := range kinds {
		ls := res.latencies[k]
		if len(ls) == 0 {
			continue
		}
		sort.Slice(ls, func(i, j int) bool { return ls[i] < ls[j] })
		ratio := "-"
		if baseP99 > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(percentile(ls, 0.99))/float64(baseP99))
		}
		fmt.Fprintf(w, "%-9s %8d %9s %9s %9s %9.1f %11s %8.1fK\n", k, len(ls),
			ms(percentile(ls, 0.5)), ms(percentile(ls, 0.9)), ms(percentile(ls, 0.99)),
			float64(len(ls))/res.elapsed.Seconds(), ratio, float64(res.bytes[k])/1024)
	}
	if hwmErr != nil {
		fmt.Fprintf(w, "server VmHWM: unknown (%v)\n", hwmErr)
	} else {
		fmt.Fprintf(w, "server VmHWM: %.1f MB\n", float64(hwm)/(1<<20))
	}
	if n := countAll(res.latencies); n > 0 && res.serverCPU > 0 {
		fmt.Fprintf(w, "CPU while driving: server %.3f ms per request (%.2f cores), this tool %.3f ms per request (%.2f cores)\n",
			1000*res.serverCPU.Seconds()/float64(n), res.serverCPU.Seconds()/res.elapsed.Seconds(),
			1000*res.toolCPU.Seconds()/float64(n), res.toolCPU.Seconds()/res.elapsed.Seconds())
	}
	if res.machine != "" {
		fmt.Fprintf(w, "machine while driving: %s\n", res.machine)
	}
	if res.commits != "" {
		fmt.Fprintf(w, "server: %s (while serving)\n", res.commits)
	}
	fmt.Fprintf(w, "failed requests: %d; server ERROR log lines: %d\n", res.failed, len(errorLines))
	for i, l := range errorLines {
		if i == 3 {
			break
		}
		fmt.Fprintf(w, "  %.300s\n", l)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func formatMix(m mix) string {
	var parts []string
	for _, k := range kinds {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
		}
	}
	return strings.Join(parts, ",")
}

func countAll(m map[string][]time.Duration) int {
	n := 0
	for _, ls := range m {
		n += len(ls)
	}
	return n
}
