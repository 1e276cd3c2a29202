package demo

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// testNow is the tests' clock: a Tuesday morning in March (GMT), as in
// caseload's tests.
var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// storeTest is a store on a new database file with a fixed clock, and a
// read-only handle on the same file for checking what was written.
type storeTest struct {
	*caseload.Store
	db *sql.DB
}

func openTest(t *testing.T) (storeTest, struct{}) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clinic.db")
	s, err := caseload.Open(path, clinic.Schema, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return storeTest{Store: s, db: db}, struct{}{}
}

func TestLoadDemo(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	start := time.Now()
	d, err := Load(ctx, s.Store)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo loaded in %v: %d patients, %d referrals, %d contacts", time.Since(start), d.Patients, d.Referrals, d.Contacts)
	if !d.Loaded || d.Patients < 35 || d.Referrals < 35 || d.Contacts < 200 {
		t.Errorf("demo: %+v", d)
	}
	roles := map[string]int{}
	for _, a := range d.Accounts {
		roles[a.Role]++
		u, err := s.Authenticate(ctx, a.Email, a.Password)
		if err != nil {
			t.Errorf("demo account %s does not sign in: %v", a.Email, err)
			continue
		}
		if string(u.Role) != a.Role || u.Name != a.Name {
			t.Errorf("demo account %s: signed in as %+v", a.Email, u)
		}
	}
	if diff := cmp.Diff(map[string]int{"admin": 1, "supervisor": 1, "therapist": 3, "patient": 1}, roles); diff != "" {
		t.Errorf("demo accounts by role (-want +got):\n%s", diff)
	}
	sup, _ := s.Authenticate(ctx, "supervisor@demo.example", "demo-sol-pass")
	teams, _ := s.Teams(ctx)
	if len(teams) != 1 || teams[0].Name != "North" || len(sup.Teams) != 1 || sup.Teams[0] != teams[0].ID {
		t.Errorf("supervisor %v supervises %v of teams %v, want North", sup.Name, sup.Teams, teams)
	}

	// What the demo must show, read from the summaries as pages do.
	type seen struct {
		recovered, deteriorated, droppedOut, slow, notAtCaseness, highRisk int
		finishedMonthsAgo                                                  map[int]bool
		adsm                                                               map[measures.InstrumentID]bool
		waiting35, waiting42, lowIntensity, highIntensity                  int
	}
	got := seen{finishedMonthsAgo: map[int]bool{}, adsm: map[measures.InstrumentID]bool{}}
	today, _ := time.Parse(dateLayout, s.Today())
	users, _ := s.Users(ctx)
	for _, u := range users {
		if u.Role != caseload.RoleTherapist {
			continue
		}
		rows, err := s.Caseload(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			o := row.Outcome
			if o.LatestItem9 != nil && *o.LatestItem9 >= 2 {
				got.highRisk++
			}
			if o.TreatmentSessions == 0 {
				days := int(today.Sub(o.Received).Hours() / 24)
				if days > 42 {
					got.waiting42++
				} else if days > 35 {
					got.waiting35++
				}
			}
			// A slow responder: little change by the fourth session, a
			// reliable improvement since.
			if b := o.PHQ9.BySession; len(b) >= 7 && b[3] >= o.PHQ9.First-3 && o.PHQ9.Last <= o.PHQ9.First-6 {
				got.slow++
			}
		}
	}
	rows, err := s.db.Query(`SELECT referral_id FROM referral_summary ORDER BY referral_id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		rd, err := s.ReferralDetail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		o := rd.Outcome
		if o.Recovered {
			got.recovered++
		}
		if o.ReliableDeterioration {
			got.deteriorated++
		}
		if rd.Referral.EndReason == "dropped_out" {
			got.droppedOut++
		}
		if o.Paired && !o.AtCaseness {
			got.notAtCaseness++
		}
		if rd.Referral.Intensity == measures.LowIntensity {
			got.lowIntensity++
		} else {
			got.highIntensity++
		}
		if !rd.Referral.Open() && o.FinishedCourse {
			ended, _ := time.Parse(dateLayout, rd.Referral.EndedOn)
			got.finishedMonthsAgo[int(today.Sub(ended).Hours()/24/30.44)] = true
		}
		for id, m := range o.Measures {
			if in, _ := measures.Lookup(id); in.IsADSM() && m.Paired {
				got.adsm[id] = true
			}
		}
		if rd.Patient.NHSNumber != "" && (!caseload.ValidNHSNumber(rd.Patient.NHSNumber) || rd.Patient.NHSNumber[:3] != "999") {
			t.Errorf("demo NHS number %s is not a valid test-range number", rd.Patient.NHSNumber)
		}
	}
	for _, in := range measures.ADSMs() {
		if !got.adsm[in.ID] {
			t.Errorf("no demo case with a paired %s", in.Name)
		}
	}
	check := func(what string, n, atLeast int) {
		t.Helper()
		if n < atLeast {
			t.Errorf("demo has %d %s, want at least %d", n, what, atLeast)
		}
	}
	check("recovered referrals", got.recovered, 5)
	check("reliable deteriorations", got.deteriorated, 2)
	check("drop-outs", got.droppedOut, 2)
	check("slow responders on a caseload", got.slow, 1)
	check("paired referrals not at caseness", got.notAtCaseness, 2)
	check("open referrals with a high-risk item 9", got.highRisk, 1)
	check("open referrals waiting 36–42 days", got.waiting35, 1)
	check("open referrals waiting over 42 days", got.waiting42, 1)
	check("low-intensity referrals", got.lowIntensity, 5)
	check("high-intensity referrals", got.highIntensity, 5)
	check("months with finished courses", len(got.finishedMonthsAgo), 6)
	for m := range got.finishedMonthsAgo {
		if m < 1 || m > 11 {
			t.Errorf("a course finished %d months ago, want 1–11", m)
		}
	}

	// A second load changes nothing.
	var before int
	s.db.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&before)
	again, err := Load(ctx, s.Store)
	if !errors.Is(err, ErrNotEmpty) || again.Loaded {
		t.Errorf("LoadDemo on a loaded database: %+v, %v; want ErrNotEmpty", again, err)
	}
	var after int
	s.db.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&after)
	if after != before {
		t.Errorf("contacts went from %d to %d", before, after)
	}
}

func TestLoadDemoRefusesAnyData(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if _, err := s.CreateUser(ctx, caseload.NewUser{Email: "ada@example.org", Name: "Ada", Role: caseload.RoleAdmin, Password: "a long pass phrase"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, s.Store); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("LoadDemo with a user: got %v, want ErrNotEmpty", err)
	}
	var patients int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM patients`).Scan(&patients); err != nil || patients != 0 {
		t.Errorf("%d patients after a refused load (%v)", patients, err)
	}
}

// The demo is the same on every run with the same clock.
func TestLoadDemoDeterministic(t *testing.T) {
	dump := func() []string {
		s, _ := openTest(t)
		if _, err := Load(t.Context(), s.Store); err != nil {
			t.Fatal(err)
		}
		rows, err := s.db.Query(`
			SELECT p.name || p.date_of_birth || p.nhs_number || r.received_on || r.problem_descriptor ||
				COALESCE(r.ended_on, '') || c.date || c.kind || c.attendance ||
				COALESCE(sc.instrument, '') || COALESCE(sc.items_json, '') || COALESCE(sc.total, '')
			FROM contacts c
			JOIN referrals r ON r.id = c.referral_id
			JOIN patients p ON p.id = r.patient_id
			LEFT JOIN scores sc ON sc.contact_id = c.id
			ORDER BY c.id, sc.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if diff := cmp.Diff(dump(), dump()); diff != "" {
		t.Errorf("two demo loads differ:\n%s", diff)
	}
}
