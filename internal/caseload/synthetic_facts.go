package caseload

import (
	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// A synthetic referral's report facts (schema steps 18 and 21), worked out
// in Go by the generator's workers from the records it is about to write,
// with the same functions the write path runs on the stored records
// (workOutFacts, and the data set export's checks row by row):
// refreshReportFacts reads them back a range at a time, which in a bulk
// load with the secondary indexes dropped scanned every contact and score
// written so far for each batch (a national year's build went from 15 to
// about 40 minutes). TestLoadSyntheticSmall checks the stored facts equal
// a recomputation from the stored records.

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
	problems := len(patientRowProblems("", basis.ethnic, basis.gender, "", basis.orientation)) +
		len(referralRowProblems("", "", b.endedOn, "", b.descriptor))
	for k, c := range r.contacts {
		medium, employment := syntheticContactDataset(b.id, k)
		fc := factContact{
			date: c.date, kind: c.kind, intensity: c.intensity,
			attended: measures.Attendance(c.attendance).IsAttended(),
			medium:   str(medium), employment: str(employment),
		}
		contacts = append(contacts, fc)
		mech, _ := dataset.CodeOf(dataset.Media, fc.medium)
		therapy := exportedTherapy("", c.kind, c.intensity, dataset.Attended(c.attendance))
		problems += len(contactRowProblems("", c.kind, c.attendance, mech, therapy))
		if c.phq9 == "" || !fc.attended {
			continue
		}
		if sc.contacts == nil {
			sc.contacts = map[string]int{}
		}
		for _, instrument := range []measures.InstrumentID{measures.PHQ9, measures.GAD7} {
			sc.contacts[string(instrument)]++
			_, ps := scoreRowProblems("", string(instrument))
			problems += len(ps)
		}
	}
	f := workOutFacts(basis, contacts, sc)
	f.DatasetProblems = problems
	return f.args(b.id)
}
