package caseload

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic"
)

// A save decides access on the referral as its basis reads it
// (prepareContact), so that must be the referral as Store.Referral reads it,
// field for field: open and ended, allocated and waiting, brought to
// supervision or not.
func TestReferralBasisIsReferral(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.LoadSynthetic(ctx, SyntheticConfig{Teams: 2, TherapistsPerTeam: 2, Referrals: 200, ContactsPerReferral: 3, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	// Some waiting for a therapist and some brought to supervision, which
	// the synthetic service has none of.
	for _, q := range []string{
		`UPDATE referrals SET allocated = 0 WHERE id % 7 = 0`,
		`UPDATE referrals SET bring_to_supervision = 'stuck at session 4' WHERE id % 5 = 0`,
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ids := idsOf(t, s.read, `SELECT id FROM referrals ORDER BY id`)
	var open, ended, waiting, brought int
	for _, id := range ids {
		err := s.withRead(ctx, func(tx *sql.Tx) error {
			want, err := findReferral(ctx, tx, referralFilter{ID: id})
			if err != nil {
				return err
			}
			basis, err := referralBasisOf(ctx, tx, id)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(want.Referral, basis.referral); diff != "" {
				t.Errorf("referral %d, as its basis reads it (-Referral +basis):\n%s", id, diff)
			}
			r := want.Referral
			if r.Open() {
				open++
			} else {
				ended++
			}
			if r.Waiting {
				waiting++
			}
			if r.BringToSupervision != "" {
				brought++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if open == 0 || ended == 0 || waiting == 0 || brought == 0 {
		t.Errorf("the service has %d open, %d ended, %d waiting and %d brought referrals: each kind is wanted", open, ended, waiting, brought)
	}
}
