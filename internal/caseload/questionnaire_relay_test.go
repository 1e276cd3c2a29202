package caseload

import (
	"errors"
	"strings"
	"testing"

	"clinic/internal/measures"
)

func TestRelayQuestionnaireValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name    string
		answers map[measures.InstrumentID][]*int
		fields  []string
	}{
		{"nothing", map[measures.InstrumentID][]*int{}, []string{"answers"}},
		{"three PHQ-9 items unanswered", map[measures.InstrumentID][]*int{measures.PHQ9: answers(1, -1, 1, -1, 1, -1, 1, 1, 1)}, []string{"answers.phq9.items"}},
		{"an answer out of range", map[measures.InstrumentID][]*int{measures.GAD7: answers(1, 1, 1, 4, 1, 1, 1)}, []string{"answers.gad7.items.4"}},
		{"GAD-7 short", map[measures.InstrumentID][]*int{measures.GAD7: answers(1, 1, 1)}, []string{"answers.gad7.items"}},
		{"WSAS is not taken from other systems", map[measures.InstrumentID][]*int{measures.WSAS: answers(1, 1, 1, 1, 1)}, []string{"answers.wsas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, tt.answers, "test")
			wantFields(t, err, tt.fields...)
		})
	}
	if _, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID+1000, map[measures.InstrumentID][]*int{measures.GAD7: answers(1, 1, 1, 1, 1, 1, 1)}, "test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("no such referral: %v, want ErrNotFound", err)
	}
}

// Relayed answers are kept like the patient's own: pending, raising the
// risk flag at once, audited, and confirmed at a session as the patient's.
func TestRelayQuestionnaireConfirmedAsPatients(t *testing.T) {
	f := newFixture(t)
	phq9 := answers(2, 1, 2, -1, 2, 1, 2, 1, 2) // one item pro-rated; item 9 = 2
	q, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, map[measures.InstrumentID][]*int{measures.PHQ9: phq9}, "FHIR QuestionnaireResponse")
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != QuestionnairePending || q.SubmittedBy != f.therapist.ID {
		t.Errorf("relayed questionnaire = %+v", q)
	}
	if r := measures.RiskOf(f.outcome(t).LatestItem9); r != measures.RiskHigh {
		t.Errorf("risk with item 9 = 2 waiting = %v, want high", r)
	}
	alerts := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})
	if len(alerts) != 1 || alerts[0].Source != RiskFromPatient || alerts[0].QuestionnaireID != q.ID ||
		alerts[0].Item9 != 2 || alerts[0].Priority != "high" || !alerts[0].Open() {
		t.Errorf("alerts after a relayed item 9 = 2: %+v, want one open high-priority alert for questionnaire %d", alerts, q.ID)
	}
	page, err := f.s.SearchAudit(f.ctx, AuditQuery{ReferralID: f.referral.ID, Action: AuditQuestionnaire})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range page.Entries {
		audited = audited || (e.Action == AuditQuestionnaire && strings.Contains(e.Detail, "FHIR QuestionnaireResponse"))
	}
	if !audited {
		t.Errorf("no audit row for the relayed questionnaire in %+v", page.Entries)
	}
	nc := session("2026-03-10", phq9, answers(1, 1, 1, 1, 1, 1, 1))
	nc.FromQuestionnaire = q.ID
	c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, nc)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range c.Scores {
		want := map[measures.InstrumentID]Source{measures.PHQ9: SourcePatient, measures.GAD7: SourceTherapist}[sc.Instrument]
		if sc.Source != want {
			t.Errorf("%s source = %q, want %q", sc.Instrument, sc.Source, want)
		}
	}
	if alerts := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID}); len(alerts) != 1 {
		t.Errorf("confirming the relayed answers unchanged opened another alert: %+v", alerts)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-10", "completed", "", EndRisk{}); !errors.Is(err, ErrRiskUnacknowledged) {
		t.Fatalf("ending with the relayed answer's alert open: %v, want ErrRiskUnacknowledged", err)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-10", "completed", "", EndRisk{Acknowledged: true, Note: "Risk assessed at the session"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, map[measures.InstrumentID][]*int{measures.PHQ9: phq9}, "test")
	wantFields(t, err, "referral")
}

// A PHQ-9 and a GAD-7 relayed separately the same day are one set of
// answers, as the patient pages send them; a second PHQ-9 starts another.
func TestRelayQuestionnaireJoinsTheDaysAnswers(t *testing.T) {
	f := newFixture(t)
	phq9, gad7 := answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(2, 2, 2, 2, 2, 2, 2)
	first, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, map[measures.InstrumentID][]*int{measures.PHQ9: phq9}, "test")
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, map[measures.InstrumentID][]*int{measures.GAD7: gad7}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID || !sameAnswers(second.Answers[measures.PHQ9], phq9) || !sameAnswers(second.Answers[measures.GAD7], gad7) {
		t.Errorf("GAD-7 after PHQ-9 = %+v, want it joined to questionnaire %d", second, first.ID)
	}
	third, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, map[measures.InstrumentID][]*int{measures.PHQ9: answers(0, 0, 0, 0, 0, 0, 0, 0, 0)}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if third.ID == first.ID {
		t.Error("a second PHQ-9 was joined to the first set")
	}
	qs, err := f.s.Questionnaires(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || len(qs[1].Answers) != 2 || qs[1].ID != first.ID {
		t.Errorf("questionnaires = %+v, want the joined set and the new PHQ-9", qs)
	}
}

// A PHQ-9 relayed after the day's GAD-7 joins its set, and its item 9
// answer opens a risk alert as surely as one relayed alone.
func TestRelayedPHQ9JoiningTheDaysAnswersOpensRiskAlert(t *testing.T) {
	f := newFixture(t)
	first, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, map[measures.InstrumentID][]*int{measures.GAD7: answers(1, 1, 1, 1, 1, 1, 1)}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if alerts := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID}); len(alerts) != 0 {
		t.Fatalf("a GAD-7 alone opened alerts: %+v", alerts)
	}
	second, err := f.s.RelayQuestionnaire(f.ctx, f.therapist, f.referral.ID, map[measures.InstrumentID][]*int{measures.PHQ9: answers(1, 1, 1, 1, 1, 1, 1, 1, 1)}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID {
		t.Fatalf("PHQ-9 after GAD-7 kept as questionnaire %d, want it joined to %d", second.ID, first.ID)
	}
	alerts := f.alerts(t, RiskAlertFilter{ReferralID: f.referral.ID})
	if len(alerts) != 1 || alerts[0].QuestionnaireID != first.ID || alerts[0].Source != RiskFromPatient ||
		alerts[0].Item9 != 1 || alerts[0].Priority != "standard" || alerts[0].AnsweredAt.IsZero() {
		t.Errorf("alerts = %+v, want one standard-priority patient alert for questionnaire %d", alerts, first.ID)
	}
	if n := f.auditCount(t, AuditOpenRiskAlert); n != 1 {
		t.Errorf("%d audit rows for opened alerts, want 1", n)
	}
}
