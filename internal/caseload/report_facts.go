package caseload

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// Report facts (issue 13) are the columns of report_referral that the
// waits, endings, stepped care, inequalities and data quality figures add
// up: worked out in Go from a referral's contacts (each at the intensity it
// was given at, contacts.intensity, never the referral's current one), its
// scores, its EndCode and its patient's latest demographics, and written in
// the transaction of every write that changes one of them.
// refreshReportFacts writes them for a range of referrals: one referral
// after a save, a batch in a rebuild, every referral at schema step 18.

// factContact is one contact as the facts need it.
type factContact struct {
	date               string
	kind, purpose      string
	attended           bool
	intensity          string
	medium, employment string
}

// factScores counts a referral's valid scores from attended contacts: per
// instrument, the contacts that have one; and whether any WSAS has at least
// 4 of its 5 items answered.
type factScores struct {
	contacts     map[string]int
	wsasComplete bool
}

// factBasis is what the facts need of the referral and its patient.
type factBasis struct {
	id                                           int64
	receivedOn, descriptor, dateOfBirth          string
	ethnic, gender, orientation, disability, ltc string
	endCode                                      string
}

// ReportFacts are report_referral's step 18 columns for one referral:
// the facts issue 13's sections count (schema.sql, step 18).
type ReportFacts struct {
	FirstAssessmentOn  string
	AssessmentDays     int
	SecondTreatmentOn  string
	FirstSecondDays    int
	LastContactOn      string
	EndCode            string
	IntensityMix       string
	StepUpDays         int
	EthnicGroup        string
	AgeBand            string
	GenderIdentity     string
	SexualOrientation  string
	Disability         string
	EmploymentStatus   string
	LongTermCondition  string
	ConsultationMedium string
	ADSMExpected       bool
	ADSMPaired         bool
	AnxietyOneOrNone   bool
	WSASComplete       bool
	// DatasetProblems counts the data set validation problems of the
	// referral's records, all of them, by the export's own checks
	// (problemCountsOf; schema step 21).
	DatasetProblems int
}

// Intensity mixes of a referral's attended treatment appointments.
const (
	MixLowOnly  = "low"
	MixBoth     = "both"
	MixHighOnly = "high"
)

// StepUpDays is the longest step up, in days from the last low-intensity
// treatment to the first high-intensity one, that counts as timely (NHS
// England's stepped-care measures, dataset.md: within 90 days).
const StepUpDays = 90

// workOutFacts works out a referral's facts from its basis, its contacts
// in date order, and its scores.
func workOutFacts(b factBasis, contacts []factContact, sc factScores) ReportFacts {
	f := ReportFacts{AssessmentDays: -1, FirstSecondDays: -1, StepUpDays: -1, EndCode: b.endCode}
	var firstTreatment, lastLow string
	treatments := 0
	var hasLow, hasHigh bool
	media := map[string]int{}
	var mediaOrder []string
	for _, c := range contacts {
		if f.EmploymentStatus == "" && c.employment != "" {
			f.EmploymentStatus = c.employment
		}
		if !c.attended {
			continue
		}
		f.LastContactOn = c.date
		treatment := measures.ContactKind(c.kind).IsTreatment()
		assessment := c.kind == string(measures.Assessment) || c.purpose == string(measures.AssessmentTreatment)
		if assessment && f.FirstAssessmentOn == "" {
			f.FirstAssessmentOn = c.date
		}
		if !treatment {
			continue
		}
		treatments++
		switch treatments {
		case 1:
			firstTreatment = c.date
		case 2:
			f.SecondTreatmentOn = c.date
			f.FirstSecondDays = daysFrom(firstTreatment, c.date)
		}
		switch measures.Intensity(c.intensity) {
		case measures.LowIntensity:
			hasLow, lastLow = true, c.date
		case measures.HighIntensity:
			hasHigh = true
			if lastLow != "" && f.StepUpDays < 0 {
				f.StepUpDays = daysFrom(lastLow, c.date)
			}
		}
		if c.medium != "" {
			if media[c.medium] == 0 {
				mediaOrder = append(mediaOrder, c.medium)
			}
			media[c.medium]++
		}
	}
	if f.FirstAssessmentOn == "" {
		// Taken straight into treatment: assessed at the first treatment.
		f.FirstAssessmentOn = firstTreatment
	}
	if f.FirstAssessmentOn != "" {
		f.AssessmentDays = daysFrom(b.receivedOn, f.FirstAssessmentOn)
	}
	switch {
	case hasLow && hasHigh:
		f.IntensityMix = MixBoth
	case hasLow:
		f.IntensityMix = MixLowOnly
	case hasHigh:
		f.IntensityMix = MixHighOnly
	}
	best := ""
	for _, m := range mediaOrder {
		if media[m] > media[best] {
			best = m
		}
	}
	f.ConsultationMedium = dataset.MediumGroupOf(best)
	f.EmploymentStatus = dataset.EmploymentGroupOf(f.EmploymentStatus)
	f.withPatient(b, sc)
	return f
}

// withPatient adds the facts of the referral's patient (their groups) and
// of its scores (data quality).
func (f *ReportFacts) withPatient(b factBasis, sc factScores) {
	f.EthnicGroup = dataset.EthnicGroupOf(b.ethnic)
	f.AgeBand = dataset.AgeBandOf(ageOn(b.dateOfBirth, b.receivedOn))
	f.GenderIdentity = dataset.GenderIdentityGroupOf(b.gender)
	f.SexualOrientation = dataset.SexualOrientationGroupOf(b.orientation)
	f.Disability = dataset.DisabilityGroupOf(strings.Split(b.disability, ","))
	f.LongTermCondition = dataset.LongTermConditionGroupOf(strings.Split(b.ltc, ","))
	adsm := measures.PairedADSM(b.descriptor)
	canonical, _ := measures.NormaliseDescriptor(b.descriptor)
	f.ADSMExpected = adsm != measures.GAD7 || strings.HasPrefix(canonical, "F41.1")
	f.ADSMPaired = f.ADSMExpected && sc.contacts[string(adsm)] >= 2
	f.AnxietyOneOrNone = sc.contacts[string(measures.GAD7)] <= 1 && (adsm == measures.GAD7 || sc.contacts[string(adsm)] <= 1)
	f.WSASComplete = sc.wsasComplete
}

// daysFrom counts calendar days from one date to another (YYYY-MM-DD);
// 0 when either cannot be read.
func daysFrom(from, to string) int {
	a, ok1 := parseDate(from)
	b, ok2 := parseDate(to)
	if !ok1 || !ok2 {
		return 0
	}
	return int(b.Sub(a).Hours()+12) / 24
}

// ageOn is a person's age in whole years on a date: a birthday counts on
// its day (29 February on 1 March in other years). -1 when either date
// cannot be read.
func ageOn(birth, on string) int {
	b, ok1 := parseDate(birth)
	d, ok2 := parseDate(on)
	if !ok1 || !ok2 || d.Before(b) {
		return -1
	}
	age := d.Year() - b.Year()
	if !sameOrLaterMonthDay(d, b) {
		age--
	}
	return age
}

// sameOrLaterMonthDay says whether d's month and day are on or after b's.
func sameOrLaterMonthDay(d, b time.Time) bool {
	if d.Month() != b.Month() {
		return d.Month() > b.Month()
	}
	return d.Day() >= b.Day()
}

// factsUpdate writes a referral's facts into its report row.
const factsUpdate = `
	UPDATE report_referral SET
		first_assessment_on = ?,
		assessment_days = ?,
		second_treatment_on = ?,
		first_second_days = ?,
		last_contact_on = ?,
		end_code = ?,
		intensity_mix = ?,
		step_up_days = ?,
		ethnic_group = ?,
		age_band = ?,
		gender_identity = ?,
		sexual_orientation = ?,
		disability = ?,
		employment_status = ?,
		long_term_condition = ?,
		consultation_medium = ?,
		adsm_expected = ?,
		adsm_paired = ?,
		anxiety_one_or_none = ?,
		wsas_complete = ?,
		dataset_problems = ?
	WHERE referral_id = ?`

func (f ReportFacts) args(id int64) []any {
	return []any{
		nullString(f.FirstAssessmentOn), f.AssessmentDays,
		nullString(f.SecondTreatmentOn), f.FirstSecondDays,
		nullString(f.LastContactOn), f.EndCode, f.IntensityMix, f.StepUpDays,
		f.EthnicGroup, f.AgeBand, f.GenderIdentity, f.SexualOrientation, f.Disability,
		f.EmploymentStatus, f.LongTermCondition, f.ConsultationMedium,
		boolInt(f.ADSMExpected), boolInt(f.ADSMPaired), boolInt(f.AnxietyOneOrNone), boolInt(f.WSASComplete),
		f.DatasetProblems, id,
	}
}

// refreshReportFacts works out and writes the facts of the referrals with
// ids in (lo, hi] that have a report row, reading their contacts, scores
// and bases a range at a time, and running the data set's checks on them.
func refreshReportFacts(ctx context.Context, tx *sql.Tx, lo, hi int64) error {
	bases, err := factBasesOf(ctx, tx, lo, hi)
	if err != nil || len(bases) == 0 {
		return err
	}
	contacts, err := factContactsOf(ctx, tx, lo, hi)
	if err != nil {
		return err
	}
	scores, err := factScoresOf(ctx, tx, lo, hi)
	if err != nil {
		return err
	}
	problems, err := problemCountsOf(ctx, tx, lo, hi)
	if err != nil {
		return err
	}
	update, err := tx.PrepareContext(ctx, factsUpdate)
	if err != nil {
		return err
	}
	defer update.Close()
	for _, b := range bases {
		f := workOutFacts(b, contacts[b.id], scores[b.id])
		f.DatasetProblems = problems[b.id]
		if _, err := update.ExecContext(ctx, f.args(b.id)...); err != nil {
			return fmt.Errorf("report facts of referral %d: %w", b.id, err)
		}
	}
	return nil
}

// refreshAllReportFacts writes every report row's facts, a batch of
// referrals at a time (a batch's contacts are held in memory).
func refreshAllReportFacts(ctx context.Context, tx *sql.Tx) error {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(referral_id), 0) FROM report_referral`).Scan(&last); err != nil {
		return err
	}
	for lo := int64(0); lo < last; lo += rebuildBatch {
		if err := refreshReportFacts(ctx, tx, lo, lo+rebuildBatch); err != nil {
			return err
		}
	}
	return nil
}

// refreshPatientReportFacts refreshes the facts of every referral of a
// patient, after their demographics change.
func refreshPatientReportFacts(ctx context.Context, tx *sql.Tx, patientID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM referrals WHERE patient_id = ?`, patientID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := refreshReportFacts(ctx, tx, id-1, id); err != nil {
			return err
		}
	}
	return nil
}

// factBasesOf reads the referrals in (lo, hi] that have a report row, with
// their patient's date of birth and latest demographics, and EndCode.
func factBasesOf(ctx context.Context, tx *sql.Tx, lo, hi int64) ([]factBasis, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			r.id,
			r.received_on,
			r.problem_descriptor,
			p.date_of_birth,
			COALESCE(d.ethnic_category, ''),
			COALESCE(d.gender_identity, ''),
			COALESCE(d.sexual_orientation, ''),
			COALESCE(d.disability, ''),
			COALESCE(d.long_term_conditions, ''),
			COALESCE(rd.end_code, '')
		FROM report_referral x
		JOIN referrals r ON r.id = x.referral_id
		JOIN patients p ON p.id = r.patient_id
		LEFT JOIN patient_demographics d ON d.id = (
			SELECT MAX(id) FROM patient_demographics WHERE patient_id = r.patient_id)
		LEFT JOIN referral_dataset rd ON rd.referral_id = r.id
		WHERE x.referral_id > ? AND x.referral_id <= ?
		ORDER BY x.referral_id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []factBasis
	for rows.Next() {
		var b factBasis
		if err := rows.Scan(&b.id, &b.receivedOn, &b.descriptor, &b.dateOfBirth,
			&b.ethnic, &b.gender, &b.orientation, &b.disability, &b.ltc, &b.endCode); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// factContactsOf reads the contacts of the referrals in (lo, hi], each
// referral's in date order.
func factContactsOf(ctx context.Context, tx *sql.Tx, lo, hi int64) (map[int64][]factContact, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			referral_id,
			date,
			kind,
			COALESCE(purpose, ''),
			attendance,
			intensity,
			COALESCE(medium, ''),
			COALESCE(employment_status, '')
		FROM contacts
		WHERE referral_id > ? AND referral_id <= ?
		ORDER BY referral_id, date, id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]factContact{}
	for rows.Next() {
		var id int64
		var c factContact
		var attendance string
		if err := rows.Scan(&id, &c.date, &c.kind, &c.purpose, &attendance, &c.intensity, &c.medium, &c.employment); err != nil {
			return nil, err
		}
		c.attended = measures.Attendance(attendance).IsAttended()
		out[id] = append(out[id], c)
	}
	return out, rows.Err()
}

// factScoresOf counts the scores in force of the attended contacts of the
// referrals in (lo, hi].
func factScoresOf(ctx context.Context, tx *sql.Tx, lo, hi int64) (map[int64]factScores, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			c.referral_id,
			s.instrument,
			COUNT(DISTINCT s.contact_id),
			COALESCE(MAX(CASE WHEN s.instrument = 'wsas' THEN
				(SELECT COUNT(*) FROM json_each(s.items_json) WHERE json_each.type <> 'null') END), 0)
		FROM contacts c
		JOIN scores s ON s.contact_id = c.id AND s.superseded_at IS NULL
		WHERE c.referral_id > ? AND c.referral_id <= ? AND c.attendance = 'attended'
		GROUP BY c.referral_id, s.instrument`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]factScores{}
	for rows.Next() {
		var id int64
		var instrument string
		var n, wsasItems int
		if err := rows.Scan(&id, &instrument, &n, &wsasItems); err != nil {
			return nil, err
		}
		sc := out[id]
		if sc.contacts == nil {
			sc.contacts = map[string]int{}
		}
		sc.contacts[instrument] = n
		if instrument == string(measures.WSAS) {
			// WSAS completeness: at least 4 of its 5 domains (dataset.md).
			sc.wsasComplete = wsasItems >= 4
		}
		out[id] = sc
	}
	return out, rows.Err()
}
