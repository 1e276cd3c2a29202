package caseload

import (
	"database/sql"
	"database/sql/driver"
	"testing"
)

// A save prepared on a snapshot (prepareContact) is written as worked out
// only when nothing its referral's summary is worked out from changed in
// between; whatever came between, the rows it leaves equal a recomputation.
func TestPreparedSaveOnlyWhenUnchanged(t *testing.T) {
	tests := []struct {
		name     string
		between  func(t *testing.T, f *fixture, other Referral) error
		prepared bool
	}{
		{"nothing", func(*testing.T, *fixture, Referral) error { return nil }, true},
		{"a save of another referral", func(t *testing.T, f *fixture, other Referral) error {
			_, err := f.s.RecordContact(f.ctx, f.therapist, other.ID, session("2026-02-10", answers(2, 2, 2, 2, 2, 2, 2, 2, 0), answers(2, 2, 2, 2, 2, 2, 2)))
			return err
		}, true},
		{"an audited view", func(t *testing.T, f *fixture, _ Referral) error {
			return f.s.RecordView(f.ctx, f.therapist, "referral", f.referral.ID, "")
		}, true},
		{"a save of the same referral", func(t *testing.T, f *fixture, _ Referral) error {
			_, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-11", answers(3, 3, 3, 3, 3, 3, 3, 3, 0), answers(3, 3, 3, 3, 3, 3, 3)))
			return err
		}, false},
		{"a later save of the same referral, dated before", func(t *testing.T, f *fixture, _ Referral) error {
			_, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-01-20", answers(3, 3, 3, 3, 3, 3, 3, 3, 0), answers(3, 3, 3, 3, 3, 3, 3)))
			return err
		}, false},
		{"the patient's demographics", func(t *testing.T, f *fixture, _ Referral) error {
			_, err := f.s.SetDemographics(f.ctx, f.therapist, f.patient.ID, Demographics{EthnicCategory: "M", Postcode: "LS1 4AP"})
			return err
		}, false},
		{"a write outside the committer", func(t *testing.T, f *fixture, _ Referral) error {
			_, err := f.s.db.Exec(`UPDATE referrals SET problem_descriptor = 'F32.1' WHERE id = ?`, f.referral.ID)
			return err
		}, false},
		{"a commit by another process", func(t *testing.T, f *fixture, _ Referral) error {
			var path string
			if err := f.s.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
				return err
			}
			other, err := sql.Open("sqlite3", path+"?_busy_timeout=5000")
			if err != nil {
				return err
			}
			defer other.Close()
			_, err = other.Exec(`UPDATE referrals SET problem_descriptor = 'F32.1' WHERE id = ?`, f.referral.ID)
			return err
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			other, err := f.s.CreateReferral(f.ctx, f.therapist, NewReferral{PatientID: f.patient.ID, ReceivedOn: "2026-01-06", ProblemDescriptor: "F32.1", Intensity: "high"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.RecordContact(f.ctx, f.therapist, f.referral.ID, session("2026-02-02", answers(1, 1, 1, 1, 1, 1, 1, 1, 1), answers(1, 1, 1, 1, 1, 1, 1))); err != nil {
				t.Fatal(err)
			}
			in := session("2026-02-09", answers(1, 2, 1, 2, 1, 2, 1, 2, 0), answers(1, 2, 1, 2, 1, 2, 1)).normalised()
			p, _, err := f.s.prepareContact(f.ctx, f.referral.ID, in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.between(t, f, other); err != nil {
				t.Fatal(err)
			}
			before := f.s.preparedSaves.Load()
			if _, _, err := f.s.recordPrepared(f.ctx, f.therapist, f.referral.ID, in, p, nil); err != nil {
				t.Fatal(err)
			}
			if got := f.s.preparedSaves.Load() - before; got != int64(boolInt(tt.prepared)) {
				t.Errorf("written as prepared: %d, want %v", got, tt.prepared)
			}
			keptAsRecomputed(t, f.s, f.referral.ID)
		})
	}
}

// keptAsRecomputed checks that a referral's stored summary and report row
// are those a recomputation works out now, column for column (but for when
// it was computed), as writeChanged compares them.
func keptAsRecomputed(t *testing.T, s *Store, referralID int64) {
	t.Helper()
	var k keptRows
	err := s.withRead(t.Context(), func(tx *sql.Tx) error {
		var err error
		k, _, err = s.workOutKept(t.Context(), tx, referralID, nil, s.cachedCurves())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []struct {
		table        keptTable
		stored, args []any
	}{{keptSummary, k.storedSummary, k.summary}, {keptReport, k.storedReport, k.report}} {
		if kt.stored == nil {
			t.Fatalf("%s: no row", kt.table.name)
		}
		for i, col := range kt.table.columns {
			v, err := driver.DefaultParameterConverter.ConvertValue(kt.args[i])
			if err != nil {
				t.Fatal(err)
			}
			if col != "computed_at" && !sameStored(kt.stored[i], v) {
				t.Errorf("%s.%s = %v, a recomputation %v", kt.table.name, col, kt.stored[i], v)
			}
		}
	}
}
