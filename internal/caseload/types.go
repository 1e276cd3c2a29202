// Package caseload holds clinic's domain: users and teams, patients,
// referrals, contacts and their scores, supervision reviews and the per-referral
// outcome summaries, with their validation and all of the SQL (the Store).
// Clinical judgements come from internal/measures; nothing here knows HTTP.
package caseload

import (
	"errors"
	"sort"
	"time"

	"clinic/internal/measures"
)

// ErrNotFound is returned when a record does not exist (or, for callers that
// must not learn of its existence, is not theirs to see).
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule (an
// e-mail already in use, a duplicate submission).
var ErrConflict = errors.New("conflict")

// ErrBadCredentials is returned when a sign-in or an API token does not
// identify an active user. It never says which part was wrong.
var ErrBadCredentials = errors.New("bad credentials")

// ValidationError carries a message per field. Field names are those of the
// JSON API ("date_of_birth", "scores.phq9.items.4"); the HTML forms use the
// same names.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	for _, k := range sortedKeys(e.Fields) {
		return k + ": " + e.Fields[k]
	}
	return "invalid input"
}

// Role is what a signed-in user is.
type Role string

const (
	RoleTherapist  Role = "therapist"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
	RolePatient    Role = "patient"
)

// Team is a group of therapists with one or more supervisors.
type Team struct {
	ID   int64
	Name string
}

// User is a member of staff or a patient who can sign in.
type User struct {
	ID        int64
	Email     string // staff sign in by e-mail; patients by the e-mail they chose at invitation
	Name      string
	Role      Role
	TeamID    int64   // a therapist's team; 0 otherwise
	TeamName  string  // for display
	Teams     []int64 // the teams a supervisor supervises
	PatientID int64   // for a patient user: whose records
	Disabled  bool
	// Covering are the therapists whose caseloads a therapist covers today
	// (issue 14): filled by the HTTP layer's gate from Store.Covering.
	Covering  []int64
	CreatedAt time.Time
}

// NewUser is the input for creating a user. Team is a team name, created when
// new; for a therapist it is their team, for a supervisor the team they
// supervise.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	Team     string
	Password string
}

// Patient is a person referred to the service.
type Patient struct {
	ID          int64
	Name        string
	DateOfBirth string // YYYY-MM-DD
	NHSNumber   string // ten digits, or empty
	CreatedAt   time.Time
}

// NewPatient is the input for creating a patient.
type NewPatient struct {
	Name        string
	DateOfBirth string
	NHSNumber   string
	// Demographics, when any is given, are kept as the patient's first
	// version (issue 12).
	Demographics Demographics
	// NotDuplicate: the user has said that this is not the patient already
	// on record with the same name and date of birth (duplicates.go).
	NotDuplicate bool
}

// Referral is one episode of care of a patient, on one therapist's caseload.
type Referral struct {
	ID                 int64
	PatientID          int64
	PatientName        string
	TherapistID        int64
	TherapistName      string
	TeamID             int64
	ReceivedOn         string // YYYY-MM-DD
	ProblemDescriptor  string // canonical code, "F41.1"
	Intensity          measures.Intensity
	EndedOn            string // YYYY-MM-DD, empty while open
	EndReason          string // one of EndReasons, empty while open
	BringToSupervision string // reason given by the therapist, empty when not asked
	CreatedAt          time.Time
	// Dataset is set on a referral just created; other reads leave it
	// empty (Store.ReferralDataset reads it).
	Dataset ReferralDataset
	// Waiting: received without a therapist, on its team's waiting list
	// until a supervisor allocates it; meanwhile TherapistID is whoever
	// received it (transfer.go).
	Waiting bool
}

// Open reports whether the referral has not ended.
func (r Referral) Open() bool { return r.EndedOn == "" }

// EndReasons are the reasons a referral can end for.
var EndReasons = []string{"completed", "dropped_out", "declined", "moved", "referred_on", "other"}

// NewReferral is the input for creating a referral. TherapistID is the
// therapist whose caseload it joins.
type NewReferral struct {
	PatientID   int64
	TherapistID int64
	// TeamID, with no TherapistID, puts the referral on this team's
	// waiting list (a supervisor of the team receiving it).
	TeamID            int64
	ReceivedOn        string
	ProblemDescriptor string
	Intensity         string
	// The data set fields (issue 12), optional.
	SourceOfReferral string
	LTCPathway       bool
	LocalID          string // set by the import only
}

// Source says who entered a score.
type Source string

const (
	SourceTherapist Source = "therapist"
	SourcePatient   Source = "patient"
)

// Score is one questionnaire recorded at a contact. A corrected score is kept,
// marked superseded, and its replacement points back to it.
type Score struct {
	ID         int64
	ContactID  int64
	Instrument measures.InstrumentID
	Items      []*int // raw answers for itemised instruments; nil for totals
	Total      float64
	Prorated   bool
	Source     Source
	RecordedBy int64
	RecordedAt time.Time

	SupersededAt     time.Time // zero while current
	SupersededBy     int64     // the user who corrected it
	CorrectionReason string    // why it was corrected
	Replaces         int64     // the score this one corrects, 0 when original
}

// Current reports whether the score is the one in force.
func (s Score) Current() bool { return s.SupersededAt.IsZero() }

// Contact is one appointment of a referral.
type Contact struct {
	ID         int64
	ReferralID int64
	Date       string               // YYYY-MM-DD
	Kind       measures.ContactKind // its purpose, one of measures.ContactKinds
	Attendance measures.Attendance  // one of measures.Attendances (a first-release "cancelled" reads as by the patient)
	// The data set fields (issue 12), empty or 0 when not recorded.
	Medium           string // a dataset.Media word
	DurationMinutes  int
	TherapyType      string  // SNOMED CT, dataset.TherapyType
	EmploymentStatus string  // dataset.EmployStatus
	LocalID          string  // CareContactId in the system it was imported from
	Scores           []Score // current and superseded, current first per instrument
	RecordedBy       int64
	RecordedAt       time.Time
	Intensity        measures.Intensity // the referral's intensity when the contact was recorded
}

// ScoreInput is a questionnaire as entered: Items for itemised instruments
// (nil entries are unanswered), Total for the others.
type ScoreInput struct {
	Items []*int
	Total *float64
}

// NewContact is the input for recording a contact. Scores are keyed by
// instrument; a non-attended contact must carry none. SubmissionID, when
// set, makes the write idempotent: a second contact with the same
// SubmissionID on the same referral is not recorded again and the first is
// returned (a double-clicked form records once).
type NewContact struct {
	Date         string
	Kind         string
	Attendance   string
	Scores       map[measures.InstrumentID]ScoreInput
	Source       Source
	SubmissionID string
	// FromQuestionnaire, when set, marks that patient-submitted questionnaire
	// as confirmed by this contact.
	FromQuestionnaire int64
	// The data set fields (issue 12), each optional. An attended treatment
	// appointment without a therapy type gets the default of the
	// referral's intensity.
	Medium           string
	DurationMinutes  int
	TherapyType      string
	EmploymentStatus string
	LocalID          string // set by the import only
	// CheckOnly checks the contact and records nothing: RecordContact
	// returns its ValidationError, or ErrCheckedOnly when all is well. A
	// form with problems of its own uses it to show every problem at once.
	CheckOnly bool
}

// ReferralDetail is a referral with its record: patient, contacts and
// scores, outcome so far, reviews and the names of the users who recorded or
// corrected its scores (ReferralSnapshot adds the rest of what its page
// shows).
type ReferralDetail struct {
	Referral Referral
	Patient  Patient
	Contacts []Contact // by date, then by recording order
	Outcome  measures.Outcome
	Reviews  []Review
	Names    map[int64]string // user names by id, for the scores' recorders and correctors only
	// RiskAlerts are every risk alert of the referral, open ones first.
	RiskAlerts []RiskAlert
}

// ReferralSnapshot is everything a referral's page shows of the record, read
// in one transaction: its detail, its flags as of today, the service's
// expected response for the charts, and the patient's side (invitations and
// the questionnaires they sent).
type ReferralSnapshot struct {
	ReferralDetail
	Flags          []measures.Flag      // as of today, highest severity first; none once ended
	Expectation    measures.Expectation // the band of comparable finished cases
	Invitations    []Invitation         // newest first
	Questionnaires []Questionnaire      // newest first
	Moves          []Move               // allocation, steps and transfers, oldest first
}

// CaseloadRow is one open referral on a caseload, read from its summary.
type CaseloadRow struct {
	Referral Referral
	Outcome  measures.Outcome
	// AnswersWaiting counts questionnaires the patient sent before a
	// session that no session has confirmed yet.
	AnswersWaiting int
}

// Review is a supervision review of a referral.
type Review struct {
	ID             int64
	ReferralID     int64
	SupervisorID   int64
	SupervisorName string
	Date           string // YYYY-MM-DD
	Decision       string // one of ReviewDecisions
	Note           string
	FlagCodes      []string // the flags in force when it was recorded
	CreatedAt      time.Time
}

// ReviewDecisions are the decisions a supervisor can record.
var ReviewDecisions = []string{"continue", "step_up", "step_down", "discharge", "refer_on", "risk_plan_agreed"}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
