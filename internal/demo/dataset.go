package demo

import (
	"context"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// The demo's national data set values (issue 12): demographics, where each
// referral came from, how each appointment took place, employment at the
// assessment and the last session, the endings' EndCodes and the staff's
// qualifications, so that the data set export of the demo (and its round
// trip through clinic import ids) carries every kind of field. They are
// drawn from the case's and the appointment's index, not from the demo's
// random numbers, so the scores stay those of the demo before the data set.

var (
	demoEthnicities = []string{"A", "A", "C", "H", "N", "F", "J", "M", "R", "Z"}
	demoGenders     = []string{"2", "1", "2", "2", "1", "3", "2", "1"}
	demoSources     = []string{"B1", "A1", "B1", "A1", "M7", "D2", "B1", "N1"}
	demoEmployment  = []string{"01", "01", "02", "03", "04", "01", "05", "08"}
	demoMedia       = []string{"telephone", "video", "face_to_face", "telephone"}
	demoPractices   = []string{"B86001", "B86002", "B86016", "B86071"}
	demoPostcodes   = []string{"LS1 4AP", "LS6 2QB", "LS11 5DR", "LS8 1ER", "LS2 9JT"}
)

// demoDemographics are case i's patient's demographics; a few patients
// have none recorded yet, as in any service.
func demoDemographics(i int) caseload.Demographics {
	if i%9 == 8 {
		return caseload.Demographics{}
	}
	gender := demoGenders[i%len(demoGenders)]
	stated := gender
	if gender == "3" {
		stated = "X"
	}
	d := caseload.Demographics{
		EthnicCategory:    demoEthnicities[i%len(demoEthnicities)],
		GenderIdentity:    gender,
		StatedGender:      stated,
		SexualOrientation: []string{"1", "1", "1", "2", "3", "Z"}[i%6],
		PreferredLanguage: "en",
		ExArmedForces:     "N",
		Disability:        []string{"NN"},
		Postcode:          demoPostcodes[i%len(demoPostcodes)],
		GPPracticeCode:    demoPractices[i%len(demoPractices)],
	}
	if i%7 == 3 {
		d.PreferredLanguage, d.InterpreterNeeded = "pl", true
	}
	if i%5 == 2 {
		d.Disability = []string{"04", "05"}
		d.LongTermConditions = []string{"73211009"} // diabetes mellitus
	}
	if i%11 == 6 {
		d.ExArmedForces = "Y"
	}
	return d
}

// demoSource is where case i's referral came from.
func demoSource(i int) string { return demoSources[i%len(demoSources)] }

// withDataset gives the k-th appointment of case i its medium and length,
// and, when employment is set (the assessment and the last attended
// appointment), the patient's employment status; every
// ninth missed appointment was cancelled by the service, and every
// thirteenth attended one began late.
func withDataset(c caseload.NewContact, i, k int, employment bool) caseload.NewContact {
	c.Medium = demoMedia[(i+k)%len(demoMedia)]
	switch {
	case c.Attendance == string(measures.Cancelled) && (i+k)%9 == 0:
		c.Attendance = string(measures.CancelledByProvider)
	case c.Attendance == string(measures.Attended) && (i+k)%13 == 5:
		c.Attendance = string(measures.AttendedLate)
	}
	if c.Attendance == string(measures.Attended) || c.Attendance == string(measures.AttendedLate) {
		c.DurationMinutes = 50
		if measures.ContactKind(c.Kind) == measures.Assessment {
			c.DurationMinutes = 60
		}
		if employment {
			c.EmploymentStatus = demoEmployment[i%len(demoEmployment)]
		}
	}
	return c
}

// demoEndCode is the data set's EndCode of an ending for reason: treated
// when the case had treatment sessions, seen but not treated when not.
func demoEndCode(reason string, treated bool) string {
	switch {
	case reason == "completed" && treated:
		return "46"
	case reason == "dropped_out" && treated:
		return "47"
	case reason == "dropped_out":
		return "16"
	case reason == "referred_on" && treated:
		return "96"
	case reason == "referred_on":
		return "13"
	case treated:
		return "96"
	}
	return "95"
}

// demoQualifications are the demo therapists' qualifications, in the order
// loadDemoStaff adds them: a PWP and two CBT therapists.
var demoQualifications = []string{"10", "11", "11"}

// setDemoQualifications records the therapists' qualifications as the
// demo's admin.
func setDemoQualifications(ctx context.Context, s *caseload.Store, admin caseload.User, therapists []caseload.User) error {
	for i, th := range therapists {
		if err := s.SetQualification(ctx, admin, th.ID, demoQualifications[i]); err != nil {
			return err
		}
	}
	return nil
}

// lastAttended is the index of a plan's last attended appointment.
func lastAttended(contacts []caseload.NewContact) int {
	last := 0
	for k, c := range contacts {
		if c.Attendance == string(measures.Attended) {
			last = k
		}
	}
	return last
}
