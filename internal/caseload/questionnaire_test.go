package caseload

import (
	"errors"
	"testing"

	"clinic/internal/measures"
)

// patientUser invites f's patient and returns their user.
func (f *fixture) patientUser(t *testing.T) User {
	t.Helper()
	u, err := f.accept(f.invite(t), f.patient.DateOfBirth, "pat@example.com", "a")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func patientAnswers(phq9, gad7 []*int) map[measures.InstrumentID][]*int {
	return map[measures.InstrumentID][]*int{measures.PHQ9: phq9, measures.GAD7: gad7}
}

func (f *fixture) outcome(t *testing.T) measures.Outcome {
	t.Helper()
	d, err := f.s.ReferralDetail(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d.Outcome
}

func TestSubmitQuestionnaireValidation(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	tests := []struct {
		name    string
		answers map[measures.InstrumentID][]*int
		fields  []string
	}{
		{"nothing", map[measures.InstrumentID][]*int{}, []string{"answers.phq9", "answers.gad7"}},
		{"an unanswered PHQ-9 question", patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, -1, 1), answers(1, 1, 1, 1, 1, 1, 1)), []string{"answers.phq9.items.8"}},
		{"an answer out of range", patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 4), answers(1, 1, 1, 1, 1, 1, 1)), []string{"answers.phq9.items.9"}},
		{"GAD-7 short", patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1)), []string{"answers.gad7"}},
		{"WSAS begun, not finished", map[measures.InstrumentID][]*int{
			measures.PHQ9: answers(1, 1, 1, 1, 1, 1, 1, 1, 1), measures.GAD7: answers(1, 1, 1, 1, 1, 1, 1), measures.WSAS: answers(-1, 2, -1, 3, 4),
		}, []string{"answers.wsas.items.3"}},
		{"an instrument patients do not complete", map[measures.InstrumentID][]*int{
			measures.PHQ9: answers(1, 1, 1, 1, 1, 1, 1, 1, 1), measures.GAD7: answers(1, 1, 1, 1, 1, 1, 1), measures.Phobia: answers(1, 1, 1),
		}, []string{"answers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, tt.answers)
			wantFields(t, err, tt.fields...)
		})
	}
	// WSAS without the work question (not working) is fine.
	if _, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, map[measures.InstrumentID][]*int{
		measures.PHQ9: answers(1, 1, 1, 1, 1, 1, 1, 1, 0), measures.GAD7: answers(1, 1, 1, 1, 1, 1, 1), measures.WSAS: answers(-1, 2, 2, 3, 4),
	}); err != nil {
		t.Errorf("WSAS without work: %v", err)
	}
}

func TestSubmitQuestionnaireOnlyOwnOpenReferral(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	other, err := f.s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Other Person", DateOfBirth: "1970-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: other.ID, ReceivedOn: "2026-02-01", ProblemDescriptor: "F32", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	ok := patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(1, 1, 1, 1, 1, 1, 1))
	if _, err := f.s.SubmitQuestionnaire(f.ctx, pat, ref.ID, ok); !errors.Is(err, ErrNotFound) {
		t.Errorf("another patient's referral: %v, want ErrNotFound", err)
	}
	if _, err := f.s.SubmitQuestionnaire(f.ctx, f.therapist, f.referral.ID, ok); !errors.Is(err, ErrNotFound) {
		t.Errorf("a therapist: %v, want ErrNotFound", err)
	}
	if _, err := f.s.EndReferral(f.ctx, f.therapist, f.referral.ID, "2026-03-01", "completed", "", EndRisk{}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, ok)
	wantFields(t, err, "referral")
}

func TestPendingItem9RaisesRiskAtOnce(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-03-02", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2))); err != nil {
		t.Fatal(err)
	}
	if r := measures.RiskOf(f.outcome(t).LatestItem9); r != measures.RiskNone {
		t.Fatalf("risk before = %v", r)
	}
	q, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(2, 2, 2, 2, 2, 2, 2, 2, 2), answers(2, 2, 2, 2, 2, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	o := f.outcome(t)
	if r := measures.RiskOf(o.LatestItem9); r != measures.RiskHigh {
		t.Errorf("risk after a pending item 9 of 2 = %v, want high", r)
	}
	flags := measures.Flags(o, f.referral.ProblemDescriptor, f.referral.Intensity, f.clock.t, nil)
	if len(flags) == 0 || flags[0].Code != measures.FlagRisk {
		t.Errorf("flags = %+v, want risk first", flags)
	}

	// The patient sends again with item 9 at 0 and keeps the new one: the
	// answer they set aside still counts until a session settles it.
	q2, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.KeepQuestionnaire(f.ctx, pat, f.referral.ID, q2.ID); err != nil {
		t.Fatal(err)
	}
	if r := measures.RiskOf(f.outcome(t).LatestItem9); r != measures.RiskHigh {
		t.Errorf("risk after keeping a later 0 = %v, want still high", r)
	}
	qs, err := f.s.Questionnaires(f.ctx, f.referral.ID)
	if err != nil || len(qs) != 2 || qs[0].ID != q2.ID || qs[0].Status != QuestionnairePending || qs[1].ID != q.ID || qs[1].Status != QuestionnaireDiscarded {
		t.Fatalf("questionnaires = %+v, %v", qs, err)
	}

	// Kept summaries equal a rebuild from scratch.
	var kept string
	if err := f.s.db.QueryRow(`SELECT outcome_json FROM referral_summary WHERE referral_id = ?`, f.referral.ID).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RebuildSummaries(f.ctx); err != nil {
		t.Fatal(err)
	}
	var rebuilt string
	if err := f.s.db.QueryRow(`SELECT outcome_json FROM referral_summary WHERE referral_id = ?`, f.referral.ID).Scan(&rebuilt); err != nil {
		t.Fatal(err)
	}
	if kept != rebuilt {
		t.Errorf("kept summary differs from a rebuild:\nkept    %s\nrebuilt %s", kept, rebuilt)
	}

	// The session confirms the kept answers: the set-aside one is settled
	// by it and the risk follows the session's PHQ-9.
	f.clock.t = f.clock.t.AddDate(0, 0, 1)
	nc := session("2026-03-11", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2))
	nc.FromQuestionnaire = q2.ID
	if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, nc); err != nil {
		t.Fatal(err)
	}
	if r := measures.RiskOf(f.outcome(t).LatestItem9); r != measures.RiskNone {
		t.Errorf("risk after the session = %v, want none", r)
	}
}

func TestConfirmQuestionnaireKeepsPatientSource(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	phq9, gad7 := answers(2, 1, 2, 1, 2, 1, 2, 1, 0), answers(1, 2, 1, 2, 1, 2, 1)
	q, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, map[measures.InstrumentID][]*int{
		measures.PHQ9: phq9, measures.GAD7: gad7, measures.WSAS: answers(3, 3, 3, 3, 3),
	})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(phq9, gad7))
	if err != nil {
		t.Fatal(err)
	}
	// The therapist confirms q, changing one GAD-7 answer with the patient
	// and adding a measure of their own.
	nc := session("2026-03-10", phq9, answers(1, 2, 1, 2, 1, 2, 3))
	nc.Scores[measures.WSAS] = ScoreInput{Items: answers(3, 3, 3, 3, 3)}
	nc.Scores[measures.PDSS] = ScoreInput{Total: total(9)}
	nc.FromQuestionnaire = q.ID
	c, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, nc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[measures.InstrumentID]Source{}
	for _, sc := range c.Scores {
		got[sc.Instrument] = sc.Source
	}
	want := map[measures.InstrumentID]Source{measures.PHQ9: SourcePatient, measures.WSAS: SourcePatient, measures.GAD7: SourceTherapist, measures.PDSS: SourceTherapist}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s source = %q, want %q", id, got[id], w)
		}
	}
	qs, err := f.s.Questionnaires(f.ctx, f.referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range qs {
		switch x.ID {
		case q.ID:
			if x.Status != QuestionnaireConfirmed || x.ContactID != c.ID {
				t.Errorf("confirmed questionnaire = %+v", x)
			}
		case stale.ID:
			if x.Status != QuestionnaireDiscarded || x.ContactID != c.ID {
				t.Errorf("the other pending questionnaire = %+v, want discarded by the contact", x)
			}
		}
	}
	// A questionnaire is confirmed once.
	nc.Date, nc.SubmissionID = "2026-03-10", "again"
	_, err = f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, nc)
	wantFields(t, err, "from_questionnaire")
}

func TestKeepQuestionnaireOnlyOwnPending(t *testing.T) {
	f := newFixture(t)
	pat := f.patientUser(t)
	q, err := f.s.SubmitQuestionnaire(f.ctx, pat, f.referral.ID, patientAnswers(answers(1, 1, 1, 1, 1, 1, 1, 1, 0), answers(1, 1, 1, 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.KeepQuestionnaire(f.ctx, f.therapist, f.referral.ID, q.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("someone else keeping it: %v", err)
	}
	if err := f.s.KeepQuestionnaire(f.ctx, pat, f.referral.ID+1, q.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("on another referral: %v", err)
	}
	if err := f.s.KeepQuestionnaire(f.ctx, pat, f.referral.ID, q.ID); err != nil {
		t.Errorf("own: %v", err)
	}
}
