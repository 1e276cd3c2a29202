package ui

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"clinic/internal/caseload"
)

// fillReviewCasesFromWholeList is fillReviewCases's counting as it was
// before issue 17's tallies by page, from every entry of the list in order:
// the oracle of the counts and links of TestReviewCountsEqualWholeList.
func fillReviewCasesFromWholeList(p *reviewPage, entries []caseload.ReviewEntry) {
	counts := map[string]int{}
	links := map[string][]caseLink{}
	on := map[string][]pageLink{}
	for i, e := range entries {
		if !e.NeedsDiscussion() {
			p.QuietTotal++
			continue
		}
		p.ToDiscuss++
		link := caseLink{ReferralID: e.ReferralID, Patient: e.PatientName}
		here := i/reviewPageSize+1 == p.Page
		for _, code := range e.Flags {
			counts[code]++
			if here {
				links[code] = append(links[code], link)
			} else {
				on[code] = p.addPageLink(on[code], i/reviewPageSize+1)
			}
		}
		if e.Brought {
			p.Brought++
			if here {
				p.BroughtBy = append(p.BroughtBy, link)
			} else {
				p.BroughtOn = p.addPageLink(p.BroughtOn, i/reviewPageSize+1)
			}
		}
	}
	for _, code := range flagCodes {
		p.Counts = append(p.Counts, flagCount{Code: code, Label: flagLabel(code), Count: counts[code], Cases: links[code], On: on[code]})
	}
}

// The weekly review's counts by flag, their links to cases on the page and
// to other pages, and the totals, counted from the list's tallies page by
// page, equal those counted from the whole list as before issue 17, on every
// page of a random synthetic team with some cases reviewed and brought,
// for the whole team and for one therapist. The seed is logged.
func TestReviewCountsEqualWholeList(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 4))
	e := newTestEnv(t)
	ctx := t.Context()
	cfg := caseload.SyntheticConfig{Teams: 1, TherapistsPerTeam: 4 + rng.IntN(4), Referrals: 4000 + rng.IntN(1000), ContactsPerReferral: 4 + rng.IntN(3), Seed: 1 + rng.Uint64N(1000)}
	if err := e.store.LoadSynthetic(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	users, err := e.store.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var supervisor caseload.User
	for _, u := range users {
		if u.Email == fmt.Sprintf("supervisor-%d-1@synthetic.example", cfg.Seed) {
			supervisor = u
			break
		}
	}
	if len(supervisor.Teams) == 0 {
		t.Fatalf("no synthetic supervisor with a team among %d users", len(users))
	}
	therapists, err := e.store.TeamTherapists(ctx, supervisor.Teams[:1])
	if err != nil || len(therapists) == 0 {
		t.Fatalf("the team's therapists: %d (%v)", len(therapists), err)
	}
	team := supervisor.Teams[0]
	scope := caseload.ReviewScope{Teams: []int64{team}}
	for _, en := range wholeReviewList(t, e.store, scope) {
		switch rng.IntN(10) {
		case 0, 1:
			if _, err := e.store.RecordReview(ctx, supervisor, en.ReferralID, caseload.NewReview{Date: e.store.Today(), Decision: "continue"}); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := e.store.SetBringToSupervision(ctx, therapists[0], en.ReferralID, "Unsure of the plan"); err != nil {
				t.Fatal(err)
			}
		}
	}
	therapist := therapists[rng.IntN(len(therapists))].ID
	compared, most := 0, 0
	for _, scope := range []caseload.ReviewScope{scope, {Teams: []int64{team}, TherapistID: therapist}} {
		whole := wholeReviewList(t, e.store, scope)
		pages := 0
		for page := 1; page == 1 || page <= pages; page++ {
			l, err := e.store.WeeklyReviewPage(ctx, scope, page, reviewPageSize)
			if err != nil {
				t.Fatal(err)
			}
			pages = l.Pages
			var got, want reviewPage
			fillReviewCases(&got, l)
			want.Page, want.Pages = l.Page, l.Pages
			fillReviewCasesFromWholeList(&want, whole)
			opts := []cmp.Option{cmp.AllowUnexported(reviewPage{}), cmpopts.IgnoreFields(reviewPage{}, "Cases", "Quiet", "Prev", "Next"), cmpopts.EquateEmpty()}
			if d := cmp.Diff(want, got, opts...); d != "" {
				t.Fatalf("scope %+v page %d of %d: counts differ from the whole list's (-whole +tallies):\n%s", scope, l.Page, l.Pages, d)
			}
			compared++
		}
		most = max(most, pages)
	}
	if most < 3 {
		t.Errorf("%d pages compared, at most %d a scope: want a scope of several pages, so that counts link to other pages", compared, most)
	}
}

// wholeReviewList is every entry of the scope's weekly review in order, its
// pages' entries one after another (internal/caseload's
// TestReviewPageEqualsWholeList checks them against the whole list).
func wholeReviewList(t *testing.T, store *caseload.Store, scope caseload.ReviewScope) []caseload.ReviewEntry {
	t.Helper()
	var out []caseload.ReviewEntry
	for page := 1; ; page++ {
		l, err := store.WeeklyReviewPage(t.Context(), scope, page, reviewPageSize)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l.PageEntries...)
		if page >= l.Pages {
			return out
		}
	}
}
