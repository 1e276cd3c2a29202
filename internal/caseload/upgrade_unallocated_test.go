package caseload_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"clinic"
	"clinic/internal/caseload"
)

// TestUpgradeMovesPlaceholderReferralsToWaitingList: a database whose
// import put referrals on the "Unallocated (imported)" placeholder
// therapist (before step 19) has them on a waiting list after the
// upgrade, held by the admin who imported them, in the service's one other
// team when there is exactly one; with several teams they stay in the
// placeholder's team. Summary and report rows follow; nothing is deleted.
func TestUpgradeMovesPlaceholderReferralsToWaitingList(t *testing.T) {
	cut := strings.Index(clinic.Schema, "\n-- step: 19\n")
	if cut < 0 {
		t.Fatal("no step 19 in schema.sql")
	}
	for _, tc := range []struct {
		name     string
		teams    []string
		wantTeam string
	}{
		{"one team", []string{"North"}, "North"},
		{"two teams", []string{"North", "South"}, "Unallocated (imported)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "clinic.db")
			old, err := caseload.Open(path, clinic.Schema[:cut+1], (&clock{t: testNow}).now)
			if err != nil {
				t.Fatal(err)
			}
			// Today's code writes the columns of later steps: they are
			// there while it does, and gone before the upgrade.
			dropLaterSteps := caseload.LaterStepsForTest(t, old.DBForTest(), clinic.Schema, 19)
			admin, err := old.CreateUser(ctx, caseload.NewUser{Email: "ada@example.nhs.uk", Name: "Ada Admin", Role: caseload.RoleAdmin, Password: "a long pass phrase"})
			if err != nil {
				t.Fatal(err)
			}
			var tara caseload.User
			for _, team := range tc.teams {
				if tara, err = old.CreateUser(ctx, caseload.NewUser{Email: strings.ToLower(team) + "@example.nhs.uk", Name: team + " Therapist",
					Role: caseload.RoleTherapist, Team: team, Password: "a long pass phrase"}); err != nil {
					t.Fatal(err)
				}
			}
			p, err := old.CreatePatient(ctx, tara, caseload.NewPatient{Name: "Pat Example", DateOfBirth: "1990-05-17"})
			if err != nil {
				t.Fatal(err)
			}
			r, err := old.CreateReferral(ctx, tara, caseload.NewReferral{PatientID: p.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low"})
			if err != nil {
				t.Fatal(err)
			}
			dropLaterSteps()
			// What the import of step 16 did: the placeholder team and
			// therapist, holding the referral it made as the admin.
			db := old.DBForTest()
			for _, q := range []string{
				`INSERT INTO teams (name, created_at) VALUES ('Unallocated (imported)', '2026-03-01T00:00:00.000000Z')`,
				`INSERT INTO users (email, name, role, team_id, password_hash, disabled, created_at)
				 VALUES ('unallocated@imported.invalid', 'Unallocated (imported)', 'therapist', (SELECT MAX(id) FROM teams), '!', 1, '2026-03-01T00:00:00.000000Z')`,
			} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			for _, table := range []string{"referrals", "referral_summary", "report_referral"} {
				id := "id"
				if table != "referrals" {
					id = "referral_id"
				}
				if _, err := db.Exec(`UPDATE `+table+` SET therapist_id = (SELECT id FROM users WHERE email = 'unallocated@imported.invalid'),
					team_id = (SELECT MAX(id) FROM teams) WHERE `+id+` = ?`, r.ID); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec(`UPDATE referrals SET created_by = ? WHERE id = ?`, admin.ID, r.ID); err != nil {
				t.Fatal(err)
			}
			dropLaterSteps()
			if err := old.Close(); err != nil {
				t.Fatal(err)
			}

			s, _ := openSchema(t, path, clinic.Schema, &clock{t: testNow})
			got, err := s.Referral(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			var team string
			if err := s.DBForTest().QueryRow(`SELECT name FROM teams WHERE id = ?`, got.TeamID).Scan(&team); err != nil {
				t.Fatal(err)
			}
			if !got.Waiting || got.TherapistID != admin.ID || team != tc.wantTeam {
				t.Errorf("after the upgrade the referral is waiting %v, held by %d (admin %d), in %s; want waiting in %s", got.Waiting, got.TherapistID, admin.ID, team, tc.wantTeam)
			}
			waiting, err := s.WaitingList(ctx, []int64{got.TeamID})
			if err != nil || len(waiting) != 1 || waiting[0].Referral.ID != r.ID {
				t.Errorf("waiting list of %s: %+v %v", team, waiting, err)
			}
			for _, table := range []string{"referral_summary", "report_referral"} {
				var therapist, teamID int64
				if err := s.DBForTest().QueryRow(`SELECT therapist_id, team_id FROM `+table+` WHERE referral_id = ?`, r.ID).Scan(&therapist, &teamID); err != nil {
					t.Fatal(err)
				}
				if therapist != admin.ID || teamID != got.TeamID {
					t.Errorf("%s: therapist %d, team %d; want %d, %d", table, therapist, teamID, admin.ID, got.TeamID)
				}
			}
			var n int
			if err := s.DBForTest().QueryRow(`SELECT COUNT(*) FROM users WHERE email = 'unallocated@imported.invalid' AND disabled = 1`).Scan(&n); err != nil || n != 1 {
				t.Errorf("the placeholder account: %d (%v), want it kept, disabled", n, err)
			}
		})
	}
}
