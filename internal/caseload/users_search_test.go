package caseload

import (
	"database/sql"
	"fmt"
	"testing"
)

// addPatientAccounts adds n patients with a portal account each, straight
// into the tables (as a service with a portal account per patient has).
func addPatientAccounts(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := 1; i <= n; i++ {
		res, err := tx.Exec(`INSERT INTO patients (name, date_of_birth, nhs_number, created_at) VALUES (?, '1990-01-01', '', '2026-01-01T00:00:00.000000Z')`,
			fmt.Sprintf("Portal Patient %05d", i))
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := res.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO users (email, name, role, patient_id, password_hash, created_at) VALUES (?, ?, 'patient', ?, 'x', '2026-01-01T00:00:00.000000Z')`,
			fmt.Sprintf("patient%05d@example.com", i), fmt.Sprintf("Portal Patient %05d", i), pid); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// The administrator's user list is a page at a time, staff first, and
// searchable by name or email and role; StaffUsers leaves the patients'
// accounts out.
func TestSearchUsers(t *testing.T) {
	f := newFixture(t)
	addPatientAccounts(t, f.s.db, 120)
	staff, err := f.s.StaffUsers(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) == 0 {
		t.Fatal("no staff")
	}
	for _, u := range staff {
		if u.Role == RolePatient {
			t.Errorf("StaffUsers lists patient account %s", u.Email)
		}
	}
	first, err := f.s.SearchUsers(f.ctx, UserSearch{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Users) != UsersPerPage || !first.More || first.Page != 1 {
		t.Fatalf("first page: %d users, more %v, page %d", len(first.Users), first.More, first.Page)
	}
	for i, u := range staff {
		if first.Users[i].ID != u.ID {
			t.Fatalf("first page, row %d: %s, want the staff member %s first", i, first.Users[i].Email, u.Email)
		}
	}
	// Every user once over the pages, patients by number.
	var lastPatient int64
	seen := map[int64]bool{}
	total := 0
	for page := 1; ; page++ {
		p, err := f.s.SearchUsers(f.ctx, UserSearch{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			if seen[u.ID] {
				t.Errorf("user %d on two pages", u.ID)
			}
			seen[u.ID] = true
			if u.Role == RolePatient {
				if u.ID < lastPatient {
					t.Errorf("patient account %d after %d", u.ID, lastPatient)
				}
				lastPatient = u.ID
			}
		}
		total += len(p.Users)
		if !p.More {
			break
		}
	}
	if total != len(staff)+120 {
		t.Errorf("%d users over the pages, want %d", total, len(staff)+120)
	}
	tests := []struct {
		name string
		q    UserSearch
		want int
	}{
		{"staff name, any case", UserSearch{Text: "TARA"}, 1},
		{"staff email", UserSearch{Text: "sam@example"}, 1},
		{"a patient's name never matches", UserSearch{Text: "portal patient 0001"}, 0},
		{"a patient's email never matches", UserSearch{Text: "patient00042@"}, 0},
		{"a patient's account by number", UserSearch{Text: fmt.Sprint(f.therapist.ID + 50)}, 1},
		{"as an administrator sees it", UserSearch{Text: fmt.Sprintf("Patient user #%d", f.therapist.ID+50)}, 1},
		{"role", UserSearch{Role: RoleSupervisor}, 1},
		{"role and text", UserSearch{Role: RolePatient, Text: "tara"}, 0},
		{"wildcards are text", UserSearch{Text: "%"}, 0},
		{"underscore is text", UserSearch{Text: "_"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f.s.SearchUsers(f.ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Users) != tt.want || p.More {
				t.Errorf("%+v: %d users (more %v), want %d", tt.q, len(p.Users), p.More, tt.want)
			}
		})
	}
}
