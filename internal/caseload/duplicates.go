package caseload

import (
	"context"
	"database/sql"
	"strings"
)

// One person, one record (issue 14): a patient already on record is never
// added a second time. An NHS number names one person, so a second patient
// with it is refused; without an NHS number, a patient with exactly the
// same name and date of birth is probably the same person, and the user is
// asked before a second record is made (NewPatient.NotDuplicate). A person
// referred again gets a new referral on their existing record, which keeps
// their portal account (invitation.go's patientUser reuses it).

// PatientExistsError says that the patient being added is already on
// record. Whether the user may be told who it is is the caller's policy.
type PatientExistsError struct {
	Existing    Patient
	ByNHSNumber bool // else by exact name and date of birth
}

func (e *PatientExistsError) Error() string {
	if e.ByNHSNumber {
		return "nhs_number: a patient with this NHS number is already on record"
	}
	return "name: a patient with this name and date of birth is already on record"
}

// checkNotOnRecord returns a *PatientExistsError when p is already on
// record: by NHS number always, by exact name and date of birth when p has
// no NHS number and the user has not said that this is someone else.
func checkNotOnRecord(ctx context.Context, tx *sql.Tx, p Patient, notDuplicate bool) error {
	if p.NHSNumber != "" {
		same, err := findPatients(ctx, tx, patientFilter{NHSNumber: p.NHSNumber, Limit: 1})
		if err != nil || len(same) == 0 {
			return err
		}
		return &PatientExistsError{Existing: same[0], ByNHSNumber: true}
	}
	if notDuplicate {
		return nil
	}
	born, err := findPatients(ctx, tx, patientFilter{Query: &PatientQuery{DateOfBirth: p.DateOfBirth}})
	if err != nil {
		return err
	}
	for _, b := range born {
		if strings.EqualFold(strings.Join(strings.Fields(b.Name), " "), strings.Join(strings.Fields(p.Name), " ")) {
			return &PatientExistsError{Existing: b}
		}
	}
	return nil
}
