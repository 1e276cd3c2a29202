package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"clinic"
	"clinic/internal/caseload"
)

// The national scenario (--national): the one-off requests issue 17 sets
// targets for on a national year, each timed on its own rather than under
// load, on freshly started servers: the weekly review page from a cold
// start, a year's whole-service outcome report through the API (cold, then
// warm), the same report as a page and as the administrator's CSV, and the
// trivial page beside them; then the server's peak memory (VmHWM) after all
// of them. It runs --rounds times, each on a new server; with
// --drop-caches (root only) the operating system's page cache is dropped
// before each start, for a true cold start.

// nationalYear is the year reported on: the twelve months up to the
// synthetic service's clock.
const nationalFrom, nationalTo = "2025-06-01", "2026-05-31"

type step struct {
	name   string
	who    string // "admin", "supervisor", "anon"
	path   string
	api    bool // with the API token rather than the browser session
	repeat int
}

// nationalSteps are the requests of a round, in order: the first of each is
// its cold figure.
var nationalSteps = []step{
	{"trivial", "anon", "/sign-in", false, 1},
	{"review page (cold start)", "supervisor", "/review", false, 1},
	{"report API, whole service (cold)", "admin", "/api/v1/reports/outcomes?from=" + nationalFrom + "&to=" + nationalTo, true, 1},
	{"report API, whole service (warm)", "admin", "/api/v1/reports/outcomes?from=" + nationalFrom + "&to=" + nationalTo, true, 3},
	{"review page (warm)", "supervisor", "/review", false, 3},
	{"report page, whole service", "admin", "/reports/outcomes?period=custom&from=" + nationalFrom + "&to=" + nationalTo, false, 2},
	{"report CSV, whole service (admin)", "admin", "/reports/outcomes.csv?from=" + nationalFrom + "&to=" + nationalTo, false, 1},
	{"report CSV, supervisor's team", "supervisor", "/reports/outcomes.csv?from=" + nationalFrom + "&to=" + nationalTo, false, 1},
	{"trivial", "anon", "/sign-in", false, 5},
}

// nationalStepsOnly is nationalSteps limited to those whose names start
// with one of only's comma-separated words, and the trivial page (the
// baseline of every run); all of them when only is empty.
func nationalStepsOnly(only string) ([]step, error) {
	if strings.TrimSpace(only) == "" {
		return nationalSteps, nil
	}
	var out []step
	used := map[string]bool{}
	for _, st := range nationalSteps {
		keep := st.name == "trivial"
		for w := range strings.SplitSeq(only, ",") {
			if w = strings.TrimSpace(w); w != "" && strings.HasPrefix(st.name, w) {
				keep, used[w] = true, true
			}
		}
		if keep {
			out = append(out, st)
		}
	}
	for w := range strings.SplitSeq(only, ",") {
		if w = strings.TrimSpace(w); w != "" && !used[w] {
			return nil, fmt.Errorf("no step's name starts with %q", w)
		}
	}
	return out, nil
}

// runNational runs the national scenario on a copy of the cached synthetic
// service of cfg.referrals.
func runNational(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	src, err := syntheticDB(syntheticConfig(cfg.referrals))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "clinic-loadgen-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(stderr, "run folder:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	db := filepath.Join(dir, "clinic.db")
	start := time.Now()
	if err := copyFile(src, db); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "copied %s in %v\n", src, time.Since(start).Round(time.Second))
	admin, supervisor, err := nationalStaff(ctx, db, syntheticConfig(cfg.referrals))
	if err != nil {
		return err
	}
	for round := 1; round <= cfg.rounds; round++ {
		if err := nationalRound(ctx, cfg, round, dir, db, admin, supervisor, stdout); err != nil {
			return err
		}
	}
	return nil
}

// nationalStaff adds an administrator (who reports on the whole service)
// to the copy, and gives them and a supervisor API tokens.
func nationalStaff(ctx context.Context, db string, cfg caseload.SyntheticConfig) (admin, supervisor staff, err error) {
	store, err := caseload.Open(db, clinic.Schema, time.Now)
	if err != nil {
		return admin, supervisor, err
	}
	defer store.Close()
	admin.email = "admin@synthetic.example"
	if _, err := store.CreateUser(ctx, caseload.NewUser{Email: admin.email, Name: "Synthetic Admin", Role: caseload.RoleAdmin, Password: caseload.SyntheticPassword}); err != nil {
		return admin, supervisor, err
	}
	supervisor.email = fmt.Sprintf("supervisor-%d-1@synthetic.example", cfg.Seed)
	for _, s := range []*staff{&admin, &supervisor} {
		if s.token, _, err = store.CreateToken(ctx, s.email, "loadgen"); err != nil {
			return admin, supervisor, err
		}
	}
	return admin, supervisor, nil
}

// nationalRound starts a fresh server (after dropping the page cache, when
// asked) and times each step's requests.
func nationalRound(ctx context.Context, cfg config, round int, dir, db string, admin, supervisor staff, stdout io.Writer) error {
	cache := "page cache kept"
	if cfg.dropCaches {
		if err := dropPageCache(); err != nil {
			return err
		}
		cache = "page cache dropped"
	}
	srv, err := startServer(ctx, dir, db)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer srv.stop()
	c := &clients{base: srv.base, http: &http.Client{Timeout: 5 * time.Minute}}
	tr := &http.Transport{}
	browsers := map[string]staffClient{"anon": {browser: &http.Client{Transport: tr, Timeout: 5 * time.Minute}}}
	for who, s := range map[string]staff{"admin": admin, "supervisor": supervisor} {
		sc, err := c.signIn(ctx, tr, s)
		if err != nil {
			return err
		}
		sc.browser.Timeout = 5 * time.Minute
		browsers[who] = sc
	}
	fmt.Fprintf(stdout, "\nround %d (%s; server started afresh)\n\n", round, cache)
	fmt.Fprintln(stdout, "| request | time | size |")
	fmt.Fprintln(stdout, "|---|---|---|")
	for _, st := range cfg.steps {
		for range st.repeat {
			cl := browsers[st.who]
			req := mustRequest(ctx, http.MethodGet, srv.base+st.path, nil)
			client := cl.browser
			if st.api {
				req.Header.Set("Authorization", "Bearer "+cl.token)
				client = c.http
			}
			start := time.Now()
			size, err := fetchSize(client, req)
			took := time.Since(start)
			if err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			fmt.Fprintf(stdout, "| %s | %s | %s |\n", st.name, fmtDuration(took), fmtSize(size))
		}
	}
	hwm, err := srv.vmHWM()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nserver VmHWM after them all: %.0f MB; ERROR lines: %d\n", float64(hwm)/(1<<20), len(srv.errorLines()))
	return nil
}

// fetchSize sends req, which must answer 200, and counts the answer's bytes
// without holding them.
func fetchSize(c *http.Client, req *http.Request) (int64, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return 0, fmt.Errorf("%s: %d: %s", req.URL.Path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return io.Copy(io.Discard, resp.Body)
}

// dropPageCache writes the page cache out and drops it, so that the next
// server reads its database from the disk (Linux, root only).
func dropPageCache() error {
	if os.Geteuid() != 0 {
		return errors.New("--drop-caches needs root")
	}
	f, err := os.OpenFile("/proc/sys/vm/drop_caches", os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syncDisks(); err != nil {
		return err
	}
	_, err = f.WriteString("3\n")
	return err
}

func fmtDuration(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

func fmtSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
}
