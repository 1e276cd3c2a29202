package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// A contact's data set fields (issue 12): its full purpose and attendance
// beside the first release's coarse kind and attendance columns, which the
// outcome summary and older readers use (schema step 11), and the medium,
// duration, therapy type and employment status.

// coarseKind is the first-release kind a purpose is kept under: the two
// combined treatment purposes are treatment appointments (AppType 03, 05),
// so the summary counts them as treatment.
func coarseKind(k measures.ContactKind) measures.ContactKind {
	if k.IsTreatment() {
		return measures.Treatment
	}
	return k
}

// coarseAttendance is the first-release attendance an outcome is kept
// under: seen late is attended (AttendOrDNA 6); arriving too late to be seen
// is not (7), kept as did not attend; both cancellations are cancelled.
func coarseAttendance(a measures.Attendance) measures.Attendance {
	switch a {
	case measures.AttendedLate:
		return measures.Attended
	case measures.LateNotSeen:
		return measures.DNA
	case measures.CancelledByPatient, measures.CancelledByProvider:
		return measures.Cancelled
	}
	return a
}

// fullAttendance reads the first release's "cancelled" as cancelled by the
// patient (the data set's AttendOrDNA 2; issue 12).
func fullAttendance(a measures.Attendance) measures.Attendance {
	if a == measures.Cancelled {
		return measures.CancelledByPatient
	}
	return a
}

// checkContactPurpose checks a new contact's purpose and attendance, and
// that only an attended contact carries questionnaires.
func checkContactPurpose(v validation, in NewContact) {
	if !contains(measures.ContactKinds, measures.ContactKind(in.Kind)) {
		v.add("kind", "Choose assessment, treatment, assessment and treatment, review, review and treatment, or follow-up")
	}
	a := measures.Attendance(in.Attendance)
	if !contains(measures.Attendances, a) && a != measures.Cancelled {
		v.add("attendance", "Choose attended, attended late, too late to be seen, did not attend, cancelled by the patient or cancelled by the service")
		return
	}
	if !a.IsAttended() && len(in.Scores) > 0 {
		v.add("scores", "Questionnaires are recorded only when the patient attended")
	}
}

// checkContactDataset checks a new contact's medium, duration, therapy type
// and employment status against their code lists (internal/dataset). Each is
// optional.
func checkContactDataset(v validation, in NewContact) {
	if in.Medium != "" {
		if _, ok := dataset.CodeOf(dataset.Media, in.Medium); !ok {
			v.add("medium", "Choose how the appointment took place from the list")
		}
	}
	if in.DurationMinutes < 0 || in.DurationMinutes > 600 {
		v.add("duration_minutes", "Enter the length in minutes, from 1 to 600, or leave it empty")
	}
	if in.TherapyType != "" && !dataset.TherapyType.Valid(in.TherapyType) {
		v.add("therapy_type", "Choose a therapy type from the list")
	}
	if in.EmploymentStatus != "" && !dataset.EmployStatus.Valid(in.EmploymentStatus) {
		v.add("employment_status", "Choose an employment status from the list")
	}
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// normalisedDataset trims the data set fields and gives an attended
// treatment appointment without a therapy type the default of the
// referral's intensity (dataset.DefaultTherapyType).
func (in NewContact) normalisedDataset(intensity measures.Intensity) NewContact {
	in.Kind = strings.TrimSpace(in.Kind)
	in.Attendance = strings.TrimSpace(in.Attendance)
	in.Medium = strings.TrimSpace(in.Medium)
	in.TherapyType = strings.TrimSpace(in.TherapyType)
	in.EmploymentStatus = strings.ToUpper(strings.TrimSpace(in.EmploymentStatus))
	if in.TherapyType == "" && measures.ContactKind(in.Kind).IsTreatment() && measures.Attendance(in.Attendance).IsAttended() {
		in.TherapyType = dataset.DefaultTherapyType(string(intensity))
	}
	return in
}

// LastContact returns a referral's latest contact (by date, then as
// recorded), without its scores; the zero Contact when it has none. The
// session form remembers its data set fields for the next session.
func (s *Store) LastContact(ctx context.Context, referralID int64) (Contact, error) {
	c, err := scanContact(s.read.QueryRowContext(ctx, contactSelect+` WHERE referral_id = ? ORDER BY date DESC, id DESC LIMIT 1`, referralID))
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, nil
	}
	if err != nil {
		return Contact{}, fmt.Errorf("last contact of %d: %w", referralID, err)
	}
	return c, nil
}
