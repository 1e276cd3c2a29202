package caseload

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"clinic"
	"clinic/internal/measures"
)

// testNow is the tests' clock: a Tuesday morning in March (GMT).
var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openTest(t *testing.T) (*Store, *clock) {
	t.Helper()
	c := &clock{t: testNow}
	s, err := Open(filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, c.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, c
}

// fixture is a store with a team of two therapists, a supervisor, a patient
// and an open low-intensity referral for generalised anxiety received on
// 2026-01-05.
type fixture struct {
	s          *Store
	clock      *clock
	ctx        context.Context
	therapist  User
	other      User
	supervisor User
	patient    Patient
	referral   Referral
}

const testPassword = "a long pass phrase"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s, c := openTest(t)
	f := &fixture{s: s, clock: c, ctx: context.Background()}
	f.therapist = f.user(t, "tara@example.nhs.uk", "Tara Therapist", RoleTherapist, "North")
	f.other = f.user(t, "oli@example.nhs.uk", "Oli Other", RoleTherapist, "South")
	f.supervisor = f.user(t, "sam@example.nhs.uk", "Sam Supervisor", RoleSupervisor, "North")
	var err error
	f.patient, err = s.CreatePatient(f.ctx, f.therapist, NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-17", NHSNumber: "943 476 5919"})
	if err != nil {
		t.Fatal(err)
	}
	f.referral, err = s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) user(t *testing.T, email, name string, role Role, team string) User {
	t.Helper()
	u, err := f.s.CreateUser(f.ctx, NewUser{Email: email, Name: name, Role: role, Team: team, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// answers makes questionnaire answers; -1 is an unanswered item.
func answers(vals ...int) []*int {
	out := make([]*int, len(vals))
	for i, v := range vals {
		if v >= 0 {
			v := v
			out[i] = &v
		}
	}
	return out
}

func total(v float64) *float64 { return &v }

// session is an attended treatment session with PHQ-9 and GAD-7 answers.
func session(date string, phq9, gad7 []*int) NewContact {
	return NewContact{
		Date:       date,
		Kind:       "treatment",
		Attendance: "attended",
		Scores: map[measures.InstrumentID]ScoreInput{
			measures.PHQ9: {Items: phq9},
			measures.GAD7: {Items: gad7},
		},
	}
}

// fieldErrors returns the field messages of a *ValidationError, failing the
// test for any other error.
func fieldErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got error %v, want a *ValidationError", err)
	}
	return ve.Fields
}

// wantFields checks that err is a *ValidationError on exactly these fields.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	got := fieldErrors(t, err)
	var keys []string
	for k, msg := range got {
		keys = append(keys, k)
		if strings.TrimSpace(msg) == "" {
			t.Errorf("field %s has an empty message", k)
		}
	}
	if diff := cmp.Diff(sortStrings(fields), sortStrings(keys)); diff != "" {
		t.Errorf("fields in error (-want +got):\n%s\nmessages: %v", diff, got)
	}
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestOpenAppliesStepsOnceAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	s, err := Open(path, clinic.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := parseSteps(clinic.Schema)
	if err != nil {
		t.Fatal(err)
	}
	version := func(s *Store) int {
		var v int
		if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := version(s); got != len(steps) {
		t.Errorf("user_version = %d, want %d", got, len(steps))
	}
	ctx := context.Background()
	u, err := s.CreateUser(ctx, NewUser{Email: "a@example.org", Name: "A", Role: RoleAdmin, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening applies nothing again (a re-run step would fail on CREATE
	// TABLE) and keeps the data.
	s, err = Open(path, clinic.Schema, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got := version(s); got != len(steps) {
		t.Errorf("user_version after reopen = %d, want %d", got, len(steps))
	}
	if _, err := s.User(ctx, u.ID); err != nil {
		t.Errorf("user after reopen: %v", err)
	}
	for _, pragma := range []struct {
		name, want string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "5000"},
	} {
		var got string
		if err := s.db.QueryRow(`PRAGMA ` + pragma.name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != pragma.want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma.name, got, pragma.want)
		}
	}
	var qo int
	if err := s.read.QueryRow(`PRAGMA query_only`).Scan(&qo); err != nil || qo != 1 {
		t.Errorf("reader query_only = %d (%v), want 1", qo, err)
	}
}

func TestOpenAppliesNewStepsOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	schema := "-- step: 1\nCREATE TABLE a (x INTEGER);\n"
	s, err := Open(path, schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	schema += "-- step: 2\nCREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (1);\n"
	s, err = Open(path, schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM a`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows in a = %d (%v), want 1: step 2 ran once", n, err)
	}
}

func TestOpenRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, schema string
	}{
		{"memory database", ":memory:", clinic.Schema},
		{"uri", "file:x.db", clinic.Schema},
		{"query in path", filepath.Join(dir, "x.db?mode=ro"), clinic.Schema},
		{"no steps", filepath.Join(dir, "a.db"), "CREATE TABLE a (x);"},
		{"steps out of order", filepath.Join(dir, "b.db"), "-- step: 1\nCREATE TABLE a (x);\n-- step: 3\nCREATE TABLE b (x);\n"},
		{"bad sql", filepath.Join(dir, "c.db"), "-- step: 1\nCREATE TABLE;\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.path, tt.schema, nil)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
		})
	}
}

func TestOpenRefusesNewerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	s, err := Open(path, "-- step: 1\nCREATE TABLE a (x);\n-- step: 2\nCREATE TABLE b (x);\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path, "-- step: 1\nCREATE TABLE a (x);\n", nil); err == nil {
		s.Close()
		t.Fatal("an older program opened a newer database")
	}
}

func TestNowIsUTC(t *testing.T) {
	c := &clock{t: time.Date(2026, 7, 1, 23, 30, 0, 0, time.FixedZone("BST", 3600))}
	s, err := Open(filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, c.now)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Now(); got.Location() != time.UTC || !got.Equal(c.t) {
		t.Errorf("Now() = %v, want %v in UTC", got, c.t)
	}
	// 23:30 BST on 1 July is 22:30 UTC: still 1 July in England.
	if got := s.Today(); got != "2026-07-01" {
		t.Errorf("today() = %s, want 2026-07-01", got)
	}
	c.t = time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC) // 00:30 on 2 July in England
	if got := s.today(); got != "2026-07-02" {
		t.Errorf("today() at 23:30 UTC in summer = %s, want 2026-07-02", got)
	}
}
