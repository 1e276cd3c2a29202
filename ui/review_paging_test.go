package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"clinic/internal/caseload"
)

// On a large synthetic team the weekly review is a page a supervisor can
// read (issue 17): at most 50 cases a page, the cases to discuss first (the
// reviewed and unchanged only after the last of them), every case on
// exactly one page, each page under 300 KB, and the counts by flag over
// every case on every page.
func TestWeeklyReviewPagedOnALargeTeam(t *testing.T) {
	e := newTestEnv(t)
	cfg := caseload.SyntheticConfig{Teams: 1, TherapistsPerTeam: 8, Referrals: 4000, ContactsPerReferral: 5, Seed: 9}
	if err := e.store.LoadSynthetic(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	email := "supervisor-9-1@synthetic.example"
	if p := b.post("/sign-in", url.Values{"email": {email}, "password": {caseload.SyntheticPassword}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.Status)
	}
	cardRe := regexp.MustCompile(`<li class="nhsuk-card app-review-case" id="case-(\d+)"`)
	quietRe := regexp.MustCompile(`<li><a href="/referrals/(\d+)">`)
	countRe := regexp.MustCompile(`Cases to discuss by flag \((\d+) cases\)`)
	seen := map[string]bool{}
	linked, counted := map[string]int{}, map[string]int{}
	discussSeen, quietStarted, pages := 0, false, 0
	toDiscuss := -1
	for path := "/review"; path != ""; pages++ {
		p := b.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.Status)
		}
		if len(p.Body) >= 300_000 {
			t.Errorf("%s is %d bytes, want under 300 KB", path, len(p.Body))
		}
		m := countRe.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("%s: no count of cases to discuss", path)
		}
		n, _ := strconv.Atoi(m[1])
		if toDiscuss >= 0 && n != toDiscuss {
			t.Errorf("%s counts %d cases to discuss, page 1 %d", path, n, toDiscuss)
		}
		toDiscuss = n
		cards, quiet := cardRe.FindAllStringSubmatch(p.Body, -1), quietRe.FindAllStringSubmatch(p.Body, -1)
		if len(cards)+len(quiet) > reviewPageSize || len(cards)+len(quiet) == 0 {
			t.Errorf("%s shows %d cases to discuss and %d reviewed, want 1–%d in all", path, len(cards), len(quiet), reviewPageSize)
		}
		if len(cards) > 0 && quietStarted {
			t.Errorf("%s shows cases to discuss after a page of reviewed ones", path)
		}
		for _, c := range append(cards, quiet...) {
			if seen[c[1]] {
				t.Errorf("referral %s on two pages", c[1])
			}
			seen[c[1]] = true
		}
		discussSeen += len(cards)
		checkReviewCountLinks(t, path, p.Body, pages+1, cards, linked, counted)
		quietStarted = quietStarted || len(quiet) > 0
		path = ""
		if m := regexp.MustCompile(`href="(/review\?page=\d+)"><span class="nhsuk-pagination__title">Next`).FindStringSubmatch(p.Body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
		if pages > 200 {
			t.Fatal("more than 200 pages")
		}
	}
	if pages < 2 || toDiscuss <= reviewPageSize {
		t.Fatalf("%d pages, %d cases to discuss: the synthetic team does not need paging, so this checks nothing", pages, toDiscuss)
	}
	t.Logf("%d pages, %d cases to discuss, %d cases in all", pages, toDiscuss, len(seen))
	if discussSeen != toDiscuss {
		t.Errorf("the pages showed %d cases to discuss, the counts say %d", discussSeen, toDiscuss)
	}
	for code, n := range counted {
		if linked[code] != n {
			t.Errorf("counts by flag: %s counts %d cases, its links on all pages name %d", code, n, linked[code])
		}
	}
	if p := b.get("/review?page=0"); p.Status != http.StatusBadRequest {
		t.Errorf("page 0: %d, want 400", p.Status)
	}
}

// checkReviewCountLinks checks the counts by flag on page n of the weekly
// review: each links to cases whose cards are on this page, and to other
// pages only. It adds the links of each row to linked, and each row's count
// to counted (the same on every page).
func checkReviewCountLinks(t *testing.T, path, body string, n int, cards [][]string, linked, counted map[string]int) {
	t.Helper()
	here := map[string]bool{}
	for _, c := range cards {
		here[c[1]] = true
	}
	rowRe := regexp.MustCompile(`(?s)<tr class="nhsuk-table__row" data-count="([a-z_]+)">.*?numeric">(\d+)</td>(.*?)</tr>`)
	rows := rowRe.FindAllStringSubmatch(body, -1)
	if len(rows) == 0 {
		t.Fatalf("%s: no counts by flag", path)
	}
	for _, row := range rows {
		count, _ := strconv.Atoi(row[2])
		if old, ok := counted[row[1]]; ok && old != count {
			t.Errorf("%s counts %d for %s, an earlier page %d", path, count, row[1], old)
		}
		counted[row[1]] = count
		for _, m := range regexp.MustCompile(`href="#case-(\d+)"`).FindAllStringSubmatch(row[3], -1) {
			if !here[m[1]] {
				t.Errorf("%s: the %s count links to case %s, not on this page", path, row[1], m[1])
			}
			linked[row[1]]++
		}
		for _, m := range regexp.MustCompile(`href="/review\?page=(\d+)"`).FindAllStringSubmatch(row[3], -1) {
			if m[1] == strconv.Itoa(n) {
				t.Errorf("%s: the %s count links to its own page", path, row[1])
			}
		}
	}
}
