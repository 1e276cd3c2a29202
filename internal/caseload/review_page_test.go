package caseload_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// A page of the weekly review, counted page by page in Go from the list
// judged in SQL (issue 17), equals the page counted from the whole list as
// before: on a random synthetic caseload with random cases brought and
// reviewed, a random number of days later, for every scope and several
// page sizes, including a page past the last. The seed is logged.
func TestReviewPageEqualsWholeList(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 17))
	s, clk := openTest(t)
	ctx := t.Context()
	cfg := caseload.SyntheticConfig{Teams: 2, TherapistsPerTeam: 2 + rng.IntN(3), Referrals: 300 + rng.IntN(400), ContactsPerReferral: 3 + rng.IntN(5), Seed: 1 + rng.Uint64N(1000)}
	if err := s.LoadSynthetic(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	// Two therapists of one name: their cases interleave by patient.
	if _, err := s.DBForTest().Exec(`UPDATE users SET name = 'Sam Same' WHERE id IN (SELECT id FROM users WHERE role = 'therapist' ORDER BY random() LIMIT 2)`); err != nil {
		t.Fatal(err)
	}
	scopes := reviewScopes(t, s)
	all, err := s.WeeklyReviewListForTest(ctx, scopes[0])
	if err != nil {
		t.Fatal(err)
	}
	var actor caseload.User
	if err := s.DBForTest().QueryRow(`SELECT id, name FROM users WHERE role = 'supervisor' ORDER BY id LIMIT 1`).Scan(&actor.ID, &actor.Name); err != nil {
		t.Fatal(err)
	}
	bring := func(id int64) {
		t.Helper()
		if _, err := s.DBForTest().Exec(`UPDATE referrals SET bring_to_supervision = 'Unsure of the plan' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
	// Some open cases with no flag, listed only as brought.
	rows, err := s.DBForTest().Query(`SELECT referral_id FROM referral_summary WHERE is_open = 1 AND review_flags_json = '{}' ORDER BY random() LIMIT 5`)
	if err != nil {
		t.Fatal(err)
	}
	var unflagged []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		unflagged = append(unflagged, id)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range unflagged {
		bring(id)
	}
	for i, e := range all {
		switch rng.IntN(10) {
		case 0, 1, 2:
			if _, err := s.RecordReview(ctx, actor, e.ReferralID, caseload.NewReview{Date: s.Today(), Decision: "continue"}); err != nil {
				t.Fatal(err)
			}
		case 3:
			bring(e.ReferralID)
		default:
			if i%10 == 0 {
				bring(e.ReferralID)
			}
		}
	}
	// Random kept flags on some open cases never reviewed (every code and
	// severity, written as json.Marshal writes them, as reviewStateOf
	// does): the list judges the kept column, whatever made it.
	keptCodes := []string{measures.FlagRisk, measures.FlagDeterioration, measures.FlagNotOnTrack, measures.FlagNoImprovement,
		measures.FlagAttendance, measures.FlagMissingMeasure, measures.FlagLongTreatment}
	severities := []string{measures.SeverityHigh, measures.SeverityMedium, measures.SeverityLow}
	open, err := s.DBForTest().Query(`SELECT referral_id FROM referral_summary WHERE is_open = 1 AND seen_hash = '' ORDER BY random() LIMIT 40`)
	if err != nil {
		t.Fatal(err)
	}
	var some []int64
	for open.Next() {
		var id int64
		if err := open.Scan(&id); err != nil {
			t.Fatal(err)
		}
		some = append(some, id)
	}
	if err := open.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range some {
		kept := map[string]string{}
		for _, code := range keptCodes {
			if rng.IntN(3) == 0 {
				kept[code] = severities[rng.IntN(len(severities))]
			}
		}
		js, err := json.Marshal(kept)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DBForTest().Exec(`UPDATE referral_summary SET review_flags_json = ? WHERE referral_id = ?`, string(js), id); err != nil {
			t.Fatal(err)
		}
	}
	brought, quiet, pages := 0, 0, 0
	for _, days := range []int{0, 1 + rng.IntN(40)} {
		clk.t = clk.t.AddDate(0, 0, days)
		b, q, p := compareReviewPages(t, s, scopes, rng)
		brought, quiet, pages = brought+b, quiet+q, pages+p
	}
	if brought == 0 || quiet == 0 || pages < 20 {
		t.Errorf("%d cases brought, %d quiet, %d pages compared: the comparison tested too little", brought, quiet, pages)
	}
}

// compareReviewPages compares every scope's pages, at several sizes, with
// the whole list, and returns how many cases were brought and quiet, and
// how many pages it compared.
func compareReviewPages(t *testing.T, s *caseload.Store, scopes []caseload.ReviewScope, rng *rand.Rand) (brought, quiet, pages int) {
	t.Helper()
	ctx := t.Context()
	for _, scope := range scopes {
		whole, err := s.WeeklyReviewListForTest(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 7, 50, 2 + rng.IntN(60)} {
			want := caseload.TallyEntriesForTest(whole, size)
			last := max(1, (len(whole)+size-1)/size)
			for page := 1; page <= last+1; page++ {
				if size == 1 && page > 3 && page < last-2 {
					continue // every page of size 1 would be slow; the ends and the clamp suffice
				}
				l, err := s.WeeklyReviewPage(ctx, scope, page, size)
				if err != nil {
					t.Fatal(err)
				}
				if wantPage := min(page, last); l.Page != wantPage || l.Pages != last {
					t.Fatalf("scope %+v size %d: page %d came back as page %d of %d, want %d of %d", scope, size, page, l.Page, l.Pages, wantPage, last)
				}
				if d := cmp.Diff(want, l.Tallies, cmpopts.EquateEmpty()); d != "" {
					t.Fatalf("scope %+v size %d page %d: counts by page differ from the whole list's (-whole +page):\n%s", scope, size, page, d)
				}
				lo := min((l.Page-1)*size, len(whole))
				if d := cmp.Diff(whole[lo:min(lo+size, len(whole))], l.PageEntries, cmpopts.EquateEmpty()); d != "" {
					t.Fatalf("scope %+v size %d page %d: entries differ from the whole list's (-whole +page):\n%s", scope, size, page, d)
				}
				pages++
			}
		}
		for _, e := range whole {
			if e.Brought {
				brought++
			}
			if !e.NeedsDiscussion() {
				quiet++
			}
		}
	}
	return brought, quiet, pages
}

// ReviewListed finds a case on the scope's review, and not on another
// therapist's or when it is not listed.
func TestReviewListed(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if err := s.LoadSynthetic(ctx, caseload.SyntheticConfig{Teams: 1, TherapistsPerTeam: 2, Referrals: 200, ContactsPerReferral: 5, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	scopes := reviewScopes(t, s)
	whole, err := s.WeeklyReviewListForTest(ctx, scopes[0])
	if err != nil || len(whole) == 0 {
		t.Fatalf("%d listed (%v): want some", len(whole), err)
	}
	e := whole[len(whole)/2]
	got, ok, err := s.ReviewListed(ctx, scopes[0], e.ReferralID)
	if err != nil || !ok {
		t.Fatalf("listed case %d: found %v (%v)", e.ReferralID, ok, err)
	}
	if d := cmp.Diff(e, got); d != "" {
		t.Errorf("listed case (-whole list +ReviewListed):\n%s", d)
	}
	var therapist int64
	if err := s.DBForTest().QueryRow(`SELECT therapist_id FROM referrals WHERE id = ?`, e.ReferralID).Scan(&therapist); err != nil {
		t.Fatal(err)
	}
	var other int64
	if err := s.DBForTest().QueryRow(`SELECT id FROM users WHERE role = 'therapist' AND id <> ? ORDER BY id LIMIT 1`, therapist).Scan(&other); err != nil {
		t.Fatal(err)
	}
	var notListed int64
	if err := s.DBForTest().QueryRow(`SELECT MAX(referral_id) FROM referral_summary WHERE is_open = 0`).Scan(&notListed); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		scope caseload.ReviewScope
		id    int64
	}{
		{"another therapist's scope", caseload.ReviewScope{Teams: scopes[0].Teams, TherapistID: other}, e.ReferralID},
		{"no teams", caseload.ReviewScope{}, e.ReferralID},
		{"an ended referral", scopes[0], notListed},
		{"no such referral", scopes[0], 1 << 40},
	} {
		if got, ok, err := s.ReviewListed(ctx, tc.scope, tc.id); err != nil || ok {
			t.Errorf("%s: listed %v as %+v (%v), want not listed", tc.name, ok, got, err)
		}
	}
}
