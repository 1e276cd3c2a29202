package caseload

import (
	"github.com/google/go-cmp/cmp"

	"clinic/internal/measures"

	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
)

// WeeklyReviewListForTest is the whole list of the weekly review, every
// listed case's entry in the review's order, as the page read it before
// issue 17's counting by page (reviewListQuery): the oracle of
// WeeklyReviewPage's tallies and entries.
func (s *Store) WeeklyReviewListForTest(ctx context.Context, scope ReviewScope) ([]ReviewEntry, error) {
	var out []ReviewEntry
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = reviewEntries(ctx, tx, scope, s.asOf())
		return err
	})
	return out, err
}

// TallyEntriesForTest counts a whole list's entries page by page, size a
// page, as the page counted them from the whole list before issue 17.
func TallyEntriesForTest(entries []ReviewEntry, size int) []ReviewTally {
	var out []ReviewTally
	for i, e := range entries {
		page := i/size + 1
		if len(out) == 0 || out[len(out)-1].Page != page {
			out = append(out, ReviewTally{Page: page, Flags: map[string]int{}})
		}
		t := &out[len(out)-1]
		if !e.NeedsDiscussion() {
			t.Quiet++
			continue
		}
		t.ToDiscuss++
		if e.Brought {
			t.Brought++
		}
		for _, code := range e.Flags {
			t.Flags[code]++
		}
	}
	return out
}

// listedForTest is how many cases tallies count.
func listedForTest(tallies []ReviewTally) int {
	n := 0
	for _, t := range tallies {
		n += t.ToDiscuss + t.Quiet
	}
	return n
}

// WeeklyReviewAllForTest is the weekly review as it was before schema step
// 21, kept as the oracle of the SQL-selected review: every open referral of
// the scope read, decoded and judged in Go, then sorted by compareCases.
func (s *Store) WeeklyReviewAllForTest(ctx context.Context, scope ReviewScope) ([]ReviewCase, error) {
	asOf := s.asOf()
	var out []ReviewCase
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		exp, err := s.curves(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := findReferrals(ctx, tx, referralFilter{Open: true, Teams: nonNil(scope.Teams), TherapistID: scope.TherapistID,
			withOutcome: true, withLastReview: true})
		if err != nil {
			return err
		}
		for _, row := range rows {
			c, listed, err := reviewCase(row, asOf, exp)
			if err != nil {
				return err
			}
			if listed {
				out = append(out, c)
			}
		}
		return nil
	})
	slices.SortStableFunc(out, compareCases)
	return out, err
}

// The review reads the index of its scope's open cases, never every
// summary or every referral.
func TestReviewListReadsScopeIndex(t *testing.T) {
	f := newFixture(t)
	for _, scope := range []ReviewScope{{Teams: f.supervisor.Teams}, {Teams: f.supervisor.Teams, TherapistID: f.therapist.ID}} {
		rows, err := f.s.db.QueryContext(f.ctx, "EXPLAIN QUERY PLAN "+reviewListQuery, reviewListArgs(scope, f.s.asOf())...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		all := strings.Join(plan, "\n")
		if !strings.Contains(all, "USING COVERING INDEX summary_review") {
			t.Errorf("scope %+v: the review does not read summary_review:\n%s", scope, all)
		}
		// Nothing is read case by case but the summaries' index: the
		// patient's name, the case brought and its latest review are kept
		// in the summary (schema step 23), so a cold start reads no
		// referral, review or patient page for the list.
		for _, line := range plan {
			w := strings.Fields(line)
			if len(w) >= 2 && (w[0] == "SEARCH" || w[0] == "SCAN") &&
				slices.Contains([]string{"r", "p", "v", "referrals", "patients", "reviews"}, w[1]) {
				t.Errorf("scope %+v: the review reads a referral, patient or review row (%q):\n%s", scope, line, all)
			}
		}
		if !strings.Contains(all, "USING COVERING INDEX summary_review_list") {
			t.Errorf("scope %+v: the review does not read summary_review_list:\n%s", scope, all)
		}
		for _, line := range plan {
			// Scanning referrals_brought (the partial index of the cases
			// brought to supervision) reads only those.
			w := strings.Fields(line)
			if len(w) >= 2 && w[0] == "SCAN" && slices.Contains([]string{"m", "r", "p", "u", "referral_summary", "referrals", "patients", "users", "reviews"}, w[1]) &&
				!strings.Contains(line, "USING INDEX referrals_brought") {
				t.Errorf("scope %+v: the review scans a whole table (%q):\n%s", scope, line, all)
			}
		}
	}
}

// Day by day, with no write, the review SQL lists equals the oracle's at
// every boundary of the flags that depend on today: a referral waiting for
// its first treatment (35 and 42 days) and one whose last attended session
// is left behind (28 days), one of them reviewed (quiet until the flag is
// more severe).
func TestReviewByTheDayEqualsJudgingAll(t *testing.T) {
	f := newFixture(t)
	gad := answers(1, 1, 1, 1, 1, 1, 1)
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-03-05", answers(1, 1, 1, 1, 1, 1, 1, 1, 0), gad)); err != nil {
		t.Fatal(err)
	}
	p, err := f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Wyn Waiting", DateOfBirth: "1988-02-03"})
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: p.ID, ReceivedOn: "2026-02-20", ProblemDescriptor: "F32.1", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	scope := ReviewScope{Teams: f.supervisor.Teams}
	seen := map[string]bool{}
	for day := 0; day < 40; day++ {
		f.clock.t = testNow.AddDate(0, 0, day)
		if day == 20 {
			if _, err := f.s.RecordReview(f.ctx, f.supervisor, waiting.ID, NewReview{Date: f.s.Today(), Decision: "continue"}); err != nil {
				t.Fatal(err)
			}
		}
		want, err := f.s.WeeklyReviewAllForTest(f.ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.s.WeeklyReviewPage(f.ctx, scope, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		type view struct {
			ID           int64
			Flags, Quiet []measures.Flag
		}
		var w, g []view
		for _, c := range want {
			w = append(w, view{c.Referral.ID, c.Flags, c.Quiet})
			for _, fl := range c.Flags {
				seen[fl.Code+" "+fl.Severity] = true
			}
			for _, fl := range c.Quiet {
				seen["quiet "+fl.Code+" "+fl.Severity] = true
			}
		}
		for _, c := range got.Cases {
			g = append(g, view{c.Referral.ID, c.Flags, c.Quiet})
		}
		if d := cmp.Diff(w, g); d != "" {
			t.Errorf("%s: the review differs from judging every case (-all +sql):\n%s", f.s.Today(), d)
		}
		if n := listedForTest(got.Tallies); n != len(want) {
			t.Errorf("%s: %d entries, want %d", f.s.Today(), n, len(want))
		}
	}
	for _, k := range []string{"attendance medium", "waiting medium", "waiting high", "quiet waiting medium"} {
		if !seen[k] {
			t.Errorf("no day had a %s flag: the walk did not cross its boundary", k)
		}
	}
}
