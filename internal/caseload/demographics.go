package caseload

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// Demographics are what the data set records of a patient (IDS001, 002,
// 007, 011, 602). Every field is optional: empty means not recorded. Codes
// come from internal/dataset's lists.
type Demographics struct {
	EthnicCategory     string   // dataset.EthnicCategory
	GenderIdentity     string   // dataset.GenderIdentity
	StatedGender       string   // dataset.Gender
	SexualOrientation  string   // dataset.SexualOrientation (to confirm)
	PreferredLanguage  string   // a language code as the service records it (no list in the reference)
	InterpreterNeeded  bool     // the patient needs an interpreter
	ExArmedForces      string   // dataset.ExBAFIndicator (to confirm)
	Disability         []string // dataset.Disability codes (to confirm)
	Postcode           string   // a UK postcode, "LS1 4AP"
	GPPracticeCode     string   // an ODS GP practice code, "B86001"
	LongTermConditions []string // SNOMED CT concept ids

	RecordedBy int64     // who recorded this version; 0 for none
	RecordedAt time.Time // when; zero when none was ever recorded
}

// Empty says whether nothing is recorded.
func (d Demographics) Empty() bool {
	return d.EthnicCategory == "" && d.GenderIdentity == "" && d.StatedGender == "" &&
		d.SexualOrientation == "" && d.PreferredLanguage == "" && !d.InterpreterNeeded &&
		d.ExArmedForces == "" && len(d.Disability) == 0 && d.Postcode == "" &&
		d.GPPracticeCode == "" && len(d.LongTermConditions) == 0
}

// UK postcode shape (outward code, a space, inward code), and an ODS GP
// practice code: a letter and five digits.
var (
	postcodeShape = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$`)
	gpPracticeRe  = regexp.MustCompile(`^[A-Z][0-9]{5}$`)
	languageRe    = regexp.MustCompile(`^[A-Za-z0-9]{1,10}$`)
)

// normalised puts demographics in the form they are kept: codes trimmed and
// upper-cased where their lists are, the postcode spaced, lists without
// empty or repeated entries.
func (d Demographics) normalised() Demographics {
	up := func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
	d.EthnicCategory = up(d.EthnicCategory)
	d.GenderIdentity = up(d.GenderIdentity)
	d.StatedGender = up(d.StatedGender)
	d.SexualOrientation = up(d.SexualOrientation)
	d.PreferredLanguage = strings.TrimSpace(d.PreferredLanguage)
	d.ExArmedForces = up(d.ExArmedForces)
	d.GPPracticeCode = up(d.GPPracticeCode)
	pc := strings.ReplaceAll(up(d.Postcode), " ", "")
	if len(pc) > 3 {
		pc = pc[:len(pc)-3] + " " + pc[len(pc)-3:]
	}
	d.Postcode = pc
	d.Disability = uniqueCodes(d.Disability, up)
	d.LongTermConditions = uniqueCodes(d.LongTermConditions, strings.TrimSpace)
	return d
}

func uniqueCodes(in []string, norm func(string) string) []string {
	var out []string
	for _, c := range in {
		c = norm(c)
		if c != "" && !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// checkDemographics adds to v what is wrong with (normalised) demographics,
// under the JSON API's field names.
func checkDemographics(d Demographics, v validation) {
	code := func(field string, list dataset.List, value, what string) {
		if value != "" && !list.Valid(value) {
			v.add(field, "Choose "+what+" from the list")
		}
	}
	code("ethnic_category", dataset.EthnicCategory, d.EthnicCategory, "an ethnic category")
	code("gender_identity", dataset.GenderIdentity, d.GenderIdentity, "a gender identity")
	code("stated_gender", dataset.Gender, d.StatedGender, "a stated gender")
	code("sexual_orientation", dataset.SexualOrientation, d.SexualOrientation, "a sexual orientation")
	code("ex_armed_forces", dataset.ExBAFIndicator, d.ExArmedForces, "an answer")
	for _, c := range d.Disability {
		if !dataset.Disability.Valid(c) {
			v.add("disability", "Choose disabilities from the list")
		}
	}
	if d.PreferredLanguage != "" && !languageRe.MatchString(d.PreferredLanguage) {
		v.add("preferred_language", "Enter a language code of letters and digits, at most 10")
	}
	if d.Postcode != "" && !postcodeShape.MatchString(d.Postcode) {
		v.add("postcode", "Enter a UK postcode, like LS1 4AP, or leave it blank")
	}
	if d.GPPracticeCode != "" && !gpPracticeRe.MatchString(d.GPPracticeCode) {
		v.add("gp_practice_code", "Enter the GP practice code: a letter and five digits, like B86001")
	}
	for _, c := range d.LongTermConditions {
		if !measures.IsSNOMEDConcept(c) {
			v.add("long_term_conditions", "Enter each long-term condition as a SNOMED CT code")
		}
	}
}

// SetDemographics records a patient's demographics as a new version; the
// earlier versions are kept. Recording the same values again adds nothing.
func (s *Store) SetDemographics(ctx context.Context, actor User, patientID int64, in Demographics) (Demographics, error) {
	d := in.normalised()
	v := validation{}
	checkDemographics(d, v)
	if err := v.err(); err != nil {
		return Demographics{}, fmt.Errorf("set demographics: %w", err)
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM patients WHERE id = ?`, patientID).Scan(&one); err != nil {
			if err == sql.ErrNoRows {
				return ErrNotFound
			}
			return err
		}
		cur, err := currentDemographics(ctx, tx, patientID)
		if err != nil {
			return err
		}
		if sameDemographics(cur, d) {
			d = cur
			return nil
		}
		return s.insertDemographics(ctx, tx, actor, patientID, &d)
	})
	if err != nil {
		return Demographics{}, fmt.Errorf("set demographics: %w", err)
	}
	return d, nil
}

// sameDemographics compares the recorded values, not who recorded them.
func sameDemographics(a, b Demographics) bool {
	a.RecordedBy, a.RecordedAt, b.RecordedBy, b.RecordedAt = 0, time.Time{}, 0, time.Time{}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// insertFirstDemographics keeps a new patient's demographics, if any were
// given.
func (s *Store) insertFirstDemographics(ctx context.Context, tx *sql.Tx, actor User, patientID int64, d Demographics) error {
	if d.Empty() {
		return nil
	}
	return s.insertDemographics(ctx, tx, actor, patientID, &d)
}

// insertDemographics appends a version of a patient's demographics and
// audits it.
func (s *Store) insertDemographics(ctx context.Context, tx *sql.Tx, actor User, patientID int64, d *Demographics) error {
	d.RecordedBy, d.RecordedAt = actor.ID, s.Now()
	_, err := tx.ExecContext(ctx, `
		INSERT INTO patient_demographics (patient_id, ethnic_category, gender_identity, stated_gender,
			sexual_orientation, preferred_language, interpreter_needed, ex_armed_forces, disability,
			postcode, gp_practice_code, long_term_conditions, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		patientID, d.EthnicCategory, d.GenderIdentity, d.StatedGender, d.SexualOrientation,
		d.PreferredLanguage, boolInt(d.InterpreterNeeded), d.ExArmedForces, strings.Join(d.Disability, ","),
		d.Postcode, d.GPPracticeCode, strings.Join(d.LongTermConditions, ","), nullInt(actor.ID), stamp(d.RecordedAt))
	if err != nil {
		return err
	}
	// Demographics are report facts (issue 13): the patient's groups.
	if err := refreshPatientReportFacts(ctx, tx, patientID); err != nil {
		return err
	}
	return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditSetDemographics, entity: "patient", entityID: patientID, patientID: patientID})
}

const demographicsSelect = `
	SELECT
		ethnic_category,
		gender_identity,
		stated_gender,
		sexual_orientation,
		preferred_language,
		interpreter_needed,
		ex_armed_forces,
		disability,
		postcode,
		gp_practice_code,
		long_term_conditions,
		COALESCE(recorded_by, 0),
		recorded_at
	FROM patient_demographics`

func scanDemographics(row scanner) (Demographics, error) {
	var d Demographics
	var disability, ltc, at string
	if err := row.Scan(&d.EthnicCategory, &d.GenderIdentity, &d.StatedGender, &d.SexualOrientation,
		&d.PreferredLanguage, &d.InterpreterNeeded, &d.ExArmedForces, &disability, &d.Postcode,
		&d.GPPracticeCode, &ltc, &d.RecordedBy, &at); err != nil {
		return Demographics{}, err
	}
	d.Disability, d.LongTermConditions = splitCodes(disability), splitCodes(ltc)
	var err error
	d.RecordedAt, err = parseStamp(sql.NullString{String: at, Valid: true})
	return d, err
}

func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// currentDemographics reads the version in force, or the zero Demographics.
func currentDemographics(ctx context.Context, tx *sql.Tx, patientID int64) (Demographics, error) {
	d, err := scanDemographics(tx.QueryRowContext(ctx, demographicsSelect+` WHERE patient_id = ? ORDER BY id DESC LIMIT 1`, patientID))
	if err == sql.ErrNoRows {
		return Demographics{}, nil
	}
	return d, err
}

// DemographicsHistory returns a patient's demographics, the version in force
// first, then the earlier ones newest first; none when never recorded.
func (s *Store) DemographicsHistory(ctx context.Context, patientID int64) ([]Demographics, error) {
	rows, err := s.read.QueryContext(ctx, demographicsSelect+` WHERE patient_id = ? ORDER BY id DESC`, patientID)
	if err != nil {
		return nil, fmt.Errorf("demographics of %d: %w", patientID, err)
	}
	defer rows.Close()
	var out []Demographics
	for rows.Next() {
		d, err := scanDemographics(rows)
		if err != nil {
			return nil, fmt.Errorf("demographics of %d: %w", patientID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demographics of %d: %w", patientID, err)
	}
	return out, nil
}
