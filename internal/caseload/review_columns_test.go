package caseload

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reviewListColumns are, for every summary, the columns schema step 23
// keeps for the weekly review's list (kept) and the same worked out again
// from the referral, its patient and its latest review (recomputed).
func reviewListColumns(t *testing.T, s *Store) (kept, recomputed []string) {
	t.Helper()
	kept = queryRows(t, s, `
		SELECT referral_id, patient_name, brought, seen_hash, seen_severities_json
		FROM referral_summary ORDER BY referral_id`)
	recomputed = queryRows(t, s, `
		SELECT
			m.referral_id,
			p.name AS patient_name,
			r.bring_to_supervision <> '' AS brought,
			COALESCE(v.outcome_hash, '') AS seen_hash,
			COALESCE(v.flag_severities_json, '{}') AS seen_severities_json
		FROM referral_summary m
		JOIN referrals r ON r.id = m.referral_id
		JOIN patients p ON p.id = r.patient_id
		LEFT JOIN reviews v ON v.id = (
			SELECT id FROM reviews
			WHERE referral_id = m.referral_id
			ORDER BY date DESC, id DESC
			LIMIT 1)
		ORDER BY m.referral_id`)
	return kept, recomputed
}

// checkReviewListColumns fails the test when a summary's kept columns
// differ from their recomputation.
func checkReviewListColumns(t *testing.T, s *Store, after string) {
	t.Helper()
	kept, recomputed := reviewListColumns(t, s)
	if len(kept) == 0 {
		t.Fatalf("after %s: no summaries to compare", after)
	}
	if diff := cmp.Diff(recomputed, kept); diff != "" {
		t.Errorf("after %s, the review list's columns differ from a recomputation (-recomputed +kept):\n%s", after, diff)
	}
}

// Renaming a patient, moving a referral to another patient, bringing a
// case to supervision and clearing it, recording reviews (one dated
// earlier than the latest), changing and deleting them keep each
// summary's patient name, brought and latest review's hash and
// severities equal to a recomputation (schema step 23's triggers), and
// the weekly review lists the case with what they say.
func TestReviewListColumnsFollowWrites(t *testing.T) {
	f := newFixture(t)
	db := f.s.db
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(f.ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// A flagged case: a PHQ-9 risk item answered at its first session.
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-03-05", answers(3, 3, 3, 3, 3, 3, 3, 3, 2), answers(3, 3, 3, 3, 3, 3, 3))); err != nil {
		t.Fatal(err)
	}
	other, err := f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Ola Other", DateOfBirth: "1980-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: other.ID, ReceivedOn: "2026-03-01", ProblemDescriptor: "F32.1", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	checkReviewListColumns(t, f.s, "creating referrals")
	scope := ReviewScope{Teams: f.supervisor.Teams}
	listed := func(id int64) (ReviewEntry, bool) {
		t.Helper()
		l, err := f.s.WeeklyReviewPage(f.ctx, scope, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range l.PageEntries {
			if e.ReferralID == id {
				return e, true
			}
		}
		return ReviewEntry{}, false
	}

	exec(`UPDATE patients SET name = 'Pat Renamed' WHERE id = ?`, f.patient.ID)
	checkReviewListColumns(t, f.s, "renaming a patient")
	if e, ok := listed(f.referral.ID); !ok || e.PatientName != "Pat Renamed" {
		t.Errorf("after renaming the patient the review lists %+v (listed %v); want the new name", e, ok)
	}

	if err := f.s.SetBringToSupervision(f.ctx, f.therapist, second.ID, "Unsure of the plan"); err != nil {
		t.Fatal(err)
	}
	checkReviewListColumns(t, f.s, "bringing a case to supervision")
	if e, ok := listed(second.ID); !ok || !e.Brought {
		t.Errorf("a brought case is listed as %+v (listed %v); want brought", e, ok)
	}

	exec(`UPDATE referrals SET patient_id = ? WHERE id = ?`, f.patient.ID, second.ID)
	checkReviewListColumns(t, f.s, "moving a referral to another patient")
	exec(`UPDATE referrals SET patient_id = ? WHERE id = ?`, other.ID, second.ID)

	// Recording a review clears the case brought, and quiets the flags it saw.
	if _, err := f.s.RecordReview(f.ctx, f.supervisor, second.ID, NewReview{Date: f.s.Today(), Decision: "continue"}); err != nil {
		t.Fatal(err)
	}
	checkReviewListColumns(t, f.s, "recording a review of a brought case")
	if _, err := f.s.RecordReview(f.ctx, f.supervisor, f.referral.ID, NewReview{Date: f.s.Today(), Decision: "continue"}); err != nil {
		t.Fatal(err)
	}
	checkReviewListColumns(t, f.s, "recording a review")
	var seen string
	if err := db.QueryRowContext(f.ctx, `SELECT seen_hash FROM referral_summary WHERE referral_id = ?`, f.referral.ID).Scan(&seen); err != nil || seen == "" {
		t.Fatalf("the reviewed case keeps seen hash %q (%v); want the review's", seen, err)
	}
	if e, ok := listed(f.referral.ID); ok && len(e.Flags) > 0 {
		t.Errorf("the case just reviewed is listed with flags %v; want them quiet", e.Flags)
	}

	// An earlier-dated review recorded later is not the latest.
	exec(`INSERT INTO reviews (referral_id, supervisor_id, date, decision, outcome_hash, flag_severities_json, created_at)
		VALUES (?, ?, '2026-01-10', 'continue', 'older', '{"x":"high"}', '2026-03-10T00:00:00Z')`, f.referral.ID, f.supervisor.ID)
	checkReviewListColumns(t, f.s, "recording an earlier-dated review")
	exec(`UPDATE reviews SET date = '2099-01-01' WHERE outcome_hash = 'older'`)
	checkReviewListColumns(t, f.s, "redating a review")
	exec(`UPDATE reviews SET referral_id = ? WHERE outcome_hash = 'older'`, second.ID)
	checkReviewListColumns(t, f.s, "moving a review to another referral")
	exec(`DELETE FROM reviews WHERE outcome_hash = 'older'`)
	checkReviewListColumns(t, f.s, "deleting a review")
	exec(`DELETE FROM reviews WHERE referral_id = ?`, f.referral.ID)
	checkReviewListColumns(t, f.s, "deleting a referral's every review")
	if e, ok := listed(f.referral.ID); !ok || len(e.Flags) == 0 {
		t.Errorf("with its reviews deleted the case is listed as %+v (listed %v); want its flags shown again", e, ok)
	}

	// A summary written again from scratch fills them as it is inserted.
	exec(`DELETE FROM referral_summary WHERE referral_id = ?`, second.ID)
	if _, err := f.s.RebuildSummaries(f.ctx); err != nil {
		t.Fatal(err)
	}
	checkReviewListColumns(t, f.s, "writing the summaries again")
}
