package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var pdfPage = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

// printPDF prints the current page as the browser's print dialog would
// (A4 from the page's own @page rule), checks every printed page's text
// (read back with poppler's pdftotext) for the words each page must carry,
// and returns its number of pages.
func printPDF(t *testing.T, ctx context.Context, everyPage ...string) int {
	t.Helper()
	yes := true
	buf, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes})
		return res.Data, err
	})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	n := len(pdfPage.FindAll(buf, -1))
	pages := pdfPageTexts(t, buf)
	if len(pages) != n {
		t.Errorf("pdftotext read %d pages, the PDF has %d", len(pages), n)
	}
	for i, text := range pages {
		want := append([]string{fmt.Sprintf("Page %d of %d", i+1, len(pages))}, everyPage...)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("printed page %d of %d lacks %q:\n%s", i+1, len(pages), w, trim(text, 600))
			}
		}
	}
	return n
}

// pdfPageTexts reads a PDF's text back page by page with pdftotext
// (Debian's poppler-utils, installed by ./test beside Chromium).
func pdfPageTexts(t *testing.T, pdf []byte) []string {
	t.Helper()
	exe, err := exec.LookPath("pdftotext")
	if err != nil {
		if browserSkipAllowed() {
			t.Skip("pdftotext not found: `sudo apt-get install poppler-utils` reads printed pages back")
		}
		t.Fatal("reading printed pages needs pdftotext: run ./test as root (it installs Debian's poppler-utils) or `apt-get install poppler-utils`")
	}
	file := filepath.Join(t.TempDir(), "printed.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(exe, "-layout", file, "-").Output() // #nosec G204 -- a test runs poppler's pdftotext on its own temporary file
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1] // pdftotext ends every page with a form feed
	}
	return pages
}

// checkPrintView looks at the page as printed: the header naming the
// patient and the day printed is shown, and no button, form or link
// address is.
func checkPrintView(t *testing.T, j *journey, patient string) {
	t.Helper()
	do(t, j.ctx, "emulate print", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	defer do(t, j.ctx, "stop emulating print", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		return err
	}))
	got, err := eval[map[string]any](j.ctx, `(() => {
		const header = document.getElementById('print-header');
		const shown = el => getComputedStyle(el).display !== 'none' && !!el.closest('body') &&
			Array.from(function* () { for (let e = el; e; e = e.parentElement) yield e; }()).every(e => getComputedStyle(e).display !== 'none');
		const links = Array.from(document.querySelectorAll('main a[href]')).filter(shown);
		return {
			header: header && shown(header) ? header.textContent : '',
			headerRepeats: header ? getComputedStyle(header.closest('thead')).display : '',
			buttons: Array.from(document.querySelectorAll('.nhsuk-button, form, .nhsuk-header')).filter(shown).length,
			linkText: links.map(a => getComputedStyle(a, '::after').content).filter(c => c && c !== 'none' && c !== 'normal').length,
		};
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := got["header"].(string)
	if !strings.Contains(header, patient) || !strings.Contains(header, "printed ") {
		t.Errorf("printed header %q, want the patient's name and the day printed", header)
	}
	if got["headerRepeats"] != "table-header-group" {
		t.Errorf("the header is not a repeating table header in print (display %v)", got["headerRepeats"])
	}
	if n, _ := got["buttons"].(float64); n != 0 {
		t.Errorf("%v buttons, forms or headers shown in print", n)
	}
	if n, _ := got["linkText"].(float64); n != 0 {
		t.Errorf("%v links print their address after them", n)
	}
}

// TestPrintReferralAndLetter (issue 16): a referral with three sessions and
// its progress letter print with a header on every sheet, no buttons or
// link addresses, in few pages; the patient's progress page likewise.
func TestPrintReferralAndLetter(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journeys")
	}
	chromiumPath(t)
	a := startApp(t, "--demo")
	therapist := a.Accounts["therapist"]
	j := newJourney(t, a)
	j.signIn(therapist.Email, therapist.Password)
	j.followLink(`table.app-caseload tbody tr a[href^="/referrals/"]`)
	patient := j.text("h1")
	waitCharts(t, j.ctx)
	// Every sheet names the patient, their NHS number and the day printed.
	header, err := eval[string](j.ctx, `document.getElementById('print-header').textContent`)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(header, "NHS number ")
	if i < 0 {
		t.Fatalf("print header %q has no NHS number", header)
	}
	nhs := "NHS number " + strings.Fields(header[i+len("NHS number "):])[0]
	checkPrintView(t, j, patient)
	pages := printPDF(t, j.ctx, patient, nhs, "printed ")
	t.Logf("referral page prints on %d A4 pages", pages)
	if pages < 1 || pages > 5 {
		t.Errorf("referral page prints on %d pages, want 1 to 5", pages)
	}

	j.followLink(`a[href$="/letter"]`)
	j.check("gp-letter")
	if main := j.text("main"); !strings.Contains(main, "Scores against the caseness thresholds") || !strings.Contains(main, "rule set") {
		t.Errorf("the letter lacks its scores or rule set:\n%s", trim(main, 800))
	}
	checkPrintView(t, j, patient)
	if pages := printPDF(t, j.ctx, patient, nhs, "printed "); pages < 1 || pages > 2 {
		t.Errorf("the letter prints on %d pages, want 1 or 2", pages)
	}

	if pt, ok := a.Accounts["patient"]; ok {
		p := newJourney(t, a)
		p.signIn(pt.Email, pt.Password)
		if !strings.HasPrefix(p.path(), "/my/referrals/") {
			p.followLink(`a[href^="/my/referrals/"]`)
		}
		waitCharts(t, p.ctx)
		checkPrintView(t, p, "")
		if pages := printPDF(t, p.ctx, "printed "); pages < 1 || pages > 4 {
			t.Errorf("the patient's progress prints on %d pages, want 1 to 4", pages)
		}
	}
}
