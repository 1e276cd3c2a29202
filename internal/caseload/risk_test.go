package caseload

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"clinic"
	"clinic/internal/measures"
)

func (f *fixture) alerts(t *testing.T, filter RiskAlertFilter) []RiskAlert {
	t.Helper()
	out, err := f.s.RiskAlerts(f.ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) contactAlert(t *testing.T, c Contact) int64 {
	t.Helper()
	id, err := f.s.ContactRiskAlertID(f.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) auditCount(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Each item 9 answer opens (or not) an alert in the contact's own
// transaction, with its priority, and the contact carries its id.
func TestRecordContactOpensRiskAlert(t *testing.T) {
	tests := []struct {
		item9    int
		opens    bool
		priority string
	}{
		{0, false, ""},
		{1, true, measures.PriorityStandard},
		{2, true, measures.PriorityHigh},
		{3, true, measures.PriorityHigh},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("item 9 = %d", tt.item9), func(t *testing.T) {
			f := newFixture(t)
			c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID,
				session("2026-02-02", answers(2, 2, 2, 2, 2, 2, 2, 2, tt.item9), answers(1, 1, 1, 1, 1, 1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			got := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})
			if !tt.opens {
				if len(got) != 0 || f.contactAlert(t, c) != 0 {
					t.Fatalf("item 9 = 0 opened %+v (contact says %d)", got, f.contactAlert(t, c))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d alerts, want 1", len(got))
			}
			a := got[0]
			if a.ID != f.contactAlert(t, c) || a.Source != RiskFromSession || a.ContactID != c.ID || a.AnsweredOn != "2026-02-02" ||
				a.Item9 != tt.item9 || a.Priority != tt.priority || !a.Open() || a.AnsweredByName != "Tara Therapist" || !a.ReferralOpen {
				t.Errorf("alert %+v (contact %d, risk_alert_id %d)", a, c.ID, f.contactAlert(t, c))
			}
			if n := f.auditCount(t, AuditOpenRiskAlert); n != 1 {
				t.Errorf("%d open_risk_alert audit rows, want 1", n)
			}
		})
	}
}

// A patient's own answer opens an alert at once; the session that confirms
// those answers unchanged does not open a second one, and names the first.
func TestQuestionnaireOpensRiskAlertOnce(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	f.clock.t = time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC) // 23:30 UTC is still 10 March in England (GMT)
	q, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 2), answers(1, 1, 1, 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	got := f.alerts(t, RiskAlertFilter{TherapistIDs: []int64{f.therapist.ID}, OpenOnly: true})
	if len(got) != 1 {
		t.Fatalf("%d open alerts after the patient's answer, want 1", len(got))
	}
	a := got[0]
	if a.Source != RiskFromPatient || a.QuestionnaireID != q.ID || a.AnsweredBy != pat.ID || a.AnsweredOn != "2026-03-10" ||
		!a.AnsweredAt.Equal(f.clock.t) || a.Priority != measures.PriorityHigh {
		t.Errorf("alert %+v", a)
	}
	// The supervisor of the team sees it, a therapist of another team not.
	if n := len(f.alerts(t, RiskAlertFilter{Teams: []int64{f.referral.TeamID}, OpenOnly: true})); n != 1 {
		t.Errorf("team filter: %d alerts, want 1", n)
	}
	if n := len(f.alerts(t, RiskAlertFilter{TherapistIDs: []int64{f.other.ID}, OpenOnly: true})); n != 0 {
		t.Errorf("another therapist sees %d alerts", n)
	}

	f.clock.t = testNow.Add(24 * time.Hour)
	nc := session("2026-03-11", q.Answers[measures.PHQ9], q.Answers[measures.GAD7])
	nc.FromQuestionnaire = q.ID
	c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, nc)
	if err != nil {
		t.Fatal(err)
	}
	if f.contactAlert(t, c) != a.ID {
		t.Errorf("confirming session names alert %d, want %d", f.contactAlert(t, c), a.ID)
	}
	if n := len(f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})); n != 1 {
		t.Errorf("%d alerts after confirming the same answer, want 1", n)
	}
	// The same answers changed at the session to 3: a new answer, a new alert.
	q2, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	nc = session("2026-03-11", answers(1, 1, 1, 1, 1, 1, 1, 1, 3), q2.Answers[measures.GAD7])
	nc.FromQuestionnaire = q2.ID
	c, err = f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, nc)
	if err != nil {
		t.Fatal(err)
	}
	all := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})
	if len(all) != 3 || f.contactAlert(t, c) == 0 || f.contactAlert(t, c) == a.ID {
		t.Errorf("after a changed answer: %d alerts, contact names %d", len(all), f.contactAlert(t, c))
	}
}

// RecordContactAlerted names, from the save itself, the alert
// ContactRiskAlertID reads afterwards: none, one the session opened (a save
// worked out on its snapshot), and for a patient's answers confirmed (a save
// worked out in its turn) the answers' own alert, or a new one when the
// session changed item 9.
func TestRecordContactAlertedNamesTheContactsAlert(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	check := func(t *testing.T, nc NewContact, wantAlert bool) int64 {
		t.Helper()
		c, alert, err := f.s.RecordContactAlerted(f.ctx, f.therapist, f.referral.ID, nc)
		if err != nil {
			t.Fatal(err)
		}
		if read := f.contactAlert(t, c); alert != read || (alert != 0) != wantAlert {
			t.Errorf("contact %d: save names alert %d, ContactRiskAlertID %d (want an alert: %v)", c.ID, alert, read, wantAlert)
		}
		return alert
	}
	check(t, session("2026-02-02", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(1, 1, 1, 1, 1, 1, 1)), false)
	first := check(t, session("2026-02-09", answers(2, 2, 2, 2, 2, 2, 2, 2, 1), answers(1, 1, 1, 1, 1, 1, 1)), true)
	if second := check(t, session("2026-02-16", answers(2, 2, 2, 2, 2, 2, 2, 2, 3), answers(1, 1, 1, 1, 1, 1, 1)), true); second == first {
		t.Errorf("a second answer above 0 names the first alert %d", first)
	}
	q, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 2), answers(1, 1, 1, 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	nc := session("2026-02-23", q.Answers[measures.PHQ9], q.Answers[measures.GAD7])
	nc.FromQuestionnaire = q.ID
	check(t, nc, true)
	q2, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	nc = session("2026-03-02", answers(1, 1, 1, 1, 1, 1, 1, 1, 2), q2.Answers[measures.GAD7])
	nc.FromQuestionnaire = q2.ID
	check(t, nc, true)
}

// A correction that raises item 9 opens an alert; one that lowers it
// closes nothing.
func TestCorrectionRaisingItem9OpensAlert(t *testing.T) {
	f := newFixture(t)
	c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-02", answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(1, 1, 1, 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	phq := c.Scores[len(c.Scores)-1]
	if phq.Instrument != measures.PHQ9 {
		phq = c.Scores[0]
	}
	up, err := f.s.CorrectScore(f.ctx, f.therapist, phq.ID, ScoreInput{Items: answers(1, 1, 1, 1, 1, 1, 1, 1, 2)}, "typed 0 for 2")
	if err != nil {
		t.Fatal(err)
	}
	got := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})
	if len(got) != 1 || got[0].Item9 != 2 || got[0].ContactID != c.ID || got[0].AnsweredOn != "2026-02-02" {
		t.Fatalf("after raising item 9: %+v", got)
	}
	if _, err := f.s.CorrectScore(f.ctx, f.therapist, up.ID, ScoreInput{Items: answers(1, 1, 1, 1, 1, 1, 1, 1, 1)}, "patient clarified"); err != nil {
		t.Fatal(err)
	}
	got = f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})
	if len(got) != 1 || !got[0].Open() {
		t.Errorf("after lowering item 9: %+v, want the one alert still open", got)
	}
}

func TestAcknowledgeRiskAlert(t *testing.T) {
	f := newFixture(t)
	c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-02", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	id := f.contactAlert(t, c)
	for _, note := range []string{"", "   ", strings.Repeat("x", MaxRiskNote+1)} {
		_, err := f.s.AcknowledgeRiskAlert(f.ctx, f.supervisor, id, note)
		wantFields(t, err, "note")
	}
	if _, err := f.s.AcknowledgeRiskAlert(f.ctx, f.supervisor, 999, "done"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown alert: %v, want ErrNotFound", err)
	}
	f.clock.t = testNow.Add(time.Hour)
	a, err := f.s.AcknowledgeRiskAlert(f.ctx, f.supervisor, id, "  Risk assessed by phone, safety plan updated ")
	if err != nil {
		t.Fatal(err)
	}
	if a.Open() || a.AckNote != "Risk assessed by phone, safety plan updated" || a.AcknowledgedByName != "Sam Supervisor" || !a.AcknowledgedAt.Equal(f.clock.t) {
		t.Errorf("acknowledged: %+v", a)
	}
	if _, err := f.s.AcknowledgeRiskAlert(f.ctx, f.therapist, id, "again"); !errors.Is(err, ErrConflict) {
		t.Errorf("second acknowledgement: %v, want ErrConflict", err)
	}
	if n := len(f.alerts(t, RiskAlertFilter{TherapistIDs: []int64{f.therapist.ID}, OpenOnly: true})); n != 0 {
		t.Errorf("%d open alerts after acknowledging", n)
	}
	// The duty list's recent window keeps it for a week.
	if n := len(f.alerts(t, RiskAlertFilter{TherapistIDs: []int64{f.therapist.ID}, AcknowledgedSince: f.clock.t.AddDate(0, 0, -7)})); n != 1 {
		t.Errorf("recently acknowledged: %d, want 1", n)
	}
	if n := len(f.alerts(t, RiskAlertFilter{TherapistIDs: []int64{f.therapist.ID}, AcknowledgedSince: f.clock.t.Add(time.Minute)})); n != 0 {
		t.Errorf("acknowledged before the window: %d, want 0", n)
	}
	if n := f.auditCount(t, AuditAcknowledgeRiskAlert); n != 1 {
		t.Errorf("%d acknowledgement audit rows, want 1", n)
	}
	// The record is evidence: no update after acknowledgement, no delete.
	if _, err := f.s.db.Exec(`UPDATE risk_alerts SET ack_note = 'changed' WHERE id = ?`, id); err == nil {
		t.Error("an acknowledged alert was changed")
	}
	if _, err := f.s.db.Exec(`DELETE FROM risk_alerts WHERE id = ?`, id); err == nil {
		t.Error("an alert was deleted")
	}
}

// Ending with an open alert or unconfirmed answers is refused until
// acknowledged with a note; then the alerts close with the note.
func TestEndReferralNeedsRiskAcknowledged(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-02", answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(1, 1, 1, 1, 1, 1, 1))); err != nil {
		t.Fatal(err)
	}
	// Unconfirmed answers alone (item 9 = 0) already need acknowledging.
	if _, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(1, 1, 1, 1, 1, 1, 1))); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-10", "completed", "", EndRisk{})
	var ere *EndingRiskError
	if !errors.As(err, &ere) || !errors.Is(err, ErrRiskUnacknowledged) || len(ere.Risks.Unconfirmed) != 1 || len(ere.Risks.Alerts) != 0 {
		t.Fatalf("unconfirmed answers: %v, want an EndingRiskError naming one", err)
	}
	if _, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 2), answers(1, 1, 1, 1, 1, 1, 1))); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-10", "completed", "", EndRisk{})
	if !errors.As(err, &ere) || len(ere.Risks.Alerts) != 1 || len(ere.Risks.Unconfirmed) != 2 {
		t.Fatalf("open alert: %v", err)
	}
	_, err = f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-10", "completed", "", EndRisk{Acknowledged: true, Note: " "})
	wantFields(t, err, "risk_note")
	// Bad dates are still reported first, with the risk untouched.
	_, err = f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-01-01", "completed", "", EndRisk{Acknowledged: true, Note: "x"})
	wantFields(t, err, "date")
	if r, _ := f.s.Referral(f.ctx, f.referral.ID); !r.Open() {
		t.Fatal("a refused ending ended the referral")
	}
	r, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-10", "completed", "", EndRisk{Acknowledged: true, Note: "Risk assessed, safety plan shared with GP"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Open() {
		t.Error("not ended")
	}
	got := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})
	if len(got) != 1 || got[0].Open() || got[0].AckNote != "At the ending: Risk assessed, safety plan shared with GP" {
		t.Errorf("alerts after ending: %+v", got)
	}
	if n := f.auditCount(t, AuditEndWithRisk); n != 1 {
		t.Errorf("%d end-with-risk audit rows, want 1", n)
	}
}

func TestReopenReferral(t *testing.T) {
	f := newFixture(t)
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-02", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		now    time.Time
		reason string
		fields []string
	}{
		{"no reason", testNow, "  ", []string{"reason"}},
		{"29 days after the end", time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC), "asked to continue", []string{"referral"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.t = tt.now
			_, err := f.s.ReopenReferral(f.ctx, f.therapist, f.referral.ID, tt.reason)
			wantFields(t, err, tt.fields...)
		})
	}
	f.clock.t = time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC) // day 28
	r, err := f.s.ReopenReferral(f.ctx, f.supervisor, f.referral.ID, "Ended by mistake")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Open() {
		t.Error("not reopened")
	}
	if d, err := f.s.ReferralDetail(f.ctx, f.referral.ID); err != nil || !d.Outcome.Open {
		t.Errorf("summary not recomputed: %v %+v", err, d.Outcome.Open)
	}
	_, err = f.s.ReopenReferral(f.ctx, f.therapist, f.referral.ID, "again")
	wantFields(t, err, "referral")
	var detail string
	if err := f.s.db.QueryRow(`SELECT detail FROM audit_log WHERE action = ?`, AuditReopenReferral).Scan(&detail); err != nil || !strings.Contains(detail, "Ended by mistake") || !strings.Contains(detail, "2026-03-02") {
		t.Errorf("audit: %q %v", detail, err)
	}
	if _, err := f.s.ReopenReferral(f.ctx, f.therapist, 999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown referral: %v", err)
	}
}

func TestUrgentContact(t *testing.T) {
	f := newFixture(t)
	if uc, err := f.s.UrgentContact(f.ctx); err != nil || uc != (UrgentContact{}) {
		t.Fatalf("default: %+v %v, want none", uc, err)
	}
	for _, tt := range []struct {
		in     UrgentContact
		fields []string
	}{
		{UrgentContact{Label: "Duty line"}, []string{"number"}},
		{UrgentContact{Number: "0300 123 4567"}, []string{"label"}},
		{UrgentContact{Label: "Duty line", Number: "call us"}, []string{"number"}},
		{UrgentContact{Label: "Duty line", Number: "12"}, []string{"number"}},
		{UrgentContact{Label: "Duty line", Number: "0300 123+4567"}, []string{"number"}},
	} {
		_, err := f.s.SetUrgentContact(f.ctx, f.therapist, tt.in)
		wantFields(t, err, tt.fields...)
	}
	want := UrgentContact{Label: "Our duty clinician, weekdays 9am to 5pm", Number: "+44 300 123 4567"}
	if _, err := f.s.SetUrgentContact(f.ctx, f.therapist, UrgentContact{Label: " " + want.Label, Number: want.Number + " "}); err != nil {
		t.Fatal(err)
	}
	if uc, err := f.s.UrgentContact(f.ctx); err != nil || uc != want {
		t.Errorf("read back %+v %v, want %+v", uc, err, want)
	}
	if _, err := f.s.SetUrgentContact(f.ctx, f.therapist, UrgentContact{}); err != nil {
		t.Fatal(err)
	}
	if uc, _ := f.s.UrgentContact(f.ctx); uc != (UrgentContact{}) {
		t.Errorf("cleared: %+v", uc)
	}
}

// Upgrading a database opens alerts for the risk answers it already holds
// that no clinician has acknowledged: every patient answer no session
// settled (even on an ended referral), and the latest session answer of an
// open referral; not a session answer a later session superseded.
func TestUpgradeOpensAlertsForExistingAnswers(t *testing.T) {
	// A database as the release before risk alerts left it: every step up
	// to 10, then upgraded by step 11.
	i := strings.Index(clinic.Schema, "-- step: 11")
	if i < 0 {
		t.Fatal("no step 11")
	}
	path := filepath.Join(t.TempDir(), "clinic.db")
	s, err := Open(path, clinic.Schema[:i], func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	// Today's code writes the tables and columns of the steps after 11 (the
	// audit's token_id, the data set's referral fields): they are there for
	// the writes below and gone again before the upgrade.
	dropLaterSteps := LaterStepsForTest(t, s.db, clinic.Schema, 12)
	f := &fixture{s: s, clock: &clock{t: testNow}, ctx: t.Context()}
	f.therapist = f.user(t, "tara@example.nhs.uk", "Tara Therapist", RoleTherapist, "North")
	p, err := s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Pat", DateOfBirth: "1990-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	newRef := func() int64 {
		r, err := s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: p.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F32", Intensity: "low"})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	open, latestZero, ended := newRef(), newRef(), newRef()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	contact := func(ref int64, id int, date, items string) {
		exec(`INSERT INTO contacts (id, referral_id, date, kind, attendance, recorded_by, recorded_at) VALUES (?, ?, ?, 'treatment', 'attended', ?, '2026-01-01T00:00:00.000000Z')`, id, ref, date, f.therapist.ID)
		exec(`INSERT INTO scores (contact_id, instrument, items_json, total, source, recorded_by, recorded_at) VALUES (?, 'phq9', ?, 10, 'therapist', ?, '2026-01-01T00:00:00.000000Z')`, id, items, f.therapist.ID)
	}
	contact(open, 1, "2026-02-01", "[1,1,1,1,1,1,1,1,1]")       // superseded by the next session
	contact(open, 2, "2026-02-08", "[1,1,1,1,1,1,1,1,2]")       // latest: alert
	contact(latestZero, 3, "2026-02-01", "[1,1,1,1,1,1,1,1,3]") // a later 0 settled it
	contact(latestZero, 4, "2026-02-08", "[1,1,1,1,1,1,1,1,0]")
	contact(ended, 5, "2026-02-08", "[1,1,1,1,1,1,1,1,3]") // ended: historical
	exec(`UPDATE referrals SET ended_on = '2026-02-09', end_reason = 'completed' WHERE id = ?`, ended)
	q := func(ref int64, status, item9 string) {
		exec(`INSERT INTO questionnaires (referral_id, submitted_by, submitted_at, answers_json, status) VALUES (?, ?, '2026-02-10T18:00:00.000000Z', ?, ?)`,
			ref, f.therapist.ID, `{"phq9":[1,1,1,1,1,1,1,1,`+item9+`],"gad7":[1,1,1,1,1,1,1]}`, status)
	}
	q(ended, "pending", "1")        // unconfirmed on an ended referral: alert
	q(latestZero, "discarded", "2") // set aside by the patient, never seen: alert
	q(open, "pending", "0")         // no risk
	dropLaterSteps()
	s.Close()

	s, err = Open(path, clinic.Schema, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.s = s
	got := f.alerts(t, RiskAlertFilter{})
	type key struct {
		ref    int64
		source string
		item9  int
	}
	want := map[key]bool{{open, RiskFromSession, 2}: true, {ended, RiskFromPatient, 1}: true, {latestZero, RiskFromPatient, 2}: true}
	if len(got) != len(want) {
		t.Errorf("%d alerts, want %d: %+v", len(got), len(want), got)
	}
	for _, a := range got {
		if !want[key{a.ReferralID, a.Source, a.Item9}] || !a.Open() || a.OpenedNote == "" {
			t.Errorf("unexpected alert %+v", a)
		}
		if a.Source == RiskFromPatient && (a.AnsweredOn != "2026-02-10" || a.AnsweredAt.IsZero()) {
			t.Errorf("patient alert's answer time: %+v", a)
		}
	}
	if n := f.auditCount(t, AuditOpenRiskAlert); n != len(want) {
		t.Errorf("%d audit rows for the upgrade's alerts, want %d", n, len(want))
	}
}

// RecordContactAdmitted gives admit the referral as Referral reads it, and
// records nothing when admit refuses.
func TestRecordContactAdmitted(t *testing.T) {
	f := newFixture(t)
	want, err := f.s.Referral(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	var got Referral
	nc := session("2026-02-02", answers(2, 2, 2, 2, 2, 2, 2, 2, 1), answers(1, 1, 1, 1, 1, 1, 1))
	_, _, err = f.s.RecordContactAdmitted(f.ctx, f.therapist, f.referral.ID, nc, func(r Referral) error {
		got = r
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("refused save: %v", err)
	}
	if got.ID != want.ID || got.TherapistID != want.TherapistID || got.TeamID != want.TeamID || got.PatientID != want.PatientID {
		t.Errorf("admit given %+v, want %+v", got, want)
	}
	if n := len(f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})); n != 0 {
		t.Errorf("a refused save opened %d alerts", n)
	}
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Contacts) != 0 {
		t.Errorf("a refused save recorded %d contacts", len(d.Contacts))
	}
	c, alert, err := f.s.RecordContactAdmitted(f.ctx, f.therapist, f.referral.ID, nc, func(Referral) error { return nil })
	if err != nil || c.ID == 0 || alert == 0 || alert != f.contactAlert(t, c) {
		t.Errorf("admitted save: contact %d, alert %d (%v)", c.ID, alert, err)
	}
	if _, _, err := f.s.RecordContactAdmitted(f.ctx, f.therapist, 999999, nc, func(Referral) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("no such referral: %v", err)
	}
}
