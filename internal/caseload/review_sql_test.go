package caseload_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"clinic/internal/caseload"
	"clinic/internal/demo"
	"clinic/internal/measures"
)

// reviewView is what the review shows of a case: its flags, shown and
// quiet, with their words, and its latest review.
type reviewView struct {
	ID           int64
	Flags, Quiet []measures.Flag
	Brought      bool
	LastReview   int64
}

func viewsOf(cases []caseload.ReviewCase) []reviewView {
	var out []reviewView
	for _, c := range cases {
		v := reviewView{ID: c.Referral.ID, Flags: c.Flags, Quiet: c.Quiet, Brought: c.Referral.BringToSupervision != ""}
		if c.LastReview != nil {
			v.LastReview = c.LastReview.ID
		}
		out = append(out, v)
	}
	return out
}

// entryOf is the ReviewEntry a fully judged case should have.
func entryOf(c caseload.ReviewCase) caseload.ReviewEntry {
	e := caseload.ReviewEntry{ReferralID: c.Referral.ID, PatientName: c.Referral.PatientName, Brought: c.Referral.BringToSupervision != ""}
	for _, f := range c.Flags {
		e.Flags = append(e.Flags, f.Code)
	}
	slices.Sort(e.Flags)
	return e
}

// The weekly review selected, ordered and paged in SQL from the flags kept
// at write time (and today's date) equals the review that reads and judges
// every open referral of the scope in Go, on the demo and on a synthetic
// service, with some cases reviewed (quiet), and again 30 days later with
// no write in between: cases whose last attended contact crosses the
// 28-day gap, or whose wait passes the standard, by the clock alone.
func TestReviewSQLEqualsJudgingAll(t *testing.T) {
	demoStore, demoClock := openTest(t)
	if _, err := demo.Load(t.Context(), demoStore); err != nil {
		t.Fatal(err)
	}
	synth, synthClock := openTest(t)
	if err := synth.LoadSynthetic(t.Context(), caseload.SyntheticConfig{Teams: 2, TherapistsPerTeam: 3, Referrals: 800, ContactsPerReferral: 6, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		s     *caseload.Store
		clock *clock
	}{{"demo", demoStore, demoClock}, {"synthetic", synth, synthClock}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			// not_on_track is kept as judged against the curves the server
			// has when a summary is written: build them, then write every
			// summary against them.
			if _, err := tc.s.Expectation(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := tc.s.RebuildSummaries(ctx); err != nil {
				t.Fatal(err)
			}
			scopes := reviewScopes(t, tc.s)
			reviewSome(t, tc.s, scopes[0])
			before := compareReviews(t, tc.s, scopes)
			tc.clock.t = tc.clock.t.AddDate(0, 0, 30)
			after := compareReviews(t, tc.s, scopes)
			crossed := 0
			for id, codes := range after {
				if slices.Contains(codes, measures.FlagAttendance) && !slices.Contains(before[id], measures.FlagAttendance) {
					crossed++
				}
			}
			if crossed == 0 {
				t.Error("no case came to an attendance gap by the clock alone: the comparison did not test it")
			}
		})
	}
}

// reviewScopes are every team together, each team, and each therapist of
// the first team.
func reviewScopes(t *testing.T, s *caseload.Store) []caseload.ReviewScope {
	t.Helper()
	var teams []int64
	rows, err := s.DBForTest().Query(`SELECT id FROM teams ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		teams = append(teams, id)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	scopes := []caseload.ReviewScope{{Teams: teams}}
	for _, id := range teams {
		scopes = append(scopes, caseload.ReviewScope{Teams: []int64{id}})
	}
	therapists, err := s.TeamTherapists(t.Context(), teams[:1])
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range therapists {
		scopes = append(scopes, caseload.ReviewScope{Teams: teams[:1], TherapistID: u.ID})
	}
	return scopes
}

// reviewSome records a review of every third listed case, so that their
// flags are quiet until new data comes.
func reviewSome(t *testing.T, s *caseload.Store, scope caseload.ReviewScope) {
	t.Helper()
	ctx := t.Context()
	var actor caseload.User
	if err := s.DBForTest().QueryRow(`SELECT id, name FROM users WHERE role = 'supervisor' ORDER BY id LIMIT 1`).Scan(&actor.ID, &actor.Name); err != nil {
		t.Fatal(err)
	}
	cases, err := s.WeeklyReviewAllForTest(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if i%3 == 0 {
			if _, err := s.RecordReview(ctx, actor, c.Referral.ID, caseload.NewReview{Date: s.Today(), Decision: "continue"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// compareReviews checks every scope's review, whole and paged, against the
// oracle, and returns each listed case's flag codes (shown and quiet).
func compareReviews(t *testing.T, s *caseload.Store, scopes []caseload.ReviewScope) map[int64][]string {
	t.Helper()
	ctx := t.Context()
	flagged := map[int64][]string{}
	quiet, listed := 0, 0
	for _, scope := range scopes {
		want, err := s.WeeklyReviewAllForTest(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.WeeklyReview(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(viewsOf(want), viewsOf(got)); d != "" {
			t.Errorf("scope %+v: WeeklyReview differs from judging every case (-all +sql):\n%s", scope, d)
		}
		var wantEntries []caseload.ReviewEntry
		for _, c := range want {
			wantEntries = append(wantEntries, entryOf(c))
			for _, f := range append(slices.Clone(c.Flags), c.Quiet...) {
				flagged[c.Referral.ID] = append(flagged[c.Referral.ID], f.Code)
			}
			if len(c.Quiet) > 0 {
				quiet++
			}
		}
		listed += len(want)
		const size = 7
		wantTallies := caseload.TallyEntriesForTest(wantEntries, size)
		var paged []caseload.ReviewCase
		for page := 1; ; page++ {
			l, err := s.WeeklyReviewPage(ctx, scope, page, size)
			if err != nil {
				t.Fatal(err)
			}
			if l.Page != page && len(want) > 0 {
				t.Fatalf("scope %+v: page %d came back as page %d of %d", scope, page, l.Page, l.Pages)
			}
			var entries []caseload.ReviewEntry
			for _, e := range l.PageEntries {
				slices.Sort(e.Flags)
				entries = append(entries, e)
			}
			lo := min((l.Page-1)*size, len(wantEntries))
			if d := cmp.Diff(wantEntries[lo:min(lo+size, len(wantEntries))], entries); d != "" {
				t.Fatalf("scope %+v page %d: the entries SQL judged differ from judging every case (-all +sql):\n%s", scope, page, d)
			}
			if d := cmp.Diff(wantTallies, l.Tallies, cmpopts.EquateEmpty()); d != "" {
				t.Fatalf("scope %+v page %d: the counts by page differ from judging every case (-all +sql):\n%s", scope, page, d)
			}
			paged = append(paged, l.Cases...)
			if page >= l.Pages {
				break
			}
		}
		if d := cmp.Diff(viewsOf(want), viewsOf(paged)); d != "" {
			t.Errorf("scope %+v: the pages differ from judging every case (-all +sql):\n%s", scope, d)
		}
	}
	if listed == 0 || quiet == 0 {
		t.Errorf("%d cases listed, %d with quiet flags: the comparison tested too little", listed, quiet)
	}
	return flagged
}
