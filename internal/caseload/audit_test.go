package caseload

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"clinic/internal/measures"
)

func TestAuditLogIsAppendOnly(t *testing.T) {
	f := newFixture(t)
	var n int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("audit rows after the fixture: %d (%v), want some", n, err)
	}
	for _, stmt := range []string{
		`UPDATE audit_log SET action = 'nothing' WHERE id = 1`,
		`UPDATE audit_log SET user_id = NULL`,
		`DELETE FROM audit_log WHERE id = 1`,
		`DELETE FROM audit_log`,
		`UPDATE break_glass SET expires_at = '9999'`,
		`DELETE FROM break_glass`,
	} {
		t.Run(stmt, func(t *testing.T) {
			// break_glass needs a row for its triggers to fire.
			if strings.Contains(stmt, "break_glass") {
				admin := f.user(t, "ad"+time.Now().Format("150405.000000")+"@example.nhs.uk", "Ad", RoleAdmin, "")
				if _, err := f.s.BreakGlass(f.ctx, admin, f.referral.ID, "incident review 42"); err != nil {
					t.Fatal(err)
				}
			}
			_, err := f.s.db.Exec(stmt)
			if err == nil || !strings.Contains(err.Error(), "never") && !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the trigger's refusal", stmt, err)
			}
		})
	}
	var after int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'nothing'`).Scan(&after); err != nil || after != 0 {
		t.Errorf("rows changed: %d (%v)", after, err)
	}
}

// Every change to a patient's record leaves a row naming who, what, which
// record and from where, written in the change's transaction.
func TestChangesAreAudited(t *testing.T) {
	f := newFixture(t)
	ctx := WithAudit(context.Background(), 0, "192.0.2.7")
	ct, err := f.s.RecordContact(ctx, f.therapist, f.referral.ID, session("2026-02-02", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	var phq int64
	for _, sc := range ct.Scores {
		if sc.Instrument == measures.PHQ9 {
			phq = sc.ID
		}
	}
	if _, err := f.s.CorrectScore(ctx, f.supervisor, phq, ScoreInput{Items: answers(1, 2, 2, 2, 2, 2, 2, 2, 0)}, "typo"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetBringToSupervision(ctx, f.therapist, f.referral.ID, "stuck"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EndReferral(ctx, f.therapist, f.referral.ID, "2026-03-01", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	admin, err := f.s.CreateUser(WithAudit(ctx, f.supervisor.ID, "192.0.2.7"), NewUser{Email: "ada@example.nhs.uk", Name: "Ada", Role: RoleAdmin, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.CreateToken(WithAudit(ctx, admin.ID, "192.0.2.7"), f.therapist.Email, ""); err != nil {
		t.Fatal(err)
	}

	page, err := f.s.SearchAudit(f.ctx, AuditQuery{PatientID: f.patient.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Entries {
		got = append(got, e.Action+" by "+e.UserName+" from "+e.Address)
	}
	want := []string{
		"end_referral by Tara Therapist from 192.0.2.7",
		"bring_to_supervision by Tara Therapist from 192.0.2.7",
		"correct_score by Sam Supervisor from 192.0.2.7",
		"record_contact by Tara Therapist from 192.0.2.7",
		"create_referral by Tara Therapist from ",
		"create_patient by Tara Therapist from ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("patient's audit rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	users, err := f.s.SearchAudit(f.ctx, AuditQuery{Action: AuditCreateUser})
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Entries) != 4 || users.Entries[0].UserID != f.supervisor.ID || users.Entries[0].EntityID != admin.ID {
		t.Errorf("create_user rows: %+v", users.Entries)
	}
	tokens, _ := f.s.SearchAudit(f.ctx, AuditQuery{Action: AuditCreateToken, UserID: admin.ID})
	if len(tokens.Entries) != 1 || tokens.Entries[0].EntityID != f.therapist.ID {
		t.Errorf("create_token rows: %+v", tokens.Entries)
	}
	if !users.Entries[0].At.Equal(testNow) {
		t.Errorf("row time %v, want the store's clock %v", users.Entries[0].At, testNow)
	}
}

// A change that fails leaves no audit row (same transaction).
func TestFailedChangeLeavesNoAuditRow(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2099-01-01", "completed", "", EndRisk{})
	if err == nil {
		t.Fatal("future end date accepted")
	}
	p, _ := f.s.SearchAudit(f.ctx, AuditQuery{Action: AuditEndReferral})
	if len(p.Entries) != 0 {
		t.Errorf("rows for a refused change: %+v", p.Entries)
	}
}

func TestSearchAudit(t *testing.T) {
	f := newFixture(t)
	other, err := f.s.CreatePatient(f.ctx, f.other, NewPatient{Name: "Other", DateOfBirth: "1970-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	for day := 1; day <= 5; day++ {
		f.clock.t = time.Date(2026, 3, day, 12, 0, 0, 0, time.UTC)
		if err := f.s.RecordView(f.ctx, f.therapist, "referral", f.referral.ID, "referral page"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.RecordView(f.ctx, f.other, "patient", other.ID, "patient page"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		q    AuditQuery
		want int
		more bool
	}{
		{"all views", AuditQuery{Action: AuditView}, 10, false},
		{"by user", AuditQuery{Action: AuditView, UserID: f.other.ID}, 5, false},
		{"by patient", AuditQuery{Action: AuditView, PatientID: f.patient.ID}, 5, false},
		{"by referral", AuditQuery{ReferralID: f.referral.ID}, 6, false}, // five views and its creation
		{"date range, both days included", AuditQuery{Action: AuditView, From: "2026-03-02", To: "2026-03-03"}, 4, false},
		{"one day", AuditQuery{Action: AuditView, From: "2026-03-05", To: "2026-03-05"}, 2, false},
		{"first page", AuditQuery{Action: AuditView, PerPage: 4}, 4, true},
		{"last page", AuditQuery{Action: AuditView, PerPage: 4, Page: 3}, 2, false},
		{"nothing", AuditQuery{Action: AuditBreakGlass}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f.s.SearchAudit(f.ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Entries) != tt.want || p.More != tt.more {
				t.Errorf("got %d rows (more %v), want %d (more %v)", len(p.Entries), p.More, tt.want, tt.more)
			}
			for i := 1; i < len(p.Entries); i++ {
				if p.Entries[i].At.After(p.Entries[i-1].At) {
					t.Errorf("not newest first at %d", i)
				}
			}
		})
	}
	for _, q := range []AuditQuery{{From: "2026-02-30"}, {To: "yesterday"}, {From: "2026-03-05", To: "2026-03-01"}} {
		if _, err := f.s.SearchAudit(f.ctx, q); !isValidation(err) {
			t.Errorf("%+v: err %v, want a validation error", q, err)
		}
	}
	views, err := f.s.RecordViews(f.ctx, f.patient.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 3 || views[0].UserName != "Tara Therapist" || views[0].At.Day() != 5 || views[0].Detail != "referral page" {
		t.Errorf("record views: %+v", views)
	}
}

func isValidation(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve)
}
