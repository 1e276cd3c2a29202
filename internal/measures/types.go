// Package measures holds clinic's clinical rules as pure functions: the
// instrument catalogue, scoring and validation, severity bands, caseness,
// reliable change, the paired anxiety measure for a problem descriptor, the
// outcome of a referral, service rates, and the supervision flags.
//
// The rules follow NHS England's NHS Talking Therapies definitions as gathered
// in shared/reference/outcomes.md; each cut-off carries a comment naming its
// source. Nothing here does I/O, reads the clock, logs or knows about SQL or
// HTTP: callers pass dates in and get judgements back.
package measures

import "time"

// RuleSet names this version of the rules. Reports print it so that a service
// can check the values marked "to confirm" against the current NHS Talking
// Therapies Manual; stored summaries carry it so a rule change can be rebuilt.
//
// nhs-tt-2026.1 (issue 12): treatment appointments are treatment,
// assessment and treatment, and review and treatment, attended on time or
// late but seen (AppType 02, 03, 05; AttendOrDNACode 5, 6); "not at
// caseness at the start" needs both first scores below caseness; body
// dysmorphic disorder, chronic fatigue, IBS and medically unexplained
// symptoms are accepted as descriptors and judged on GAD-7 (RuleSetNote).
const RuleSet = "nhs-tt-2026.1"

// RuleSetNote is said beside the rule-set version on reports (outcomes.md
// section 2): the four descriptors with their own measures since data set
// v2.1 fall back to GAD-7 while those measures' cut-offs are unconfirmed.
const RuleSetNote = "Body dysmorphic disorder, chronic fatigue syndrome, irritable bowel syndrome and medically unexplained symptoms are judged on GAD-7: their own measures' cut-offs are not confirmed."

// InstrumentID is a questionnaire's stable identifier, as used in the API and
// the database.
type InstrumentID string

// The instruments of the reference table (outcomes.md section 1).
const (
	PHQ9    InstrumentID = "phq9"
	GAD7    InstrumentID = "gad7"
	MIAlone InstrumentID = "mi_alone"
	SPIN    InstrumentID = "spin"
	PDSS    InstrumentID = "pdss"
	OCI     InstrumentID = "oci"
	IESR    InstrumentID = "iesr"
	HAI     InstrumentID = "hai"
	WSAS    InstrumentID = "wsas"
	Phobia  InstrumentID = "phobia"
)

// Item is one question of an itemised instrument. Text is the full wording
// for PHQ-9 and GAD-7 (free to reproduce) and a short domain label for WSAS
// and the phobia scales. Copyrighted ADSMs have no items here at all.
type Item struct {
	Number int
	Text   string
}

// Instrument describes one questionnaire.
type Instrument struct {
	ID    InstrumentID
	Name  string // short name shown in tables and charts: "PHQ-9"
	Title string // full name: "Patient Health Questionnaire (depression)"
	// About says in plain words what the questionnaire measures, for patients.
	About string
	// Stem is the question put before the items of an itemised instrument
	// ("Over the last 2 weeks, how often..."); empty for total-only ones.
	Stem string

	// Itemised instruments are recorded answer by answer (PHQ-9, GAD-7, WSAS,
	// phobia scales); the others are recorded as a total (the MI as an item
	// mean to two decimals).
	Itemised  bool
	Items     []Item
	ItemMin   int
	ItemMax   int
	Answers   []string // labels for answers ItemMin..ItemMax, where the instrument has them; "" where a point has no label (WSAS 1, 3...)
	ItemCount int      // number of items (also for total-only instruments)

	Min, Max float64 // valid range of the total
	Decimals int     // decimals a total is shown and kept with (MI: 2)

	// MaxProrated is how many unanswered items may be replaced by the mean of
	// the answered ones (PHQ-9, GAD-7: 2); 0 means every item is required.
	MaxProrated int

	HasCaseness    bool    // false for WSAS and the phobia scales
	Caseness       float64 // a total at or above this is a clinical case...
	StrictCaseness bool    // ...or strictly above it (the Mobility Inventory)
	RC             float64 // reliable change in points; 0 when none is defined
}

// Score is a validated questionnaire result. Items holds the raw answers as
// given (nil for an unanswered item) for itemised instruments; Total is
// always computed here, never taken from a client for itemised instruments.
type Score struct {
	Instrument InstrumentID
	Items      []*int
	Total      float64
	Prorated   bool // one or more unanswered items were pro-rated
	Missing    int  // number of unanswered items
}

// FieldError is a problem with one field of a questionnaire, in words a
// clinician understands. Field is "phq9.items.4" (1-based item number),
// "phq9.items" or "spin.total".
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists everything wrong with a questionnaire or a set of
// them. It is returned by value-pointer (*ValidationError).
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Errors) == 0 {
		return "invalid questionnaire"
	}
	msg := e.Errors[0].Message
	if len(e.Errors) > 1 {
		msg += " (and more)"
	}
	return msg
}

// Risk is the level of the PHQ-9 item 9 answer (outcomes.md section 4).
type Risk int

const (
	RiskNone    Risk = iota // item 9 answered 0, or not answered
	RiskPresent             // item 9 answered 1: a risk review that day
	RiskHigh                // item 9 answered 2 or 3: high priority
)

// Descriptor is a problem descriptor offered when a referral is made: an
// ICD-10 code, its label, and the anxiety measure it pairs with.
type Descriptor struct {
	Code    string // canonical form with a dot: "F41.1"
	Label   string // "Generalised anxiety disorder"
	Measure InstrumentID
}

// Intensity is the step of care.
type Intensity string

const (
	LowIntensity  Intensity = "low"
	HighIntensity Intensity = "high"
)

// ContactKind is the kind of appointment.
type ContactKind string

// The six purposes of the data set's AppType (dataset.md): 01 assessment,
// 02 treatment, 03 assessment and treatment, 04 review without treatment,
// 05 review and treatment, 06 follow-up after discharge.
const (
	Assessment          ContactKind = "assessment"
	Treatment           ContactKind = "treatment"
	AssessmentTreatment ContactKind = "assessment_treatment"
	Review              ContactKind = "review"
	ReviewTreatment     ContactKind = "review_treatment"
	FollowUp            ContactKind = "follow_up"
)

// ContactKinds are every purpose, in the data set's order.
var ContactKinds = []ContactKind{Assessment, Treatment, AssessmentTreatment, Review, ReviewTreatment, FollowUp}

// IsTreatment says whether a contact of this kind is a treatment
// appointment: treatment, assessment and treatment, or review and
// treatment (NHS England: AppType IN ('02','03','05'); outcomes.md
// section 3). Assessments, reviews without treatment and follow-ups are not.
func (k ContactKind) IsTreatment() bool {
	return k == Treatment || k == AssessmentTreatment || k == ReviewTreatment
}

// Attendance says whether the patient came.
type Attendance string

// The six outcomes of the data set's AttendOrDNACode (dataset.md): 5
// attended on time, 6 arrived late but seen, 7 arrived late and not seen,
// 3 did not attend, 2 cancelled by the patient, 4 cancelled by the
// provider. Cancelled is the first release's word, meaning cancelled by the
// patient; it is still read.
const (
	Attended            Attendance = "attended"
	AttendedLate        Attendance = "attended_late"
	LateNotSeen         Attendance = "late_not_seen"
	DNA                 Attendance = "dna" // did not attend
	CancelledByPatient  Attendance = "cancelled_by_patient"
	CancelledByProvider Attendance = "cancelled_by_provider"
	Cancelled           Attendance = "cancelled"
)

// Attendances are every attendance outcome a contact is recorded with, in
// the data set's order (Cancelled, the legacy word, is not offered).
var Attendances = []Attendance{Attended, AttendedLate, LateNotSeen, DNA, CancelledByPatient, CancelledByProvider}

// IsAttended says whether the patient was seen: attended on time or arrived
// late but seen (AttendOrDNACode 5 or 6; outcomes.md section 3). Arriving
// too late to be seen is not attending.
func (a Attendance) IsAttended() bool { return a == Attended || a == AttendedLate }

// Contact is one appointment of a referral as the rules see it. Only attended
// contacts carry scores.
type Contact struct {
	Date       time.Time // calendar date at UTC midnight
	Kind       ContactKind
	Attendance Attendance
	Scores     map[InstrumentID]float64 // valid totals recorded at this contact
	Item9      *int                     // PHQ-9 item 9 answer when a PHQ-9 was recorded
}

// Referral is what the outcome rules need to know of a referral.
type Referral struct {
	Received   time.Time // calendar date the referral was received
	Descriptor string    // problem descriptor (any accepted form, "F41.1" or "F411")
	Intensity  Intensity
	Contacts   []Contact // any order: rules sort by date, keeping given order within a day
	EndedOn    time.Time // zero while the referral is open
	EndReason  string
}

// Change is the direction of a reliable change.
type Change int

const (
	NoReliableChange      Change = iota
	ReliableImprovement          // fell by at least RC
	ReliableDeterioration        // rose by at least RC
)

// MeasureOutcome is one measure's course over a referral.
type MeasureOutcome struct {
	Instrument  InstrumentID
	Count       int // valid scores recorded
	First, Last float64
	FirstOn     time.Time
	LastOn      time.Time
	Paired      bool    // at least two valid scores on different contacts
	Delta       float64 // Last - First
	Change      Change  // reliable change, only when Paired and RC is defined
	CaseAtStart bool
	CaseNow     bool // last score at caseness
	// BySession is the score at each attended treatment session in order,
	// the previous one carried forward where a session has none; it feeds
	// the expected-response curves. BySession[i] is the score at treatment
	// session SessionFrom+i. A score recorded before treatment (at
	// assessment) counts from session 1; sessions held before the measure's
	// first score are skipped rather than given a score never recorded, so
	// SessionFrom is then later than 1. SessionFrom is 0 when BySession is
	// empty.
	BySession   []float64
	SessionFrom int
}

// Outcome is the outcome of a referral, or of an open referral so far.
type Outcome struct {
	RuleSet    string
	Open       bool
	Descriptor string // canonical problem descriptor ("F41.1", "other"), "" when none or unreadable

	Received          time.Time
	EndedOn           time.Time
	TreatmentSessions int       // attended treatment appointments (follow-ups excluded)
	FirstTreatment    time.Time // zero when none attended yet
	WaitDays          int       // received to first attended treatment; -1 when none
	FinishedCourse    bool

	Anxiety  InstrumentID // the anxiety measure used (paired ADSM or GAD-7 fall-back)
	PHQ9     MeasureOutcome
	AnxietyM MeasureOutcome
	Measures map[InstrumentID]MeasureOutcome // every measure recorded, PHQ-9 and anxiety included

	Paired     bool // PHQ-9 and the anxiety measure both paired
	AtCaseness bool // at caseness at the start
	// NotAtCaseness is counted positively, as NHS England does: a first
	// PHQ-9 and a first anxiety score both exist and neither is at
	// caseness. A course with no first score, or only one, is neither at
	// caseness nor not at caseness (outcomes.md section 3).
	NotAtCaseness         bool
	Recovered             bool
	ReliableImprovement   bool
	ReliableDeterioration bool
	NoReliableChange      bool
	ReliableRecovery      bool

	// What the flags need, kept here so that they can be worked out from a
	// stored summary without re-reading every contact.
	LastAttended     time.Time      // zero when none
	LastContact      time.Time      // zero when none
	TrailingMissed   int            // non-attended appointments (did not attend or cancelled) since the last attended one
	LastAttendedHas  []InstrumentID // measures recorded at the last attended contact
	LatestItem9      *int           // item 9 of the latest PHQ-9 that answered it
	LatestItem9On    time.Time      // date of that PHQ-9
	ADSMEverRecorded bool           // the descriptor's paired measure (PairedADSM; GAD-7 for non-ADSM descriptors) has at least one score
}

// Rates are a service's outcomes over a set of referrals.
type Rates struct {
	RuleSet string

	Finished          int
	NotAtCaseness     int
	Recovered         int
	ReliablyImproved  int
	ReliablyRecovered int
	Deteriorated      int
	Paired            int

	// Rates are fractions 0–1, nil when the denominator is 0.
	RecoveryRate            *float64
	ReliableRecoveryRate    *float64
	ReliableImprovementRate *float64
	DeteriorationRate       *float64
	PairedRate              *float64

	Waited        int // finished referrals with a first treatment date
	Within6Weeks  int // waited 42 days or fewer
	Within18Weeks int // waited 126 days or fewer
	Within6Rate   *float64
	Within18Rate  *float64
}
