package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// normaliseNHSNumber removes the spaces people type in NHS numbers
// ("943 476 5919").
func normaliseNHSNumber(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// ValidNHSNumber reports whether s is a valid NHS number: ten digits (spaces
// allowed) whose last is the modulus 11 check digit of the first nine. The
// digits are weighted 10 down to 2; the check digit is 11 minus the
// remainder of the sum by 11, 11 becoming 0, and a result of 10 means the
// number is never issued (NHS Data Dictionary, "NHS Number").
func ValidNHSNumber(s string) bool {
	s = normaliseNHSNumber(s)
	if len(s) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		if i < 9 {
			sum += int(s[i]-'0') * (10 - i)
		}
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(s[9]-'0')
}

// CreatePatient adds a patient. The name is required, the date of birth a
// real date not in the future, the NHS number optional but valid when given
// (kept without spaces).
func (s *Store) CreatePatient(ctx context.Context, actor User, in NewPatient) (Patient, error) {
	v := validation{}
	p := s.checkPatient(in, v)
	d := in.Demographics.normalised()
	checkDemographics(d, v)
	if err := v.err(); err != nil {
		return Patient{}, fmt.Errorf("create patient: %w", err)
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := checkNotOnRecord(ctx, tx, p, in.NotDuplicate); err != nil {
			return err
		}
		if err := s.insertPatient(ctx, tx, actor, &p); err != nil {
			return err
		}
		return s.insertFirstDemographics(ctx, tx, actor, p.ID, d)
	})
	if err != nil {
		return Patient{}, fmt.Errorf("create patient: %w", err)
	}
	return p, nil
}

// CreatePatientWithReferral adds a patient and their first referral in one
// transaction: both are checked together (every field's message at once), and
// either both are saved or neither, so a mistake in the referral never leaves
// a patient without one, nor makes a second copy when the form is sent again.
func (s *Store) CreatePatientWithReferral(ctx context.Context, actor User, inP NewPatient, inR NewReferral) (Patient, Referral, error) {
	v := validation{}
	p := s.checkPatient(inP, v)
	d := inP.Demographics.normalised()
	checkDemographics(d, v)
	r := s.checkReferral(actor, inR, v)
	if v["received_on"] == "" && v["date_of_birth"] == "" && r.ReceivedOn < p.DateOfBirth {
		v.add("received_on", "The referral date cannot be before the patient's date of birth ("+p.DateOfBirth+")")
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkReferralParties(ctx, tx, &r, v); err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		if err := checkNotOnRecord(ctx, tx, p, inP.NotDuplicate); err != nil {
			return err
		}
		if err := s.insertPatient(ctx, tx, actor, &p); err != nil {
			return err
		}
		if err := s.insertFirstDemographics(ctx, tx, actor, p.ID, d); err != nil {
			return err
		}
		r.PatientID, r.PatientName = p.ID, p.Name
		return s.insertReferral(ctx, tx, actor, &r)
	})
	if err != nil {
		return Patient{}, Referral{}, fmt.Errorf("create patient with referral: %w", err)
	}
	return p, r, nil
}

// checkPatient normalises a new patient and adds what is wrong with it to v.
func (s *Store) checkPatient(in NewPatient, v validation) Patient {
	p := Patient{
		Name:        strings.TrimSpace(in.Name),
		DateOfBirth: strings.TrimSpace(in.DateOfBirth),
		NHSNumber:   normaliseNHSNumber(in.NHSNumber),
		CreatedAt:   s.Now(),
	}
	if msg := nameProblem(p.Name, "Enter the patient's name"); msg != "" {
		v.add("name", msg)
	}
	if p.DateOfBirth == "" {
		v.add("date_of_birth", "Enter the date of birth")
	} else if _, ok := parseDate(p.DateOfBirth); !ok {
		v.add("date_of_birth", "Enter a real date as YYYY-MM-DD")
	} else if p.DateOfBirth > s.today() {
		v.add("date_of_birth", "Date of birth must be today or in the past")
	} else if p.DateOfBirth < "1900-01-01" {
		v.add("date_of_birth", "Date of birth must be after 1900")
	}
	if p.NHSNumber != "" && !ValidNHSNumber(p.NHSNumber) {
		v.add("nhs_number", "Enter a valid 10-digit NHS number, or leave it blank")
	}
	return p
}

func (s *Store) insertPatient(ctx context.Context, tx *sql.Tx, actor User, p *Patient) error {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO patients (name, date_of_birth, nhs_number, created_by, created_at)
		VALUES (?, ?, ?, ?, ?)`,
		p.Name, p.DateOfBirth, p.NHSNumber, actor.ID, stamp(p.CreatedAt))
	if err != nil {
		return err
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditCreatePatient, entity: "patient", entityID: p.ID, patientID: p.ID})
}

const patientSelect = `
	SELECT
		id,
		name,
		date_of_birth,
		nhs_number,
		created_at
	FROM patients`

func scanPatient(row scanner) (Patient, error) {
	var p Patient
	var created string
	if err := row.Scan(&p.ID, &p.Name, &p.DateOfBirth, &p.NHSNumber, &created); err != nil {
		return Patient{}, err
	}
	var err error
	p.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true})
	return p, err
}

// Patient returns the patient with this id, or ErrNotFound.
func (s *Store) Patient(ctx context.Context, id int64) (Patient, error) {
	p, err := scanPatient(s.read.QueryRowContext(ctx, patientSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Patient{}, fmt.Errorf("patient %d: %w", id, err)
	}
	return p, nil
}

// PatientCare is who has had a patient in their care: the member of staff who
// added them, and the patient's referrals. The access policy uses it to decide
// who may open a new referral for an existing patient.
type PatientCare struct {
	AddedBy   int64
	Referrals []Referral
}

// PatientCare returns who has had the patient in their care, or ErrNotFound.
func (s *Store) PatientCare(ctx context.Context, patientID int64) (PatientCare, error) {
	var pc PatientCare
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var addedBy sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT created_by FROM patients WHERE id = ?`, patientID).Scan(&addedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		pc.AddedBy = addedBy.Int64
		rows, err := findReferrals(ctx, tx, referralFilter{PatientID: patientID})
		for _, row := range rows {
			pc.Referrals = append(pc.Referrals, row.Referral)
		}
		return err
	})
	if err != nil {
		return PatientCare{}, fmt.Errorf("patient %d care: %w", patientID, err)
	}
	return pc, nil
}
