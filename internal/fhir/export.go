package fhir

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"time"
	_ "time/tzdata" // Europe/London on machines without a zoneinfo database

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// london is the clinic's calendar: a correction's day is its date in England.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// Record is what a referral's Bundle is made from: the referral with its
// patient and every contact's scores (current and superseded), the names of
// the staff who recorded them, and when the Bundle is made.
type Record struct {
	Detail    caseload.ReferralDetail
	Names     map[int64]string // user id → name, for the practitioners
	Generated time.Time
}

// ReferralBundle maps a referral to a FHIR R4 Bundle of type collection: the
// Patient, a Practitioner for each member of staff who recorded a score, and
// for each score in contact order a QuestionnaireResponse (PHQ-9 and GAD-7,
// answered item by item) and an Observation of its total. A corrected score
// is kept: it goes out as entered-in-error, its replacement as amended.
func ReferralBundle(rec Record) Bundle {
	b := &bundler{rec: rec, seed: rec.Detail.Referral.CreatedAt.UTC().Format(time.RFC3339Nano)}
	d := rec.Detail
	out := Bundle{
		ResourceType: "Bundle",
		ID:           "referral-" + strconv.FormatInt(d.Referral.ID, 10),
		Type:         "collection",
		Timestamp:    rec.Generated.UTC().Format(time.RFC3339),
	}
	out.Entry = append(out.Entry, BundleEntry{FullURL: b.patientURL(), Resource: newPatient(d.Patient)})
	for _, id := range recorders(d.Contacts) {
		out.Entry = append(out.Entry, BundleEntry{FullURL: b.practitionerURL(id), Resource: Practitioner{
			ResourceType: "Practitioner",
			ID:           "practitioner-" + strconv.FormatInt(id, 10),
			Name:         names(rec.Names[id]),
		}})
	}
	for _, ct := range d.Contacts {
		for _, sc := range sortedScores(ct.Scores) {
			qr, hasQR := b.questionnaireResponse(ct, sc)
			if hasQR {
				out.Entry = append(out.Entry, BundleEntry{FullURL: b.url("qr", sc.ID), Resource: qr})
			}
			out.Entry = append(out.Entry, BundleEntry{FullURL: b.url("obs", sc.ID), Resource: b.observation(ct, sc, hasQR)})
		}
	}
	return out
}

// bundler names the Bundle's resources. Every entry has a urn:uuid full URL
// made from the record's local ids and the referral's creation instant, so
// that the same record always gives the same Bundle and references between
// entries resolve inside it.
type bundler struct {
	rec  Record
	seed string
}

func (b *bundler) url(kind string, id int64) string {
	sum := sha256.Sum256([]byte(b.seed + "/" + kind + "/" + strconv.FormatInt(id, 10)))
	sum[6] = sum[6]&0x0f | 0x80 // version 8: a custom, name-based UUID (RFC 9562)
	sum[8] = sum[8]&0x3f | 0x80 // the RFC variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

func (b *bundler) patientURL() string { return b.url("patient", b.rec.Detail.Patient.ID) }

func (b *bundler) practitionerURL(id int64) string { return b.url("practitioner", id) }

func (b *bundler) patientRef() *Reference {
	return &Reference{Reference: b.patientURL(), Type: "Patient", Display: b.rec.Detail.Patient.Name}
}

// enteredBy is who entered a score: the patient (answers they gave and the
// therapist confirmed unchanged), or the member of staff who recorded it.
func (b *bundler) enteredBy(sc caseload.Score) *Reference {
	if sc.Source == caseload.SourcePatient {
		return b.patientRef()
	}
	return &Reference{Reference: b.practitionerURL(sc.RecordedBy), Type: "Practitioner", Display: b.rec.Names[sc.RecordedBy]}
}

func newPatient(p caseload.Patient) Patient {
	out := Patient{
		ResourceType: "Patient",
		ID:           "patient-" + strconv.FormatInt(p.ID, 10),
		Meta:         &Meta{Profile: []string{ProfilePatient}},
		Name:         names(p.Name),
		BirthDate:    p.DateOfBirth,
	}
	if p.NHSNumber != "" {
		out.Identifier = []Identifier{{System: SystemNHSNumber, Value: p.NHSNumber}}
	}
	return out
}

func names(name string) []HumanName {
	if name == "" {
		return nil
	}
	return []HumanName{{Use: "official", Text: name}}
}

// recorders are the staff who recorded the scores, in id order.
func recorders(contacts []caseload.Contact) []int64 {
	var ids []int64
	for _, ct := range contacts {
		for _, sc := range ct.Scores {
			if sc.Source != caseload.SourcePatient && !slices.Contains(ids, sc.RecordedBy) {
				ids = append(ids, sc.RecordedBy)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// sortedScores orders a contact's scores as the catalogue lists the
// instruments, each instrument's in the order they were recorded.
func sortedScores(scores []caseload.Score) []caseload.Score {
	rank := map[measures.InstrumentID]int{}
	for i, in := range measures.Instruments() {
		rank[in.ID] = i
	}
	out := slices.Clone(scores)
	slices.SortStableFunc(out, func(a, b caseload.Score) int {
		if ra, rb := rank[a.Instrument], rank[b.Instrument]; ra != rb {
			return ra - rb
		}
		return int(a.ID - b.ID)
	})
	return out
}

// status is a score's FHIR status: a superseded score was wrong
// (entered-in-error), its replacement changed what was first recorded
// (amended), any other is final (Observation) or completed
// (QuestionnaireResponse).
func status(sc caseload.Score, plain string) string {
	switch {
	case !sc.Current():
		return "entered-in-error"
	case sc.Replaces != 0:
		return "amended"
	}
	return plain
}

// questionnaireResponse is a PHQ-9 or GAD-7 answered item by item; false for
// any other score. An unanswered (pro-rated) item has no answer and is left
// out.
func (b *bundler) questionnaireResponse(ct caseload.Contact, sc caseload.Score) (QuestionnaireResponse, bool) {
	c := codesFor(sc.Instrument)
	in, ok := measures.Lookup(sc.Instrument)
	if !ok || c.Questionnaire == "" || len(sc.Items) != len(c.Items) || len(in.Answers) < len(frequencyAnswers) {
		return QuestionnaireResponse{}, false
	}
	qr := QuestionnaireResponse{
		ResourceType:  "QuestionnaireResponse",
		ID:            "qr-" + strconv.FormatInt(sc.ID, 10),
		Meta:          &Meta{Profile: []string{ProfileQuestionnaireResponse}},
		Questionnaire: c.Questionnaire,
		Status:        status(sc, "completed"),
		Subject:       b.patientRef(),
		Authored:      ct.Date,
		Source:        b.enteredBy(sc),
	}
	for i, a := range sc.Items {
		if a == nil {
			continue
		}
		v := *a - in.ItemMin
		if v < 0 || v >= len(frequencyAnswers) {
			continue // never stored: measures refuses answers outside 0–3
		}
		qr.Item = append(qr.Item, QRItem{
			LinkID: c.Items[i],
			Text:   in.Items[i].Text,
			Answer: []QRAnswer{{ValueCoding: &Coding{System: SystemLOINC, Code: frequencyAnswers[v], Display: in.Answers[v]}}},
		})
	}
	return qr, true
}

// observation is one total score.
func (b *bundler) observation(ct caseload.Contact, sc caseload.Score, hasQR bool) Observation {
	in, _ := measures.Lookup(sc.Instrument)
	o := Observation{
		ResourceType: "Observation",
		ID:           "score-" + strconv.FormatInt(sc.ID, 10),
		Meta:         &Meta{Profile: []string{ProfileObservation}},
		Status:       status(sc, "final"),
		Category: []CodeableConcept{{
			Coding: []Coding{{System: systemObservationCategory, Code: "survey", Display: "Survey"}},
		}},
		Code:              totalCode(sc.Instrument, in),
		Subject:           b.patientRef(),
		EffectiveDateTime: ct.Date,
		Performer:         []Reference{*b.enteredBy(sc)},
		Note:              scoreNotes(sc),
	}
	if in.Decimals == 0 {
		v := int(sc.Total)
		o.ValueInteger = &v
	} else {
		v, _ := strconv.ParseFloat(in.Format(sc.Total), 64)
		o.ValueQuantity = &Quantity{Value: v, Unit: "score", System: SystemUCUM, Code: "{score}"}
	}
	if in.HasCaseness {
		o.Interpretation = []CodeableConcept{caseness(in, sc.Total)}
	}
	if hasQR {
		o.DerivedFrom = []Reference{{Reference: b.url("qr", sc.ID), Type: "QuestionnaireResponse"}}
	}
	return o
}

// totalCode codes a total with SNOMED CT and LOINC where each is confirmed;
// the text says when a code is missing.
func totalCode(id measures.InstrumentID, in measures.Instrument) CodeableConcept {
	c := codesFor(id)
	name := in.Name
	if name == "" {
		name = string(id)
	}
	cc := CodeableConcept{Text: name + " total score"}
	if in.Decimals > 0 {
		cc.Text = name + " score (item mean)"
	}
	if c.TotalSNOMED != "" {
		cc.Coding = append(cc.Coding, Coding{System: SystemSNOMED, Code: c.TotalSNOMED})
	}
	if c.TotalLOINC != "" {
		cc.Coding = append(cc.Coding, Coding{System: SystemLOINC, Code: c.TotalLOINC})
	}
	if c.codeNote != "" {
		cc.Text += " (" + c.codeNote + ")"
	}
	return cc
}

// caseness says whether a total is at clinical caseness, as measures judges
// it, in HL7's threshold-based interpretation codes (POS: at or above the
// established threshold; NEG: below it) and in words.
func caseness(in measures.Instrument, total float64) CodeableConcept {
	cut := in.Format(in.Caseness)
	if in.IsCase(total) {
		text := fmt.Sprintf("At caseness: %s %s or more (the clinical cut-off)", in.Name, cut)
		if in.StrictCaseness {
			text = fmt.Sprintf("At caseness: %s above %s (the clinical cut-off)", in.Name, cut)
		}
		return CodeableConcept{Coding: []Coding{{System: systemInterpretation, Code: "POS", Display: "Positive"}}, Text: text}
	}
	text := fmt.Sprintf("Below caseness: %s under %s (the clinical cut-off)", in.Name, cut)
	if in.StrictCaseness {
		text = fmt.Sprintf("Below caseness: %s %s or less (the clinical cut-off is above %s)", in.Name, cut, cut)
	}
	return CodeableConcept{Coding: []Coding{{System: systemInterpretation, Code: "NEG", Display: "Negative"}}, Text: text}
}

// scoreNotes say what a clinician reading the total needs to know: that it
// was pro-rated, or corrected and why.
func scoreNotes(sc caseload.Score) []Annotation {
	var out []Annotation
	if sc.Prorated {
		missing := 0
		for _, a := range sc.Items {
			if a == nil {
				missing++
			}
		}
		out = append(out, Annotation{Text: fmt.Sprintf("Pro-rated: %d unanswered item(s) replaced by the mean of the answered ones", missing)})
	}
	if !sc.Current() {
		text := "Corrected on " + sc.SupersededAt.In(london).Format("2006-01-02") + ": this score was replaced"
		if sc.CorrectionReason != "" {
			text += " (" + sc.CorrectionReason + ")"
		}
		out = append(out, Annotation{Text: text})
	}
	if sc.Replaces != 0 {
		out = append(out, Annotation{Text: "Corrects a score recorded earlier, kept in this Bundle as entered-in-error"})
	}
	return out
}
