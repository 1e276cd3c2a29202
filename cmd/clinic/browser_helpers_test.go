package main

// The harness for the browser journeys: the real server started through run()
// on a temporary database, headless Debian Chromium driven by chromedp, and
// axe-core injected into every page a journey visits.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// app is a clinic server started for a test.
type app struct {
	URL      string
	DB       string
	Accounts map[string]demoAccount // by role; the first of each role printed
	All      []demoAccount
}

type demoAccount struct{ Role, Email, Password string }

var (
	runningLine = regexp.MustCompile(`running at (https?://\S+?)/? `)
	accountLine = regexp.MustCompile(`^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)`)
)

// startApp runs clinic --demo on a new database and returns once it listens.
// The server stops when the test ends.
func startApp(t *testing.T, extra ...string) *app {
	t.Helper()
	dir := t.TempDir()
	a := &app{DB: filepath.Join(dir, "clinic.db"), Accounts: map[string]demoAccount{}}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"--addr", "127.0.0.1:0", "--db", a.DB}, extra...)
	go func() {
		err := run(ctx, args, strings.NewReader(""), pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("server did not shut down within 20 s")
		}
	})

	ready := make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			if m := accountLine.FindStringSubmatch(line); m != nil {
				acc := demoAccount{Role: m[1], Email: m[2], Password: m[3]}
				a.All = append(a.All, acc)
				if _, ok := a.Accounts[acc.Role]; !ok {
					a.Accounts[acc.Role] = acc
				}
			}
			if m := runningLine.FindStringSubmatch(line); m != nil {
				a.URL = strings.TrimSuffix(m[1], "/")
				once.Do(func() { close(ready) })
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("clinic exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("clinic did not start listening within 60 s")
	}
	return a
}

// chromiumPath finds Debian's Chromium, or says how to get it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CLINIC_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if browserSkipAllowed() {
		t.Skip("CLINIC_SKIP_BROWSER=1: browser journeys skipped (Chromium not found); " +
			"`sudo apt-get install chromium && ./test` runs them")
	}
	t.Fatal("browser tests need Chromium and none was found: run ./test as root (it installs " +
		"Debian's chromium), or `apt-get install chromium`, or point CLINIC_CHROMIUM at a " +
		"Chrome/Chromium binary")
	return ""
}

// browserSkipAllowed says whether a missing Chromium may skip the journeys:
// only when CLINIC_SKIP_BROWSER=1 (set by ./test when it cannot install
// Chromium), and never in CI (CI=true) or with CLINIC_BROWSER=required.
func browserSkipAllowed() bool {
	return os.Getenv("CLINIC_SKIP_BROWSER") == "1" &&
		os.Getenv("CI") == "" &&
		os.Getenv("CLINIC_BROWSER") != "required"
}

// newBrowser starts headless Chromium with the flags that work offline on
// these machines (shared/reference/stack.md) and returns a tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	watchNetwork(t, ctx)
	return ctx
}

// watchNetwork fails the test if a page asks for anything that is not on
// this machine: clinic must work with no network, every script, style sheet,
// font and image served from the binary.
func watchNetwork(t *testing.T, ctx context.Context) {
	t.Helper()
	var (
		mu      sync.Mutex
		offsite []string
		local   int // requests seen to clinic itself: proof the watch works
	)
	err := chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || e.Request == nil {
			return
		}
		u, err := url.Parse(e.Request.URL)
		if err != nil {
			return
		}
		switch {
		case u.Scheme == "data" || u.Scheme == "blob" || u.Scheme == "about":
			return
		case u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1":
			mu.Lock()
			local++
			mu.Unlock()
			return
		}
		mu.Lock()
		offsite = append(offsite, e.Request.URL)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("watch the network: %v", err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, u := range offsite {
			t.Errorf("a page asked the network for %s: everything must be served by clinic itself", u)
		}
		if local == 0 && !t.Failed() {
			t.Error("the network watch saw no request at all, so it proved nothing")
		}
	})
}

// do runs browser actions, failing the test with the step's name.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		shot(t, ctx, "failed-"+step)
		t.Fatalf("%s: %v", step, err)
	}
}

// eval evaluates a JavaScript expression, awaiting it when it is a promise,
// and decodes its JSON-serialisable result.
func eval[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core (vendored under ui/testdata/axe) on the
// current page and fails on any serious or critical violation.
func checkAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(filepath.Join("..", "..", "ui", "testdata", "axe", "axe.min.js"))
		axeSource = string(b)
	})
	if axeErr != nil {
		t.Fatalf("read axe-core: %v", axeErr)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	violations, err := eval[[]axeViolation](ctx, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']}, resultTypes: ['violations']}).then(r => r.violations)`)
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	for _, v := range violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...)+" "+trim(n.HTML, 120))
		}
		t.Errorf("%s: accessibility (%s) %s: %s\n    %s", page, v.Impact, v.ID, v.Help, strings.Join(where, "\n    "))
	}
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

var (
	shotDirOnce sync.Once
	shotDir     string
)

// shot saves a full-page screenshot. They go to CLINIC_SCREENSHOTS when set
// (to refresh docs/screenshots), otherwise to a temporary folder named in the
// test log.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shotDirOnce.Do(func() {
		shotDir = os.Getenv("CLINIC_SCREENSHOTS")
		if shotDir == "" {
			shotDir, _ = os.MkdirTemp("", "clinic-screenshots-")
		}
		_ = os.MkdirAll(shotDir, 0o755)
	})
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(shotDir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Logf("save screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", path)
}

// chartState is what a rendered chart reports about itself, read back from
// the ECharts instance in the page.
type chartState struct {
	ID         string    `json:"id"`
	Points     int       `json:"points"`
	Thresholds []float64 `json:"thresholds"`
	Drawn      bool      `json:"drawn"` // an SVG (or canvas) in the container
}

// readCharts asks every chart container on the page what ECharts drew.
func readCharts(ctx context.Context) ([]chartState, error) {
	return eval[[]chartState](ctx, `Array.from(document.querySelectorAll('script[type="application/json"][data-chart]')).map(b => document.getElementById(b.dataset.chart)).filter(Boolean).map(el => {
		const inst = window.echarts && echarts.getInstanceByDom(el);
		if (!inst) return {id: el.id, points: 0, thresholds: [], drawn: false};
		const opt = inst.getOption();
		const s = (opt.series || [])[0] || {};
		const pts = (s.data || []).filter(d => d !== null && d !== undefined && (Array.isArray(d) ? d[1] !== null : (typeof d === 'object' ? d.value !== null : true))).length;
		const th = [];
		(opt.series || []).forEach(se => ((se.markLine || {}).data || []).forEach(d => { if (d && d.yAxis !== undefined) th.push(Number(d.yAxis)); }));
		return {id: el.id, points: pts, thresholds: th, drawn: !!el.querySelector('svg, canvas')};
	})`)
}

// mustJSON is for test logs.
func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// labelBox is a chart's text element as laid out on the page.
type labelBox struct {
	Chart, Text              string
	Left, Top, Right, Bottom float64
}

// chartLabels lists every piece of text the page's charts drew (axis
// labels, the line's and band's labels, the legend), as SVG <text>
// elements with their boxes; hidden ones are left out.
func chartLabels(ctx context.Context) ([]labelBox, error) {
	return eval[[]labelBox](ctx, `Array.from(document.querySelectorAll('.app-chart svg text')).filter(t => {
		const r = t.getBoundingClientRect(), cs = getComputedStyle(t);
		return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden' && Number(t.getAttribute('opacity') ?? 1) > 0 && t.textContent.trim() !== '';
	}).map(t => { const r = t.getBoundingClientRect(); return {chart: t.closest('.app-chart').id, text: t.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })`)
}

// checkLabelsApart fails when two labels of the same chart overlap, or a
// label runs outside its chart, as laid out at the current viewport.
func checkLabelsApart(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	labels, err := chartLabels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) == 0 {
		t.Errorf("%s: the charts drew no text to check", page)
		return
	}
	t.Logf("%s: %d chart labels checked", page, len(labels))
	const slack = 0.5 // sub-pixel rounding of adjacent boxes
	for i, a := range labels {
		for _, b := range labels[i+1:] {
			if a.Chart != b.Chart {
				continue
			}
			if a.Left < b.Right-slack && b.Left < a.Right-slack && a.Top < b.Bottom-slack && b.Top < a.Bottom-slack {
				t.Errorf("%s: on %s, label %q (%.0f–%.0f, %.0f–%.0f) overlaps %q (%.0f–%.0f, %.0f–%.0f)", page, a.Chart,
					a.Text, a.Left, a.Right, a.Top, a.Bottom, b.Text, b.Left, b.Right, b.Top, b.Bottom)
			}
		}
	}
	boxes, err := eval[map[string][4]float64](ctx, `Object.fromEntries(Array.from(document.querySelectorAll('.app-chart')).map(el => { const r = el.getBoundingClientRect(); return [el.id, [r.left, r.top, r.right, r.bottom]]; }))`)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		if b, ok := boxes[l.Chart]; ok && (l.Left < b[0]-slack || l.Right > b[2]+slack) {
			t.Errorf("%s: on %s, label %q (%.0f–%.0f) runs outside the chart (%.0f–%.0f)", page, l.Chart, l.Text, l.Left, l.Right, b[0], b[2])
		}
	}
}
