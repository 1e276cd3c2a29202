package caseload_test

import (
	"database/sql"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
	"clinic/internal/demo"
	"clinic/internal/measures"
)

// A save recomputes its referral's summary, report row and facts from one
// read of its records (referral_records.go); a rebuild reads them a range
// and a kind of record at a time, and counts the data set problems through
// the export. Over many random saves (back-dated contacts, every purpose and
// attendance, missing media, therapy types and answers, ADSMs and WSAS,
// corrections, endings with and without an EndCode, on referrals with and
// without a source of referral or a descriptor the data set codes) the rows
// the saves kept equal a rebuild from scratch, column for column.
func TestRandomSavesEqualRebuild(t *testing.T) {
	s, c, actor := demoTherapist(t)
	ctx := t.Context()
	db := s.DBForTest()
	rng := rand.New(rand.NewPCG(17, 2026))
	// Referrals of the demo's patients with and without a source of
	// referral, for an anxiety disorder with its own measure or not.
	patients := queryInts(t, db, `SELECT id FROM patients ORDER BY id`)
	descriptors := []string{"F32.1", "F40.1", "F41.0", "F41.1", "F42", "F43.1", measures.OtherDescriptor, "F41.2"}
	for i := range 12 {
		source := ""
		if i%2 == 0 {
			source = dataset.SourceOfReferral.Codes[rng.IntN(len(dataset.SourceOfReferral.Codes))].Code
		}
		if _, err := s.CreateReferral(ctx, actor, caseload.NewReferral{PatientID: patients[rng.IntN(len(patients))],
			TherapistID: actor.ID, ReceivedOn: "2026-01-0" + strconv.Itoa(1+i%9), ProblemDescriptor: descriptors[i%len(descriptors)],
			Intensity: []string{"low", "high"}[i%2], SourceOfReferral: source}); err != nil {
			t.Fatal(err)
		}
	}
	ids := queryInts(t, db, `SELECT id FROM referrals WHERE ended_on IS NULL ORDER BY id`)
	if len(ids) < 10 {
		t.Fatalf("%d open referrals", len(ids))
	}
	today := testNow.Format(time.DateOnly)
	var saved, backDated, corrected, ended int
	for range 400 {
		id := ids[rng.IntN(len(ids))]
		switch k := rng.IntN(20); {
		case k < 15:
			in, back := randomContact(t, db, rng, id, today)
			c, err := s.RecordContact(ctx, actor, id, in)
			if ok := acceptable(t, err); ok {
				asStored(t, s, c)
				saved++
				if back {
					backDated++
				}
			}
		case k < 19:
			scores := queryInts(t, db, `
				SELECT s.id FROM scores s JOIN contacts c ON c.id = s.contact_id
				WHERE c.referral_id = ? AND s.superseded_at IS NULL ORDER BY s.id`, id)
			if len(scores) == 0 {
				continue
			}
			sc := scores[rng.IntN(len(scores))]
			var instrument string
			if err := db.QueryRow(`SELECT instrument FROM scores WHERE id = ?`, sc).Scan(&instrument); err != nil {
				t.Fatal(err)
			}
			_, err := s.CorrectScore(ctx, actor, sc, randomScore(rng, measures.InstrumentID(instrument)), "typo")
			if acceptable(t, err) {
				corrected++
			}
		default:
			var last string
			if err := db.QueryRow(`SELECT COALESCE((SELECT MAX(date) FROM contacts WHERE referral_id = r.id), received_on)
				FROM referrals r WHERE r.id = ?`, id).Scan(&last); err != nil {
				t.Fatal(err)
			}
			if last == "" || last > today {
				continue
			}
			code := ""
			if rng.IntN(2) == 0 {
				code = dataset.EndCode.Codes[rng.IntN(len(dataset.EndCode.Codes))].Code
			}
			reason := caseload.EndReasons[rng.IntN(len(caseload.EndReasons))]
			_, err := s.EndReferral(ctx, actor, id, today, reason, code, caseload.EndRisk{Acknowledged: true, Note: "discussed in supervision"})
			if acceptable(t, err) {
				ended++
			}
		}
	}
	if saved < 100 || backDated < 10 || corrected < 10 || ended < 3 {
		t.Fatalf("too few changes to prove anything: %d saves (%d back-dated), %d corrections, %d endings",
			saved, backDated, corrected, ended)
	}

	// Sequential saves are worked out on their snapshot, unless a write of
	// another kind (a correction, an ending) came between.
	if prepared := s.PreparedSavesForTest(); prepared < int64(saved)/2 {
		t.Errorf("%d of %d saves written as worked out on their snapshot", prepared, saved)
	}
	equalsRebuild(t, s, c)
}

// equalsRebuild checks that every kept summary and report row equals a
// rebuild from scratch, column for column, and that some referral has a
// data set problem.
func equalsRebuild(t *testing.T, s *caseload.Store, c *clock) {
	t.Helper()
	ctx := t.Context()
	db := s.DBForTest()
	const summaryColumns = `referral_id, rule_set, outcome_json, is_open, therapist_id, team_id, received_on,
		ended_on, finished, treatment_sessions, first_treatment_on, last_contact_on, last_attended_on`
	kept := reportColumns(t, db, "*")
	keptSummaries := tableColumns(t, db, "referral_summary", summaryColumns)
	if _, err := db.Exec(`DELETE FROM referral_summary; DELETE FROM report_referral`); err != nil {
		t.Fatal(err)
	}
	c.t = testNow.Add(24 * time.Hour)
	if _, err := s.RebuildSummaries(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(keptSummaries, tableColumns(t, db, "referral_summary", summaryColumns)); diff != "" {
		t.Errorf("kept summaries differ from a rebuild (-kept +rebuilt):\n%s", diff)
	}
	if diff := cmp.Diff(kept, reportColumns(t, db, "*")); diff != "" {
		t.Errorf("kept report rows differ from a rebuild (-kept +rebuilt):\n%s", diff)
	}
	var problems int
	if err := db.QueryRow(`SELECT COUNT(*) FROM report_referral WHERE dataset_problems > 0`).Scan(&problems); err != nil {
		t.Fatal(err)
	}
	if problems == 0 {
		t.Error("no referral has a data set problem: the count was not exercised")
	}
}

// asStored checks that a contact a save returned (built, not read back:
// writtenContact) is the contact as stored.
func asStored(t *testing.T, s *caseload.Store, c caseload.Contact) {
	t.Helper()
	d, err := s.ReferralDetail(t.Context(), c.ReferralID)
	if err != nil {
		t.Fatal(err)
	}
	for _, stored := range d.Contacts {
		if stored.ID == c.ID {
			if diff := cmp.Diff(stored, c); diff != "" {
				t.Errorf("contact %d as returned differs from as stored (-stored +returned):\n%s", c.ID, diff)
			}
			return
		}
	}
	t.Errorf("contact %d returned, not stored", c.ID)
}

// acceptable fails the test on an error other than a refusal of the input
// (a random contact may be invalid, a referral may have risks to
// acknowledge); it says whether the write was made.
func acceptable(t *testing.T, err error) bool {
	t.Helper()
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return true
	case errors.As(err, &ve), errors.Is(err, caseload.ErrRiskUnacknowledged), errors.Is(err, caseload.ErrConflict):
		return false
	}
	t.Fatal(err)
	return false
}

// randomContact is a contact of referral id on a random day between its
// receipt and today, and whether it is dated before the referral's latest
// contact.
func randomContact(t *testing.T, db *sql.DB, rng *rand.Rand, id int64, today string) (caseload.NewContact, bool) {
	t.Helper()
	var received, last string
	if err := db.QueryRow(`SELECT received_on, (SELECT COALESCE(MAX(date), '') FROM contacts WHERE referral_id = r.id)
		FROM referrals r WHERE id = ?`, id).Scan(&received, &last); err != nil {
		t.Fatal(err)
	}
	from, _ := time.Parse(time.DateOnly, received)
	to, _ := time.Parse(time.DateOnly, today)
	days := int(to.Sub(from).Hours() / 24)
	date := from.AddDate(0, 0, rng.IntN(days+1)).Format(time.DateOnly)
	in := caseload.NewContact{
		Date:       date,
		Kind:       dataset.Purposes[rng.IntN(len(dataset.Purposes))].Word,
		Attendance: dataset.Attendances[rng.IntN(len(dataset.Attendances))].Word,
	}
	if rng.IntN(3) > 0 {
		in.Attendance = string(measures.Attended)
	}
	if rng.IntN(3) > 0 {
		in.Medium = dataset.Media[rng.IntN(len(dataset.Media))].Word
	}
	if rng.IntN(2) == 0 {
		in.TherapyType = dataset.TherapyType.Codes[rng.IntN(len(dataset.TherapyType.Codes))].Code
	}
	if in.Attendance == string(measures.Attended) || in.Attendance == string(measures.AttendedLate) {
		in.Scores = map[measures.InstrumentID]caseload.ScoreInput{}
		for _, inst := range measures.Instruments() {
			if rng.IntN(3) == 0 || inst.ID == measures.PHQ9 && rng.IntN(2) == 0 {
				in.Scores[inst.ID] = randomScore(rng, inst.ID)
			}
		}
	}
	return in, last != "" && date < last
}

// randomScore is a questionnaire with random answers (now and then one
// missing) or a random total.
func randomScore(rng *rand.Rand, id measures.InstrumentID) caseload.ScoreInput {
	inst, _ := measures.Lookup(id)
	if !inst.Itemised {
		scale := math.Pow(10, float64(inst.Decimals))
		v := math.Round((inst.Min+rng.Float64()*(inst.Max-inst.Min))*scale) / scale
		return caseload.ScoreInput{Total: &v}
	}
	items := make([]int, inst.ItemCount)
	for i := range items {
		items[i] = inst.ItemMin + rng.IntN(inst.ItemMax-inst.ItemMin+1)
		if rng.IntN(5) == 0 {
			items[i] = -1
		}
	}
	return caseload.ScoreInput{Items: answers(items...)}
}

// queryInts reads a column of ids.
func queryInts(t *testing.T, db *sql.DB, query string, args ...any) []int64 {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// tableColumns reads the given columns of every row of a table keyed by
// referral_id, in its order.
func tableColumns(t *testing.T, db *sql.DB, table, columns string) [][]any {
	t.Helper()
	rows, err := db.Query(`SELECT ` + columns + ` FROM ` + table + ` ORDER BY referral_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// demoTherapist is a store with the demo service loaded, and its first
// therapist signed in.
func demoTherapist(t *testing.T) (*caseload.Store, *clock, caseload.User) {
	t.Helper()
	s, c := openTest(t)
	if _, err := demo.Load(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	actor, err := s.Authenticate(t.Context(), "therapist1@demo.example", "demo-therapist-1")
	if err != nil {
		t.Fatal(err)
	}
	return s, c, actor
}
