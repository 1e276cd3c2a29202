package caseload

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// The monthly NHS Talking Therapies data set submission (IDS v2.1, issue
// 12): every referral active in the reporting period (received by its end,
// not ended before its start), with its patient and its whole history up
// to the period's end, as rows of the IDS tables (internal/dataset), and
// the problems that would fail a mandatory-field or code rule.
//
// Each submission carries a referral's history up to the period's end, not
// only the period's activity, so that NHS England's first-and-last-score
// rules give the same outcome from any one submission as from all of them.

// IDSHeader is what IDS000 says of a submission.
type IDSHeader struct {
	ProviderOrg   string // ODS code of the provider
	SubmittingOrg string // ODS code of the submitter, usually the provider
	CreatedAt     string // date-time the extract was made, as it is written
}

// IDSExport is a submission: rows by table name (dataset.Table.Name), in
// the table's column order, and the validation problems.
type IDSExport struct {
	From, To string
	Tables   map[string][][]string
	Problems []DatasetProblem
	// Counts of what was exported.
	Referrals, Contacts int
}

// DatasetProblem is one record breaking a data set rule. ReferralID names
// the referral to open to fix it (0 when the problem is not a referral's,
// such as a care professional's qualification); UserID the member of staff.
type DatasetProblem struct {
	Table      string
	RecordID   string
	Field      string
	Problem    string
	ReferralID int64
	UserID     int64
}

// Local ids clinic gives records that were not imported with one: the
// record's id behind a letter saying what it is.
func localPatientID(id int64, imported string) string {
	if imported != "" {
		return imported
	}
	return "P" + strconv.FormatInt(id, 10)
}

func serviceRequestID(id int64, imported string) string {
	if imported != "" {
		return imported
	}
	return "R" + strconv.FormatInt(id, 10)
}

func careContactID(id int64, imported string) string {
	if imported != "" {
		return imported
	}
	return "C" + strconv.FormatInt(id, 10)
}

// careActID is a contact's one care activity: clinic records one activity
// per contact, so it is named after the contact.
func careActID(contact string) string { return contact + "-A" }

func careProfID(userID int64) string { return "U" + strconv.FormatInt(userID, 10) }

// referralScope selects the referrals of a submission over [?1, ?2]
// (from, to), as a condition on referrals r.
const referralScope = `r.received_on <= ?2 AND (r.ended_on IS NULL OR r.ended_on >= ?1)`

// ExportIDS builds the submission for the period [from, to], in one read
// transaction.
func (s *Store) ExportIDS(ctx context.Context, from, to string, h IDSHeader) (IDSExport, error) {
	if _, ok := parseDate(from); !ok {
		return IDSExport{}, fmt.Errorf("export ids: %w", &ValidationError{Fields: map[string]string{"from": "Enter a real date as YYYY-MM-DD"}})
	}
	if _, ok := parseDate(to); !ok || to < from {
		return IDSExport{}, fmt.Errorf("export ids: %w", &ValidationError{Fields: map[string]string{"to": "Enter a real date, not before the start, as YYYY-MM-DD"}})
	}
	x := &idsExport{IDSExport: IDSExport{From: from, To: to, Tables: map[string][][]string{}}, scope: referralScope}
	for _, t := range dataset.Tables() {
		x.Tables[t.Name] = [][]string{}
	}
	x.add(dataset.IDS000, []string{"2.1", h.ProviderOrg, h.SubmittingOrg, "clinic", from, to, h.CreatedAt})
	if h.ProviderOrg == "" {
		x.problem(DatasetProblem{Table: "IDS000", RecordID: "1", Field: "OrgIDProvider", Problem: "No provider organisation code: give --org"})
	}
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		for _, step := range []func(context.Context, *sql.Tx) error{
			x.patients, x.referrals, x.contacts, x.scores, x.staff,
		} {
			if err := step(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return IDSExport{}, fmt.Errorf("export ids: %w", err)
	}
	x.unconfirmedLists()
	return x.IDSExport, nil
}

// idsExport is a submission being built: of the referrals of scope (a
// condition on referrals r over args), with their records up to To.
type idsExport struct {
	IDSExport
	scope       string
	lo, hi      int64            // the referral ids of problemCountsOf's scope
	patientIDs  map[int64]string // local patient id by patient id
	firstRefOf  map[int64]int64  // a referral of each patient, to link a patient's problems to
	referralIDs map[int64]string // ServiceRequestId by referral id
	staffUsed   map[int64]int64  // staff who held contacts, with a referral of theirs
	profOrder   []string         // CareProfLocalIds in the order of their first contact
	profRef     map[string]int64 // a referral of each
	usedLists   map[string]bool  // to-confirm lists whose codes were exported
	patientOf   map[int64]int64  // patient id by referral id
	ofReferral  map[int64]int    // problems of a referral's own records, by referral id
	ofPatient   map[int64]int    // problems of a patient's records, by patient id
}

// args are the parameters of the builders' queries: ?1 and ?2 the period,
// ?3 and ?4 the referral ids of problemCountsOf's scope.
func (x *idsExport) args() []any {
	if x.scope == referralScope {
		return []any{x.From, x.To}
	}
	return []any{x.From, x.To, x.lo, x.hi}
}

// referralRange selects the referrals with ids in (?3, ?4], whatever
// their dates.
const referralRange = `r.id > ?3 AND r.id <= ?4`

// problemCountsOf counts the data set validation problems of each referral
// with id in (lo, hi] by the export's own checks (the row builders run on
// those referrals alone, with all their records): of its patient's record,
// its referral's, and its contacts' and scores' (not of the staff's, nor
// the submission's header, which are no one referral's).
func problemCountsOf(ctx context.Context, tx *sql.Tx, lo, hi int64) (map[int64]int, error) {
	// No Tables: only the problems are counted, so the rows are not built
	// (a save runs this for its referral, issue 17).
	x := &idsExport{IDSExport: IDSExport{From: "", To: "9999-12-31"},
		scope: referralRange, lo: lo, hi: hi}
	for _, step := range []func(context.Context, *sql.Tx) error{x.patients, x.referrals, x.contacts, x.scores} {
		if err := step(ctx, tx); err != nil {
			return nil, err
		}
	}
	out := make(map[int64]int, len(x.patientOf))
	for id, patient := range x.patientOf {
		out[id] = x.ofReferral[id] + x.ofPatient[patient]
	}
	return out, nil
}

// add keeps a row of a table, unless the export only counts problems (no
// Tables).
func (x *idsExport) add(t dataset.Table, row []string) {
	if x.Tables == nil {
		return
	}
	x.Tables[t.Name] = append(x.Tables[t.Name], row)
}

// problem is a problem of a referral's own records (or, without a
// ReferralID, of none).
func (x *idsExport) problem(p DatasetProblem) {
	x.Problems = append(x.Problems, p)
	if x.ofReferral == nil {
		x.ofReferral = map[int64]int{}
	}
	x.ofReferral[p.ReferralID]++
}

// patientProblem is a problem of a patient's record: every referral of
// theirs carries it (the submission links it to one of them).
func (x *idsExport) patientProblem(patientID int64, p DatasetProblem) {
	x.Problems = append(x.Problems, p)
	if x.ofPatient == nil {
		x.ofPatient = map[int64]int{}
	}
	x.ofPatient[patientID]++
}

func (x *idsExport) used(l dataset.List, code string) {
	if code != "" && l.Unconfirmed(code) {
		if x.usedLists == nil {
			x.usedLists = map[string]bool{}
		}
		x.usedLists[l.Name+" "+code] = true
	}
}

// unconfirmedLists reports, once per code, every exported code that a list
// marks to confirm.
func (x *idsExport) unconfirmedLists() {
	for _, l := range dataset.Lists() {
		for _, c := range l.Codes {
			if x.usedLists[l.Name+" "+c.Code] {
				x.problem(DatasetProblem{Table: "*", RecordID: "*", Field: l.Name,
					Problem: fmt.Sprintf("code %s (%s) is to confirm against the NHS Data Dictionary (%s)", c.Code, c.Label, l.Source)})
			}
		}
	}
}

// patients writes IDS001, 002, 007, 011 and 602 for the patients of the
// submission's referrals, with their demographics in force.
func (x *idsExport) patients(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			p.id,
			COALESCE(l.local_id, ''),
			p.nhs_number,
			p.date_of_birth,
			(SELECT MIN(r.id) FROM referrals r WHERE r.patient_id = p.id AND `+x.scope+`),
			COALESCE(d.ethnic_category, ''),
			COALESCE(d.gender_identity, ''),
			COALESCE(d.stated_gender, ''),
			COALESCE(d.sexual_orientation, ''),
			COALESCE(d.preferred_language, ''),
			COALESCE(d.ex_armed_forces, ''),
			COALESCE(d.disability, ''),
			COALESCE(d.postcode, ''),
			COALESCE(d.gp_practice_code, ''),
			COALESCE(d.long_term_conditions, ''),
			COALESCE(d.recorded_at, '')
		FROM patients p
		LEFT JOIN patient_local_ids l ON l.patient_id = p.id
		LEFT JOIN patient_demographics d ON d.id = (
			SELECT MAX(id) FROM patient_demographics WHERE patient_id = p.id)
		WHERE p.id IN (SELECT r.patient_id FROM referrals r WHERE `+x.scope+`)
		ORDER BY p.id`, x.args()...) // #nosec G202 -- the scope is a constant of this file
	if err != nil {
		return err
	}
	defer rows.Close()
	x.patientIDs, x.firstRefOf = map[int64]string{}, map[int64]int64{}
	for rows.Next() {
		var id, ref int64
		var local, nhs, dob, ethnic, gi, sg, so, lang, exf, dis, pc, gp, ltc, at string
		if err := rows.Scan(&id, &local, &nhs, &dob, &ref, &ethnic, &gi, &sg, &so, &lang, &exf, &dis, &pc, &gp, &ltc, &at); err != nil {
			return err
		}
		lp := localPatientID(id, local)
		x.patientIDs[id], x.firstRefOf[id] = lp, ref
		x.add(dataset.IDS001, []string{lp, "", nhs, "", dob, pc, sg, gi, "", ethnic, lang, exf})
		x.used(dataset.ExBAFIndicator, exf)
		for _, p := range patientRecordProblems(lp, ref, ethnic, gi, pc, so) {
			x.patientProblem(id, p)
		}
		if gp != "" {
			x.add(dataset.IDS002, []string{lp, gp, "", ""})
		}
		for _, c := range splitCodes(dis) {
			x.add(dataset.IDS007, []string{lp, c})
			x.used(dataset.Disability, c)
		}
		if so != "" {
			// IDS011 codes sexual orientation in SNOMED CT, whose codes
			// were not available: the Data Dictionary code is written and
			// reported, never a SNOMED code made up.
			x.add(dataset.IDS011, []string{lp, so, stampDate(at)})
		}
		for _, c := range splitCodes(ltc) {
			x.add(dataset.IDS602, []string{lp, c, ""})
		}
	}
	return rows.Err()
}

// patientRecordProblems are the data set problems of a patient's record
// (local patient id lp, linked to referral ref) with its demographics in
// force: one place for the export and the count a save keeps
// (recomputeSummary).
func patientRecordProblems(lp string, ref int64, ethnic, gender, postcode, orientation string) []DatasetProblem {
	var out []DatasetProblem
	if ethnic == "" {
		out = append(out, DatasetProblem{Table: "IDS001", RecordID: lp, Field: "EthnicCategory", Problem: "Not recorded (record Z when the patient did not say)", ReferralID: ref})
	}
	if gender == "" {
		out = append(out, DatasetProblem{Table: "IDS001", RecordID: lp, Field: "GenderIdentity", Problem: "Not recorded (record Z when the patient did not say)", ReferralID: ref})
	}
	if postcode == "" {
		out = append(out, DatasetProblem{Table: "IDS001", RecordID: lp, Field: "Postcode", Problem: "Not recorded", ReferralID: ref})
	}
	if orientation != "" {
		// IDS011 codes sexual orientation in SNOMED CT, whose codes
		// were not available: the Data Dictionary code is written and
		// reported, never a SNOMED code made up.
		out = append(out, DatasetProblem{Table: "IDS011", RecordID: lp, Field: "SocPerCircumstance",
			Problem: "Sexual orientation is written as the Data Dictionary code " + orientation + ": its SNOMED CT code is unconfirmed", ReferralID: ref})
	}
	return out
}

// referralRecordProblems are the data set problems of a referral's own
// record (ServiceRequestId sr), as the submission knows its ending: one
// place for the export and the count a save keeps (recomputeSummary).
func referralRecordProblems(sr string, id int64, source, ended, endCode, descriptor string) []DatasetProblem {
	var out []DatasetProblem
	if source == "" {
		out = append(out, DatasetProblem{Table: "IDS101", RecordID: sr, Field: "SourceOfReferralIAPT", Problem: "Not recorded", ReferralID: id})
	}
	if ended != "" && endCode == "" {
		out = append(out, DatasetProblem{Table: "IDS101", RecordID: sr, Field: "EndCode", Problem: "The referral ended on " + ended + " without an EndCode", ReferralID: id})
	}
	if presComp(descriptor) == "" {
		out = append(out, DatasetProblem{Table: "IDS603", RecordID: sr, Field: "PresComp", Problem: "No problem descriptor recorded", ReferralID: id})
	}
	return out
}

// stampDate is the date of a stored instant, "" for none.
func stampDate(stamp string) string {
	if len(stamp) >= 10 {
		return stamp[:10]
	}
	return ""
}

// referrals writes IDS101 and IDS603. An ending after the period is not
// yet known to the submission.
func (x *idsExport) referrals(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			r.id,
			r.patient_id,
			r.received_on,
			COALESCE(r.ended_on, ''),
			r.problem_descriptor,
			COALESCE(d.source_of_referral, ''),
			COALESCE(d.ltc_pathway, 0),
			COALESCE(d.end_code, ''),
			COALESCE(d.local_id, '')
		FROM referrals r
		LEFT JOIN referral_dataset d ON d.referral_id = r.id
		WHERE `+x.scope+`
		ORDER BY r.id`, x.args()...) // #nosec G202 -- the scope is a constant of this file
	if err != nil {
		return err
	}
	defer rows.Close()
	x.referralIDs = map[int64]string{}
	for rows.Next() {
		var id, patientID int64
		var received, ended, descriptor, source, endCode, local string
		var ltc bool
		if err := rows.Scan(&id, &patientID, &received, &ended, &descriptor, &source, &ltc, &endCode, &local); err != nil {
			return err
		}
		sr := serviceRequestID(id, local)
		x.referralIDs[id] = sr
		if x.patientOf == nil {
			x.patientOf = map[int64]int64{}
		}
		x.patientOf[id] = patientID
		x.Referrals++
		if ended > x.To {
			ended, endCode = "", ""
		}
		x.add(dataset.IDS101, []string{sr, x.patientIDs[patientID], received, source, ended, endCode, yn(ltc), ""})
		x.used(dataset.SourceOfReferral, source)
		for _, p := range referralRecordProblems(sr, id, source, ended, endCode, descriptor) {
			x.problem(p)
		}
		if code := presComp(descriptor); code != "" {
			x.add(dataset.IDS603, []string{sr, code, "", "", received})
		}
	}
	return rows.Err()
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// presComp is a problem descriptor as the data set writes it: ICD-10
// without the dot and padded with X to four characters ("F41.1" is F411,
// "F42" is F42X, as in NHS England's analytics SQL), SNOMED CT as it is;
// "" for none.
func presComp(descriptor string) string {
	c, ok := measures.NormaliseDescriptor(descriptor)
	if !ok || c == measures.OtherDescriptor {
		return ""
	}
	if measures.IsSNOMEDConcept(c) {
		return c
	}
	c = strings.ReplaceAll(c, ".", "")
	if len(c) == 3 {
		c += "X"
	}
	return c
}

// contacts writes IDS201, IDS202 (one care activity per attended contact)
// and IDS004 (employment status where recorded). Each contact is written
// as it was given: its own care professional and intensity of care
// (contacts.intensity), never the referral's today.
func (x *idsExport) contacts(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			c.id,
			c.referral_id,
			r.patient_id,
			c.date,
			COALESCE(c.purpose, c.kind),
			COALESCE(c.attendance_outcome, c.attendance),
			COALESCE(c.medium, ''),
			COALESCE(c.duration_minutes, 0),
			COALESCE(c.therapy_type, ''),
			COALESCE(c.employment_status, ''),
			COALESCE(c.local_id, ''),
			c.recorded_by,
			COALESCE(c.care_prof_local_id, ''),
			c.intensity
		FROM contacts c
		JOIN referrals r ON r.id = c.referral_id
		WHERE `+x.scope+` AND c.date <= ?2
		ORDER BY c.id`, x.args()...) // #nosec G202 -- the scope is a constant of this file
	if err != nil {
		return err
	}
	defer rows.Close()
	x.staffUsed, x.profRef = map[int64]int64{}, map[string]int64{}
	for rows.Next() {
		var id, referralID, patientID, by int64
		var date, kind, att, medium, therapy, employment, local, prof, intensity string
		var minutes int
		if err := rows.Scan(&id, &referralID, &patientID, &date, &kind, &att, &medium, &minutes, &therapy, &employment, &local, &by, &prof, &intensity); err != nil {
			return err
		}
		if prof == "" {
			prof = careProfID(by)
			if _, ok := x.staffUsed[by]; !ok {
				x.staffUsed[by] = referralID
			}
		}
		if _, ok := x.profRef[prof]; !ok {
			x.profOrder = append(x.profOrder, prof)
			x.profRef[prof] = referralID
		}
		x.Contacts++
		cc := careContactID(id, local)
		k := checkContactRecord(kind, att, medium, therapy, intensity)
		attend, _ := dataset.AttendanceCode(att)
		x.used(dataset.AppType, k.appType)
		x.used(dataset.ConsMechanism, k.mech)
		x.add(dataset.IDS201, []string{cc, x.referralIDs[referralID], date, "", attend, k.appType, k.mech, minutesOf(minutes), "", "", "", prof})
		if k.noMedium {
			x.problem(DatasetProblem{Table: "IDS201", RecordID: cc, Field: "ConsMechanism", Problem: "How the appointment took place is not recorded", ReferralID: referralID})
		}
		if k.seen {
			x.add(dataset.IDS202, []string{careActID(cc), cc, k.therapy, minutesOf(minutes)})
			if k.noTherapy {
				x.problem(DatasetProblem{Table: "IDS202", RecordID: careActID(cc), Field: "CodeProcAndProcStatus", Problem: "A treatment appointment without a therapy type", ReferralID: referralID})
			}
		}
		if employment != "" {
			x.add(dataset.IDS004, []string{x.patientIDs[patientID], employment, date, "", "", "", "", "", "", "", "", "", "", ""})
		}
	}
	return rows.Err()
}

// contactRecord is what the export works out of one contact (its purpose,
// attendance, medium, therapy type and intensity of care, as stored), and
// the data set problems it has: one place for the export and for the count
// a save keeps (referralRecordsOf).
type contactRecord struct {
	appType, mech, therapy string
	seen                   bool // attended: it has a care activity (IDS202)
	noMedium, noTherapy    bool // its problems
}

func checkContactRecord(kind, att, medium, therapy, intensity string) contactRecord {
	k := contactRecord{therapy: therapy, seen: dataset.Attended(att)}
	k.appType, _ = dataset.CodeOf(dataset.Purposes, kind)
	k.mech, _ = dataset.CodeOf(dataset.Media, medium)
	treatment := dataset.TreatmentPurpose(kind)
	if k.therapy == "" && k.seen && treatment && intensity != "" {
		// A session recorded before the data set (step 16) has no
		// therapy type: it gets the default the session form gives,
		// of the intensity of care at that session (stepped up or
		// down since, the referral's intensity today is not it).
		k.therapy = dataset.DefaultTherapyType(intensity)
	}
	k.noMedium = k.seen && k.mech == ""
	k.noTherapy = k.seen && k.therapy == "" && treatment
	return k
}

// contactProblems counts the data set problems of one contact as the
// export reports them.
func (k contactRecord) problems() int {
	return boolInt(k.noMedium) + boolInt(k.noTherapy)
}

// scoreProblem says whether the export reports a score in force of this
// instrument as a problem: one with no confirmed CodedAssToolType.
func scoreProblem(instrument string) bool {
	_, ok := dataset.AssessmentToolCode(instrument)
	return !ok
}

func minutesOf(m int) string {
	if m == 0 {
		return ""
	}
	return strconv.Itoa(m)
}

// scores writes IDS607: the scores in force of attended contacts, on their
// contact's care activity. A score whose instrument has no confirmed
// CodedAssToolType is reported, never given an invented code.
func (x *idsExport) scores(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT
			s.contact_id,
			c.referral_id,
			COALESCE(c.local_id, ''),
			c.date,
			s.instrument,
			s.total
		FROM scores s
		JOIN contacts c ON c.id = s.contact_id
		JOIN referrals r ON r.id = c.referral_id
		WHERE `+x.scope+` AND c.date <= ?2 AND s.superseded_at IS NULL
		ORDER BY s.contact_id, s.instrument`, x.args()...) // #nosec G202 -- the scope is a constant of this file
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var contactID, referralID int64
		var local, date, instrument string
		var total float64
		if err := rows.Scan(&contactID, &referralID, &local, &date, &instrument, &total); err != nil {
			return err
		}
		act := careActID(careContactID(contactID, local))
		code, _ := dataset.AssessmentToolCode(instrument)
		if scoreProblem(instrument) {
			x.problem(DatasetProblem{Table: "IDS607", RecordID: act, Field: "CodedAssToolType",
				Problem: "The " + instrument + " score has no confirmed SNOMED CT code: not exported", ReferralID: referralID})
			continue
		}
		x.add(dataset.IDS607, []string{act, code, strconv.FormatFloat(total, 'f', -1, 64), date, ""})
	}
	return rows.Err()
}

// staff writes IDS902 for every care professional of an exported contact,
// in the order of their first contact: clinic's staff (U<id>) with the
// qualification an admin set, imported ones with the one they came with.
func (x *idsExport) staff(ctx context.Context, tx *sql.Tx) error {
	quals := map[string]string{}
	rows, err := tx.QueryContext(ctx, `
		SELECT 'U' || user_id, qualification FROM staff_qualifications
		UNION ALL
		SELECT local_id, qualification FROM care_professionals`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, qual string
		if err := rows.Scan(&id, &qual); err != nil {
			return err
		}
		if _, ok := quals[id]; !ok {
			quals[id] = qual
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, prof := range x.profOrder {
		qual := quals[prof]
		x.add(dataset.IDS902, []string{prof, qual})
		if qual == "" {
			p := DatasetProblem{Table: "IDS902", RecordID: prof, Field: "QualAttainLevelIAPT",
				Problem: "No qualification recorded: an admin sets it on the Staff qualifications page", ReferralID: x.profRef[prof]}
			if id, err := strconv.ParseInt(strings.TrimPrefix(prof, "U"), 10, 64); err == nil && x.staffUsed[id] != 0 {
				p.UserID = id
			}
			x.problem(p)
		}
	}
	return nil
}
