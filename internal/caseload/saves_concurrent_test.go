package caseload_test

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
)

// A save works out its referral's summary and report row on a read
// snapshot and, in its turn, writes them only if nothing it read changed
// since (changes.go); otherwise it works them out again. Saves racing each
// other on a few referrals (the same submission sent twice at once among
// them), beside corrections, demographics changes, endings and reopenings,
// and EndCodes, must keep every row equal to a
// rebuild from scratch, and take both ways.
func TestConcurrentSavesEqualRebuild(t *testing.T) {
	s, c, actor := demoTherapist(t)
	ctx := t.Context()
	db := s.DBForTest()
	ids := queryInts(t, db, `SELECT id FROM referrals WHERE ended_on IS NULL AND therapist_id = ? ORDER BY id LIMIT 6`, actor.ID)
	if len(ids) < 4 {
		t.Fatalf("%d open referrals", len(ids))
	}
	today := testNow.Format("2006-01-02")
	before := s.PreparedSavesForTest()
	const workers, each = 8, 60
	var mu sync.Mutex // guards the counts and db's reads between writes
	var saved, corrected, other, duplicates, refused int
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 17))
			for i := range each {
				id := ids[rng.IntN(len(ids))]
				var err error
				var what *int
				switch k := rng.IntN(24); {
				case k < 17:
					// Two workers send each fifth one to the same referral.
					if i%5 == 0 {
						id = ids[(w/2+i)%len(ids)]
					}
					mu.Lock()
					in, _ := randomContact(t, db, rng, id, today)
					mu.Unlock()
					if i%5 == 0 {
						in.SubmissionID = fmt.Sprintf("twice-%d-%d", w/2, i)
					}
					_, err = s.RecordContact(ctx, actor, id, in)
					if errors.Is(err, caseload.ErrAlreadyRecorded) {
						err, what = nil, &duplicates
					} else {
						what = &saved
					}
				case k < 19:
					mu.Lock()
					scores := queryInts(t, db, `
						SELECT s.id FROM scores s JOIN contacts c ON c.id = s.contact_id
						WHERE c.referral_id = ? AND s.superseded_at IS NULL AND s.instrument = 'phq9' ORDER BY s.id`, id)
					mu.Unlock()
					if len(scores) == 0 {
						continue
					}
					_, err = s.CorrectScore(ctx, actor, scores[rng.IntN(len(scores))], randomScore(rng, "phq9"), "typo")
					what = &corrected
				case k < 20:
					var patient int64
					if err := db.QueryRow(`SELECT patient_id FROM referrals WHERE id = ?`, id).Scan(&patient); err != nil {
						errs <- err
						return
					}
					eth := dataset.EthnicCategory.Codes[rng.IntN(len(dataset.EthnicCategory.Codes))].Code
					_, err = s.SetDemographics(ctx, actor, patient, caseload.Demographics{EthnicCategory: eth, Postcode: "LS1 4AP"})
					what = &other
				case k < 21:
					code := dataset.EndCode.Codes[rng.IntN(len(dataset.EndCode.Codes))].Code
					err, what = s.SetEndCode(ctx, actor, id, code), &other
				case k < 22:
					reason := caseload.EndReasons[rng.IntN(len(caseload.EndReasons))]
					_, err = s.EndReferral(ctx, actor, id, today, reason, "", caseload.EndRisk{Acknowledged: true, Note: "discussed"})
					what = &other
				default:
					_, err = s.ReopenReferral(ctx, actor, id, "ended by mistake")
					what = &other
				}
				var ve *caseload.ValidationError
				switch {
				case err == nil:
					mu.Lock()
					*what++
					mu.Unlock()
				case errors.As(err, &ve), errors.Is(err, caseload.ErrRiskUnacknowledged), errors.Is(err, caseload.ErrConflict):
					mu.Lock()
					refused++
					mu.Unlock()
				default:
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// How many of the race's submissions met their twin depends on the
	// scheduler and on which referrals were ended at the time; so the same
	// submission is then also sent twice at once to an open referral until
	// five pairs were recorded: exactly one of each pair must be.
	pairs, again := sendTwiceAtOnce(t, s, actor, db, ids, today)
	saved, duplicates = saved+pairs, duplicates+again
	prepared := s.PreparedSavesForTest() - before
	t.Logf("%d saves (%d as worked out on their snapshot), %d submissions sent again, %d corrections, %d other writes, %d refused",
		saved, prepared, duplicates, corrected, other, refused)
	if saved < 80 || corrected < 5 || other < 20 || duplicates < 5 {
		t.Fatalf("too few changes to prove anything")
	}
	if prepared == 0 || prepared == int64(saved) {
		t.Errorf("%d of %d saves as worked out on their snapshot: both ways must be taken", prepared, saved)
	}
	equalsRebuild(t, s, c)
}

// sendTwiceAtOnce sends pairs of the same submission at once to an open
// referral among ids (reopening the first if none is open) until five
// pairs were recorded, failing the test if both of a pair were; it returns
// how many pairs were recorded and how many sends answered as already
// recorded.
func sendTwiceAtOnce(t *testing.T, s *caseload.Store, actor caseload.User, db *sql.DB, ids []int64, today string) (int, int) {
	t.Helper()
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(99, 17))
	pairs, again := 0, 0
	for try := 0; pairs < 5 && try < 60; try++ {
		open := queryInts(t, db, `SELECT id FROM referrals WHERE ended_on IS NULL AND id IN (`+joinInts(ids)+`) ORDER BY id`)
		if len(open) == 0 {
			if _, err := s.ReopenReferral(ctx, actor, ids[0], "ended by mistake"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		id := open[rng.IntN(len(open))]
		in, _ := randomContact(t, db, rng, id, today)
		in.SubmissionID = fmt.Sprintf("pair-%d", try)
		var errs [2]error
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.RecordContact(ctx, actor, id, in) })
		}
		wg.Wait()
		var recorded, already int
		for _, err := range errs {
			var ve *caseload.ValidationError
			switch {
			case err == nil:
				recorded++
			case errors.Is(err, caseload.ErrAlreadyRecorded):
				already++
			case errors.As(err, &ve), errors.Is(err, caseload.ErrRiskUnacknowledged), errors.Is(err, caseload.ErrConflict):
			default:
				t.Fatal(err)
			}
		}
		if recorded > 1 {
			t.Fatalf("submission %s sent twice at once was recorded twice", in.SubmissionID)
		}
		if recorded == 1 {
			pairs++
			again += already
		}
	}
	if pairs < 5 {
		t.Fatalf("only %d of the pairs sent twice at once were recorded", pairs)
	}
	return pairs, again
}

func joinInts(ids []int64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(out, ",")
}
