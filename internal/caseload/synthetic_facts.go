package caseload

import (
	"clinic/internal/measures"
)

// A synthetic referral's records: the values of its data set fields
// (demographics, media, employment, each contact's intensity), its rows,
// and its report facts (schema steps 18 and 21). The facts are worked out
// in Go by the generator's workers from the records they are about to
// write, with the same functions the write path runs on the stored records
// (workOutFacts, and the data set export's checks row by row). Reading
// them back a range at a time with refreshReportFacts, in a bulk load
// with the secondary indexes dropped, scanned every contact and score
// written so far for each batch: a national year's build went from 15 to
// about 40 minutes. TestLoadSyntheticSmall checks the stored facts equal a
// recomputation from the stored records.

// syntheticFacts are the facts of r, whose id is set, as factsUpdate's
// arguments.
func syntheticFacts(r synthReferral) []any {
	b := r.basis
	demo := syntheticDemographics(b.id)
	str := func(v any) string {
		s, _ := v.(string)
		return s
	}
	basis := factBasis{
		id: b.id, receivedOn: b.receivedOn, descriptor: b.descriptor, dateOfBirth: r.dob,
		ethnic: str(demo[0]), gender: str(demo[1]), orientation: str(demo[2]),
		disability: str(demo[3]), ltc: str(demo[4]),
		// No referral_dataset row: no EndCode.
	}
	contacts := make([]factContact, 0, len(r.contacts))
	var sc factScores
	// The patient's record (no postcode, no local id) and the referral's
	// (no source of referral, no EndCode): synthetic data carries neither.
	problems := len(patientRecordProblems("", b.id, basis.ethnic, basis.gender, "", basis.orientation)) +
		len(referralRecordProblems("", b.id, "", b.endedOn, "", b.descriptor))
	for k, c := range r.contacts {
		medium, employment := syntheticContactDataset(b.id, k)
		fc := factContact{
			date: c.date, kind: c.kind, intensity: c.intensity,
			attended: measures.Attendance(c.attendance).IsAttended(),
			medium:   str(medium), employment: str(employment),
		}
		contacts = append(contacts, fc)
		// No therapy type recorded: the export's default of the intensity.
		problems += checkContactRecord(c.kind, c.attendance, fc.medium, "", c.intensity).problems()
		if c.phq9 == "" || !fc.attended {
			continue
		}
		if sc.contacts == nil {
			sc.contacts = map[string]int{}
		}
		for _, instrument := range []measures.InstrumentID{measures.PHQ9, measures.GAD7} {
			sc.contacts[string(instrument)]++
			problems += boolInt(scoreProblem(string(instrument)))
		}
	}
	f := workOutFacts(basis, contacts, sc)
	f.DatasetProblems = problems
	return f.args(b.id)
}

// recordArgs are the values of r's contacts (10 a row) and scores (7 a
// row), numbered on from contactID and scoreID, which it advances.
func (r synthReferral) recordArgs(contactID, scoreID *int64) (contacts, scores []any) {
	b := r.basis
	for k, c := range r.contacts {
		*contactID++
		medium, employment := syntheticContactDataset(b.id, k)
		at := c.date + "T10:00:00.000000Z"
		contacts = append(contacts, *contactID, b.id, c.date, c.kind, c.attendance, c.intensity, medium, employment, b.therapistID, at)
		if c.phq9 == "" {
			continue
		}
		*scoreID += 2
		scores = append(scores,
			*scoreID-1, *contactID, "phq9", c.phq9, c.phq9Total, b.therapistID, at,
			*scoreID, *contactID, "gad7", c.gad7, c.gad7Total, b.therapistID, at)
	}
	return contacts, scores
}

// syntheticDemographics are a synthetic patient's demographics, spread
// over every reporting group by their referral's id (issue 13's
// inequality figures): ethnic category, gender identity, sexual
// orientation, disability, long-term conditions and when recorded.
func syntheticDemographics(id int64) []any {
	pick := func(codes []string, by int64) string { return codes[(id/by)%int64(len(codes))] }
	return []any{
		pick([]string{"A", "A", "A", "B", "C", "D", "H", "J", "M", "N", "R", "S", "Z", ""}, 1),
		pick([]string{"1", "2", "2", "3", "Z"}, 3),
		pick([]string{"1", "1", "1", "2", "3", "4", "Z"}, 7),
		pick([]string{"NN", "NN", "04", "ZZ", ""}, 11),
		pick([]string{"", "", "44054006"}, 13),
		"2026-01-01T00:00:00.000000Z",
	}
}

// syntheticContactDataset is the medium of a synthetic contact (most of a
// referral's by one medium) and, at the first, the employment status.
func syntheticContactDataset(id int64, k int) (medium, employment any) {
	media := []string{"face_to_face", "telephone", "telephone", "video", "text_message", ""}
	m := media[(id+int64(k/4))%int64(len(media))]
	if m != "" {
		medium = m
	}
	if k == 0 {
		statuses := []string{"01", "01", "02", "03", "04", "08", "ZZ"}
		employment = statuses[(id/5)%int64(len(statuses))]
	}
	return medium, employment
}

// synthIntensity is the intensity contact k of n of synthetic referral i
// was given at: one high-intensity referral in two was stepped up from low
// intensity halfway (issue 13's stepped-care figures).
func synthIntensity(intensity string, i, k, n int) string {
	if intensity == string(measures.HighIntensity) && i%2 == 0 && k < n/2 {
		return string(measures.LowIntensity)
	}
	return intensity
}
