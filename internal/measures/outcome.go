package measures

import (
	"math"
	"sort"
	"time"
)

// ReliableChangeOf says whether the change from first to last is reliable on
// the instrument: a fall of at least RC is an improvement, a rise of at least
// RC a deterioration (outcomes.md section 3; RC values in the catalogue).
// Instruments without RC, and unknown ones, never change reliably.
func ReliableChangeOf(id InstrumentID, first, last float64) Change {
	in, ok := lookup(id)
	if !ok || in.RC == 0 || math.IsNaN(first) || math.IsNaN(last) {
		return NoReliableChange
	}
	// The difference is compared at the precision totals are kept with, so
	// that an MI change of 3.03 − 2.30 (0.7299999... in floating point) is
	// the 0.73 a clinician sees. Whole-number totals give whole differences.
	d := last - first
	if in.Decimals > 0 {
		d = roundTo(d, in.Decimals)
	}
	switch {
	case d <= -in.RC:
		return ReliableImprovement
	case d >= in.RC:
		return ReliableDeterioration
	}
	return NoReliableChange
}

// Evaluate works out the outcome of a referral, or of an open referral so
// far, by NHS England's definitions (outcomes.md section 3):
//
//   - Contacts are taken in date order, keeping the given order within a
//     day. Only attended contacts' scores count; a score that is not a
//     number or lies outside its instrument's range, or belongs to an
//     unknown instrument, is ignored (caseload validates on write; this
//     guards a summary against a bad row).
//   - For each measure, first and last are the earliest and latest valid
//     scores; a measure is paired with two or more scores (each contact
//     holds at most one score per measure, so they are on different
//     contacts). A drop-out's last score is simply the last one given.
//   - The anxiety measure is the descriptor's paired measure if that is
//     paired, else GAD-7 if GAD-7 is paired, else the descriptor's measure.
//   - At caseness at the start uses the first PHQ-9 and the first anxiety
//     score, whichever are present; not at caseness needs both, below
//     caseness (NotAtCasenessAtStart).
//   - Treatment appointments are treatment, assessment and treatment, and
//     review and treatment; attended is on time or late but seen.
//   - Recovery, reliable improvement, reliable deterioration, no reliable
//     change and reliable recovery are judged only when both PHQ-9 and the
//     anxiety measure are paired, and are all false otherwise; so paired
//     completeness says how many finished courses could be judged at all.
//   - An open referral gets the same judgements on its scores so far.
//   - WaitDays counts calendar days from Received to the first attended
//     treatment: -1 when there is none or Received is unknown, 0 when the
//     treatment is dated before the referral (a data error).
func Evaluate(r Referral) Outcome {
	o := Outcome{
		RuleSet:  RuleSet,
		Open:     r.EndedOn.IsZero(),
		Received: r.Received,
		EndedOn:  r.EndedOn,
		WaitDays: -1,
		Measures: map[InstrumentID]MeasureOutcome{},
	}
	if c, ok := NormaliseDescriptor(r.Descriptor); ok {
		o.Descriptor = c
	}

	contacts := append([]Contact(nil), r.Contacts...)
	sort.SliceStable(contacts, func(i, j int) bool { return contacts[i].Date.Before(contacts[j].Date) })
	o.addContacts(contacts)
	o.judgeMeasures()
	o.judgeCourse(r)
	return o
}

// addContacts walks a referral's contacts in date order: attendance,
// sessions, each measure's first and last scores and its course by session,
// and the latest item 9.
func (o *Outcome) addContacts(contacts []Contact) {
	// The value of each measure carried forward to the treatment session
	// being counted, for BySession.
	carried := map[InstrumentID]float64{}
	for _, c := range contacts {
		o.LastContact = c.Date // contacts are in date order
		if !c.Attendance.IsAttended() {
			o.TrailingMissed++
			continue
		}
		o.TrailingMissed = 0
		o.LastAttended = c.Date
		o.addScores(c, carried)
		if c.Item9 != nil {
			v := *c.Item9
			o.LatestItem9, o.LatestItem9On = &v, c.Date
		}
		if c.Kind.IsTreatment() {
			o.addSession(c, carried)
		}
	}
}

// addScores takes an attended contact's valid scores into their measures.
func (o *Outcome) addScores(c Contact, carried map[InstrumentID]float64) {
	o.LastAttendedHas = nil
	for _, in := range catalogue {
		v, ok := c.Scores[in.ID]
		if !ok || !validTotal(&in, v) {
			continue
		}
		o.LastAttendedHas = append(o.LastAttendedHas, in.ID)
		m := o.Measures[in.ID]
		if m.Count == 0 {
			m.Instrument = in.ID
			m.First, m.FirstOn = v, c.Date
		}
		m.Last, m.LastOn = v, c.Date
		m.Count++
		o.Measures[in.ID] = m
		carried[in.ID] = v
	}
}

// addSession counts an attended treatment session, giving each measure
// scored so far its carried-forward score at this session.
func (o *Outcome) addSession(c Contact, carried map[InstrumentID]float64) {
	o.TreatmentSessions++
	if o.TreatmentSessions == 1 {
		o.FirstTreatment = c.Date
	}
	for id, v := range carried {
		m := o.Measures[id]
		if m.BySession == nil {
			m.SessionFrom = o.TreatmentSessions
		}
		m.BySession = append(m.BySession, v)
		o.Measures[id] = m
	}
}

// judgeMeasures judges each measure's course: paired, change, reliable
// change, caseness at the start and now.
func (o *Outcome) judgeMeasures() {
	for id, m := range o.Measures {
		in, _ := lookup(id)
		m.Paired = m.Count >= 2
		m.Delta = m.Last - m.First
		if in.Decimals > 0 {
			m.Delta = roundTo(m.Delta, in.Decimals)
		}
		if m.Paired {
			m.Change = ReliableChangeOf(id, m.First, m.Last)
		}
		m.CaseAtStart = in.IsCase(m.First)
		m.CaseNow = in.IsCase(m.Last)
		o.Measures[id] = m
	}
}

// judgeCourse judges the referral as a whole: the wait, a finished course,
// the anxiety measure, caseness, recovery and reliable change.
func (o *Outcome) judgeCourse(r Referral) {
	if !o.FirstTreatment.IsZero() && !r.Received.IsZero() {
		o.WaitDays = daysBetween(r.Received, o.FirstTreatment)
		if o.WaitDays < 0 {
			// A treatment dated before the referral is a data error; it
			// is not a negative wait.
			o.WaitDays = 0
		}
	}
	o.FinishedCourse = !o.Open && o.TreatmentSessions >= 2 // outcomes.md section 3

	own := PairedADSM(r.Descriptor)
	o.ADSMEverRecorded = o.Measures[own].Count > 0
	switch {
	case o.Measures[own].Paired:
		o.Anxiety = own
	case o.Measures[GAD7].Paired:
		o.Anxiety = GAD7 // outcomes.md section 2: GAD-7 fall-back
	default:
		o.Anxiety = own
	}
	o.PHQ9 = o.measure(PHQ9)
	o.AnxietyM = o.measure(o.Anxiety)

	o.AtCaseness = (o.PHQ9.Count > 0 && o.PHQ9.CaseAtStart) ||
		(o.AnxietyM.Count > 0 && o.AnxietyM.CaseAtStart)
	o.NotAtCaseness = NotAtCasenessAtStart(*o)
	o.Paired = o.PHQ9.Paired && o.AnxietyM.Paired
	if o.Paired {
		o.ReliableDeterioration = o.PHQ9.Change == ReliableDeterioration ||
			o.AnxietyM.Change == ReliableDeterioration
		o.ReliableImprovement = !o.ReliableDeterioration &&
			(o.PHQ9.Change == ReliableImprovement || o.AnxietyM.Change == ReliableImprovement)
		o.NoReliableChange = !o.ReliableDeterioration && !o.ReliableImprovement
		o.Recovered = o.AtCaseness && !o.PHQ9.CaseNow && !o.AnxietyM.CaseNow
		o.ReliableRecovery = o.Recovered && o.ReliableImprovement
	}
}

// NotAtCasenessAtStart says whether an outcome counts as not at caseness at
// the start, positively as NHS England counts it (outcomes.md section 3): a
// first PHQ-9 and a first anxiety score both exist and neither is at
// caseness. It reads only the counts and AtCaseness, so it holds for an
// outcome rebuilt from a report row as for one from Evaluate.
func NotAtCasenessAtStart(o Outcome) bool {
	return o.PHQ9.Count > 0 && o.AnxietyM.Count > 0 && !o.AtCaseness
}

// measure returns a measure's outcome, with its instrument named even when
// it was never recorded.
func (o Outcome) measure(id InstrumentID) MeasureOutcome {
	m, ok := o.Measures[id]
	if !ok {
		m.Instrument = id
	}
	return m
}

// daysBetween counts calendar days from a to b, by their dates in UTC.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	// Unix seconds rather than Sub, which saturates beyond 292 years.
	return int((db.Unix() - da.Unix()) / 86400)
}
