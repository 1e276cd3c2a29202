package caseload

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Scope is the part of the service a member of staff may see, as the access
// policy (ui/access.go) decides it: the referrals held by some therapists,
// those of some teams, and every referral of some patients (an admin's
// break-glass grants). The store only applies it, in SQL, so that a search
// or a list reads no more than the user may see.
type Scope struct {
	TherapistIDs []int64
	Teams        []int64
	PatientIDs   []int64
}

// patientsQuery is a SELECT of the ids of the patients with a referral in
// scope: a UNION of one indexed read per part, as SQLite does not use the
// indexes for an OR of IN lists.
func (sc Scope) patientsQuery() (string, []any) {
	var parts []string
	var args []any
	for _, p := range []struct {
		col string
		ids []int64
	}{{"therapist_id", sc.TherapistIDs}, {"team_id", sc.Teams}, {"patient_id", sc.PatientIDs}} {
		if len(p.ids) > 0 {
			parts = append(parts, "SELECT patient_id FROM referrals WHERE "+p.col+" IN (SELECT value FROM json_each(?))")
			args = append(args, jsonIDs(p.ids))
		}
	}
	if len(parts) == 0 {
		return "SELECT 0 WHERE 0", nil
	}
	return strings.Join(parts, " UNION ALL "), args
}

// Empty reports whether the scope lets nothing be seen.
func (sc Scope) Empty() bool {
	return len(sc.TherapistIDs) == 0 && len(sc.Teams) == 0 && len(sc.PatientIDs) == 0
}

// condition is the scope as a condition on the referral aliased a. Each
// part is served by its own index (referrals_therapist, referrals_team,
// referrals_patient), which SQLite unions for the OR.
func (sc Scope) condition(a string) (string, []any) {
	var parts []string
	var args []any
	for _, p := range []struct {
		col string
		ids []int64
	}{{"therapist_id", sc.TherapistIDs}, {"team_id", sc.Teams}, {"patient_id", sc.PatientIDs}} {
		if len(p.ids) > 0 {
			parts = append(parts, a+"."+p.col+" IN (SELECT value FROM json_each(?))")
			args = append(args, jsonIDs(p.ids))
		}
	}
	if len(parts) == 0 {
		return "0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// PatientQuery is a search as typed, read into its parts: an NHS number
// (ten digits, spaces allowed), a date of birth (in any usual form) and the
// words of a name. Every part given must match.
type PatientQuery struct {
	Text        string
	NHSNumber   string   // ten digits, or ""
	DateOfBirth string   // YYYY-MM-DD, or ""
	Words       []string // each must appear in the name
}

// ParsePatientQuery reads a search. today (YYYY-MM-DD) places two-digit
// years: a date of birth is never in the future.
func ParsePatientQuery(text, today string) (PatientQuery, error) {
	q := PatientQuery{Text: strings.TrimSpace(text)}
	v := validation{}
	if q.Text == "" {
		v.add("q", "Enter a name, an NHS number or a date of birth")
		return q, v.err()
	}
	if utf8.RuneCountInString(q.Text) > 200 {
		v.add("q", "Use at most 200 characters")
		return q, v.err()
	}
	if n := normaliseNHSNumber(q.Text); isDigits(n) && len(n) == 10 {
		q.NHSNumber = n
		return q, nil
	}
	if d, ok := parseDateOfBirth(q.Text, today); ok {
		q.DateOfBirth = d
		return q, nil
	}
	tokens := strings.FieldsFunc(q.Text, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		// "2 March 1980" spans three tokens.
		if i+2 < len(tokens) && q.DateOfBirth == "" {
			if d, ok := parseDateOfBirth(strings.Join(tokens[i:i+3], " "), today); ok {
				q.DateOfBirth = d
				i += 2
				continue
			}
		}
		switch d, ok := parseDateOfBirth(t, today); {
		case ok && q.DateOfBirth == "":
			q.DateOfBirth = d
		case isDigits(t) && len(t) == 10 && q.NHSNumber == "":
			q.NHSNumber = t
		case isDigits(t):
			v.add("q", "Enter a whole NHS number (10 digits) or a date of birth like 2/3/1980")
		default:
			q.Words = append(q.Words, strings.ToLower(t))
		}
	}
	if q.NHSNumber == "" && q.DateOfBirth == "" && utf8.RuneCountInString(strings.Join(q.Words, "")) < 2 {
		v.add("q", "Enter at least two letters of the name")
	}
	return q, v.err()
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// parseDateOfBirth reads a date as people in England write it: 1980-03-02,
// 2/3/1980, 02.03.80, 2-3-1980, 02031980, 2 March 1980, 2 Mar 80 (day
// first). A two-digit year is the latest that does not put the date after
// today.
func parseDateOfBirth(s, today string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	var parts []string
	if isDigits(s) && len(s) == 8 {
		parts = []string{s[:2], s[2:4], s[4:]}
	} else {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ' ' })
	}
	if len(parts) != 3 {
		return "", false
	}
	if len(parts[0]) == 4 { // year first: ISO
		parts[0], parts[2] = parts[2], parts[0]
	}
	day, err1 := strconv.Atoi(parts[0])
	year, err2 := strconv.Atoi(parts[2])
	month, err3 := strconv.Atoi(parts[1])
	if err3 != nil && len(parts[1]) >= 3 {
		for i, m := range monthNames {
			if strings.HasPrefix(parts[1], m) && strings.HasPrefix(fullMonth(i), parts[1]) {
				month, err3 = i+1, nil
			}
		}
	}
	if err1 != nil || err2 != nil || err3 != nil || !isDigits(parts[0]) || !isDigits(parts[2]) {
		return "", false
	}
	switch len(parts[2]) {
	case 2:
		now, ok := parseDate(today)
		if !ok {
			return "", false
		}
		year += now.Year() / 100 * 100
		if fmt.Sprintf("%04d-%02d-%02d", year, month, day) > today {
			year -= 100
		}
	case 4:
	default:
		return "", false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day || year < 1900 {
		return "", false
	}
	return t.Format(dateLayout), true
}

func fullMonth(i int) string { return strings.ToLower(time.Month(i + 1).String()) }

// PatientMatch is a patient found by a search, with their referrals that
// the searcher may see, newest first.
type PatientMatch struct {
	Patient   Patient
	Referrals []Referral
}

// PatientSearch is a search's answer: at most SearchLimit patients, by
// name; More when there were others.
type PatientSearch struct {
	Query   PatientQuery
	Matches []PatientMatch
	More    bool
}

// SearchLimit is the most patients a search lists: past it, the searcher
// is asked to narrow it.
const SearchLimit = 50

// SearchPatients finds the patients with a referral in scope that match
// text (see ParsePatientQuery), ended referrals included, and audits the
// search (who, what was asked, how many were found) in the same
// transaction. Bad text is a *ValidationError on "q".
func (s *Store) SearchPatients(ctx context.Context, actor User, scope Scope, text string) (PatientSearch, error) {
	q, err := ParsePatientQuery(text, s.today())
	res := PatientSearch{Query: q}
	if err != nil {
		return res, fmt.Errorf("search patients: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		patients, err := findPatients(ctx, tx, patientFilter{Query: &q, Visible: &scope, Limit: SearchLimit + 1})
		if err != nil {
			return err
		}
		if len(patients) > SearchLimit {
			patients, res.More = patients[:SearchLimit], true
		}
		if res.Matches, err = attachReferrals(ctx, tx, patients, scope); err != nil {
			return err
		}
		detail := fmt.Sprintf("%q: %d found", q.Text, len(res.Matches))
		if res.More {
			detail = fmt.Sprintf("%q: more than %d found", q.Text, SearchLimit)
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditSearchPatients, entity: "patient_search", detail: detail})
	})
	if err != nil {
		return PatientSearch{Query: q}, fmt.Errorf("search patients: %w", err)
	}
	return res, nil
}

// attachReferrals reads the patients' referrals in scope, newest first.
func attachReferrals(ctx context.Context, q queryer, patients []Patient, scope Scope) ([]PatientMatch, error) {
	matches := make([]PatientMatch, len(patients))
	if len(patients) == 0 {
		return matches, nil
	}
	at := map[int64]int{}
	ids := make([]int64, len(patients))
	for i, p := range patients {
		matches[i].Patient, at[p.ID], ids[i] = p, i, p.ID
	}
	rows, err := findReferrals(ctx, q, referralFilter{PatientIDs: ids, Visible: &scope, order: "r.received_on DESC, r.id DESC"})
	for _, row := range rows {
		m := &matches[at[row.PatientID]]
		m.Referrals = append(m.Referrals, row.Referral)
	}
	return matches, err
}

// patientFilter chooses the patients findPatients reads; zero fields do
// not filter.
type patientFilter struct {
	ID        int64
	NHSNumber string
	Query     *PatientQuery // every part given must match
	Visible   *Scope        // only patients with a referral in scope
	Limit     int           // 0: no limit
}

// query builds the filter's SELECT (over patientSelect, the one column
// list) and its arguments. A search by NHS number or date of birth starts
// from that index; a search by name alone from the referrals in scope, so
// that it reads one caseload or team rather than the whole service.
func (f patientFilter) query() (string, []any) {
	var where []string
	var args []any
	add := func(cond string, arg ...any) { where, args = append(where, cond), append(args, arg...) }
	if f.ID != 0 {
		add("patients.id = ?", f.ID)
	}
	// "<> ''" lets SQLite use the partial index patients_nhs_number, which
	// it cannot prove fits "= ?" alone.
	if f.NHSNumber != "" {
		add("patients.nhs_number = ? AND patients.nhs_number <> ''", f.NHSNumber)
	}
	byIndex := f.ID != 0 || f.NHSNumber != ""
	if q := f.Query; q != nil {
		if q.NHSNumber != "" {
			add("patients.nhs_number = ? AND patients.nhs_number <> ''", q.NHSNumber)
		}
		if q.DateOfBirth != "" {
			add("patients.date_of_birth = ?", q.DateOfBirth)
		}
		for _, w := range q.Words {
			add(`patients.name LIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(w)+"%")
		}
		byIndex = byIndex || q.NHSNumber != "" || q.DateOfBirth != ""
	}
	if f.Visible != nil {
		if byIndex {
			cond, arg := f.Visible.condition("r")
			add("EXISTS (SELECT 1 FROM referrals r WHERE r.patient_id = patients.id AND "+cond+")", arg...)
		} else {
			sub, arg := f.Visible.patientsQuery()
			add("patients.id IN ("+sub+")", arg...)
		}
	}
	q := patientSelect
	if len(where) > 0 {
		q += "\n\tWHERE " + strings.Join(where, "\n\t\tAND ")
	}
	q += "\n\tORDER BY patients.name, patients.id"
	if f.Limit > 0 {
		q += "\n\tLIMIT " + strconv.Itoa(f.Limit)
	}
	return q, args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// findPatients reads the patients the filter chooses.
func findPatients(ctx context.Context, q queryer, f patientFilter) ([]Patient, error) {
	query, args := f.query()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Patient
	for rows.Next() {
		p, err := scanPatient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GrantedPatients returns the patients whose records the user may read
// under a live break-glass grant.
func (s *Store) GrantedPatients(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT DISTINCT patient_id
		FROM break_glass
		WHERE user_id = ? AND expires_at > ?
		ORDER BY patient_id`, userID, stamp(s.Now()))
	if err != nil {
		return nil, fmt.Errorf("granted patients: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("granted patients: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("granted patients: %w", err)
	}
	return ids, nil
}

// PatientRecord is a patient with every referral of theirs in scope (newest
// first) and how many others they have that the reader may not see.
type PatientRecord struct {
	PatientMatch
	OtherReferrals int
}

// PatientRecord returns the patient with their referrals in scope, or
// ErrNotFound when none is (so that ids cannot be tried one by one).
func (s *Store) PatientRecord(ctx context.Context, patientID int64, scope Scope) (PatientRecord, error) {
	var rec PatientRecord
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		patients, err := findPatients(ctx, tx, patientFilter{ID: patientID, Visible: &scope})
		if err != nil {
			return err
		}
		if len(patients) == 0 {
			return ErrNotFound
		}
		m, err := attachReferrals(ctx, tx, patients, scope)
		if err != nil {
			return err
		}
		rec.PatientMatch = m[0]
		var all int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM referrals WHERE patient_id = ?`, patientID).Scan(&all); err != nil {
			return err
		}
		rec.OtherReferrals = all - len(rec.Referrals)
		return nil
	})
	if err != nil {
		return PatientRecord{}, fmt.Errorf("patient record %d: %w", patientID, err)
	}
	return rec, nil
}
