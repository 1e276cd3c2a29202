package ui

import (
	"time"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The JSON API's response shapes (docs/api.md). Field names are snake_case
// and stable; dates are YYYY-MM-DD, instants RFC 3339 in UTC.

type patientJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	DateOfBirth string    `json:"date_of_birth"`
	NHSNumber   string    `json:"nhs_number"`
	CreatedAt   time.Time `json:"created_at"`
}

func newPatientJSON(p caseload.Patient) patientJSON {
	return patientJSON{ID: p.ID, Name: p.Name, DateOfBirth: p.DateOfBirth, NHSNumber: p.NHSNumber, CreatedAt: p.CreatedAt.UTC()}
}

type referralJSON struct {
	ID                     int64          `json:"id"`
	PatientID              int64          `json:"patient_id"`
	PatientName            string         `json:"patient_name"`
	TherapistID            int64          `json:"therapist_id"`
	TherapistName          string         `json:"therapist_name"`
	TeamID                 int64          `json:"team_id"`
	ReceivedOn             string         `json:"received_on"`
	ProblemDescriptor      string         `json:"problem_descriptor"`
	ProblemDescriptorLabel string         `json:"problem_descriptor_label"`
	PairedMeasure          string         `json:"paired_measure"`
	Intensity              string         `json:"intensity"`
	EndedOn                *string        `json:"ended_on"`
	EndReason              *string        `json:"end_reason"`
	BringToSupervision     *string        `json:"bring_to_supervision"`
	CreatedAt              time.Time      `json:"created_at"`
	Waiting                bool           `json:"waiting"` // on its team's waiting list, for a therapist (issue 14)
	Patient                *patientJSON   `json:"patient,omitempty"`
	Contacts               *[]contactJSON `json:"contacts,omitempty"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newReferralJSON(r caseload.Referral) referralJSON {
	return referralJSON{
		ID:                     r.ID,
		PatientID:              r.PatientID,
		PatientName:            r.PatientName,
		TherapistID:            r.TherapistID,
		TherapistName:          r.TherapistName,
		TeamID:                 r.TeamID,
		ReceivedOn:             r.ReceivedOn,
		ProblemDescriptor:      r.ProblemDescriptor,
		ProblemDescriptorLabel: measures.DescriptorLabel(r.ProblemDescriptor),
		PairedMeasure:          string(measures.PairedADSM(r.ProblemDescriptor)),
		Intensity:              string(r.Intensity),
		EndedOn:                optional(r.EndedOn),
		EndReason:              optional(r.EndReason),
		BringToSupervision:     optional(r.BringToSupervision),
		CreatedAt:              r.CreatedAt.UTC(),
		Waiting:                r.Waiting,
	}
}

type contactJSON struct {
	ID         int64       `json:"id"`
	ReferralID int64       `json:"referral_id"`
	Date       string      `json:"date"`
	Kind       string      `json:"kind"`
	Attendance string      `json:"attendance"`
	Intensity  string      `json:"intensity"` // the referral's intensity at this contact (issue 14)
	Scores     []scoreJSON `json:"scores"`
	RecordedBy int64       `json:"recorded_by"`
	RecordedAt time.Time   `json:"recorded_at"`
	// The data set fields (issue 12), absent when not recorded.
	Medium           string `json:"medium,omitempty"`
	DurationMinutes  int    `json:"duration_minutes,omitempty"`
	TherapyType      string `json:"therapy_type,omitempty"`
	EmploymentStatus string `json:"employment_status,omitempty"`
	// RiskAlertID: on a newly recorded contact, the risk alert its PHQ-9
	// item 9 answer opened (issue 11); left out when none.
	RiskAlertID int64 `json:"risk_alert_id,omitempty"`
}

func newContactJSON(c caseload.Contact) contactJSON {
	out := contactJSON{
		ID: c.ID, ReferralID: c.ReferralID, Date: c.Date, Kind: string(c.Kind), Attendance: string(c.Attendance),
		Intensity: string(c.Intensity), Scores: []scoreJSON{}, RecordedBy: c.RecordedBy, RecordedAt: c.RecordedAt.UTC(),
		Medium: c.Medium, DurationMinutes: c.DurationMinutes, TherapyType: c.TherapyType, EmploymentStatus: c.EmploymentStatus,
	}
	for _, s := range sortedScores(c.Scores) {
		out.Scores = append(out.Scores, newScoreJSON(s))
	}
	return out
}

// scoreJSON is a recorded score with what measures says of it: the
// severity band (PHQ-9, GAD-7), whether it is at caseness, and for PHQ-9 the
// risk level of item 9.
type scoreJSON struct {
	ID               int64      `json:"id"`
	Instrument       string     `json:"instrument"`
	Items            []*int     `json:"items,omitempty"`
	Total            float64    `json:"total"`
	Display          string     `json:"display"`
	Prorated         bool       `json:"prorated"`
	Severity         *string    `json:"severity"`
	AtCaseness       *bool      `json:"at_caseness"`
	Risk             *string    `json:"risk,omitempty"`
	Source           string     `json:"source"`
	Current          bool       `json:"current"`
	RecordedBy       int64      `json:"recorded_by"`
	RecordedAt       time.Time  `json:"recorded_at"`
	SupersededAt     *time.Time `json:"superseded_at"`
	SupersededBy     *int64     `json:"superseded_by"`
	CorrectionReason *string    `json:"correction_reason"`
	Replaces         *int64     `json:"replaces"`
}

func newScoreJSON(s caseload.Score) scoreJSON {
	out := scoreJSON{
		ID: s.ID, Instrument: string(s.Instrument), Items: s.Items, Total: s.Total, Prorated: s.Prorated,
		Source: string(s.Source), Current: s.Current(), RecordedBy: s.RecordedBy, RecordedAt: s.RecordedAt.UTC(),
		Severity: optional(measures.Severity(s.Instrument, s.Total)), CorrectionReason: optional(s.CorrectionReason),
	}
	if in, ok := measures.Lookup(s.Instrument); ok {
		out.Display = in.Format(s.Total)
		if in.HasCaseness {
			c := in.IsCase(s.Total)
			out.AtCaseness = &c
		}
	}
	if s.Instrument == measures.PHQ9 && len(s.Items) == 9 {
		r := measures.RiskOf(s.Items[8]).String()
		out.Risk = &r
	}
	if !s.Current() {
		t := s.SupersededAt.UTC()
		out.SupersededAt = &t
		by := s.SupersededBy
		out.SupersededBy = &by
	}
	if s.Replaces != 0 {
		r := s.Replaces
		out.Replaces = &r
	}
	return out
}

// outcomeJSON is the outcome endpoint's shape, exactly as issue 3 gives it:
// booleans false and scores null where they do not apply.
type outcomeJSON struct {
	// Open says the judgements are "so far": the referral has not ended.
	Open                  bool               `json:"open"`
	FinishedCourse        bool               `json:"finished_course"`
	TreatmentSessions     int                `json:"treatment_sessions"`
	AtCaseness            bool               `json:"at_caseness"`
	Recovered             bool               `json:"recovered"`
	ReliableImprovement   bool               `json:"reliable_improvement"`
	ReliableDeterioration bool               `json:"reliable_deterioration"`
	ReliableRecovery      bool               `json:"reliable_recovery"`
	PHQ9                  measureOutcomeJSON `json:"phq9"`
	Anxiety               anxietyOutcomeJSON `json:"anxiety"`
}

type measureOutcomeJSON struct {
	First  *float64 `json:"first"`
	Last   *float64 `json:"last"`
	Paired bool     `json:"paired"`
}

type anxietyOutcomeJSON struct {
	Instrument string   `json:"instrument"`
	First      *float64 `json:"first"`
	Last       *float64 `json:"last"`
	Paired     bool     `json:"paired"`
}

func newMeasureOutcomeJSON(m measures.MeasureOutcome) measureOutcomeJSON {
	if m.Count == 0 {
		return measureOutcomeJSON{}
	}
	first, last := m.First, m.Last
	return measureOutcomeJSON{First: &first, Last: &last, Paired: m.Paired}
}

func newOutcomeJSON(o measures.Outcome, descriptor string) outcomeJSON {
	anxiety := o.Anxiety
	if anxiety == "" {
		anxiety = measures.PairedADSM(descriptor)
	}
	out := outcomeJSON{
		Open:              o.Open,
		FinishedCourse:    o.FinishedCourse,
		TreatmentSessions: o.TreatmentSessions,
		AtCaseness:        o.AtCaseness,
		PHQ9:              newMeasureOutcomeJSON(o.PHQ9),
		Anxiety:           newAnxietyOutcomeJSON(anxiety, o.AnxietyM),
	}
	// Recovery and reliable change are judged so far while a referral is
	// open, and of a finished course of treatment once it ends; a referral
	// that ended without one (fewer than two treatment sessions) is not
	// judged at all, as in the national figures, so they are false.
	if o.Open || o.FinishedCourse {
		out.Recovered = o.Recovered
		out.ReliableImprovement = o.ReliableImprovement
		out.ReliableDeterioration = o.ReliableDeterioration
		out.ReliableRecovery = o.ReliableRecovery
	}
	return out
}

func newAnxietyOutcomeJSON(id measures.InstrumentID, m measures.MeasureOutcome) anxietyOutcomeJSON {
	v := newMeasureOutcomeJSON(m)
	return anxietyOutcomeJSON{Instrument: string(id), First: v.First, Last: v.Last, Paired: v.Paired}
}
