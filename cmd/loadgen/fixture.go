package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// fixture is a copy of a synthetic service, ready for one run: tokens for
// some therapists and a supervisor, and the open referrals they may save to.
type fixture struct {
	db         string
	therapists []therapist
	supervisor staff
}

type staff struct {
	email string
	token string
}

type therapist struct {
	staff
	referrals []int64 // open, on this therapist's caseload
	browser   bool    // signs in through the form too, for the caseload page
}

// fixtureTeams is how many teams' first therapists sign in through the
// browser, for the caseload page.
const fixtureTeams = 3

// syntheticConfig is the benchmark service's shape at the given size: the
// 100,000-referral service is the benchmarks' own fixture.
func syntheticConfig(referrals int) caseload.SyntheticConfig {
	cfg := caseload.BenchmarkService
	cfg.Referrals = referrals
	if referrals < 1000 {
		cfg.Teams, cfg.TherapistsPerTeam = fixtureTeams, 2
	}
	return cfg
}

// prepareFixture builds or reuses the cached synthetic database of this size
// and copies it into dir for the run to write to.
func prepareFixture(ctx context.Context, referrals int, dir string) (fixture, error) {
	cfg := syntheticConfig(referrals)
	src, err := syntheticDB(cfg)
	if err != nil {
		return fixture{}, err
	}
	fx := fixture{db: filepath.Join(dir, "clinic.db")}
	if err := copyFile(src, fx.db); err != nil {
		return fixture{}, err
	}
	// The real clock: tokens last 90 days from when they are made.
	store, err := caseload.Open(fx.db, clinic.Schema, time.Now)
	if err != nil {
		return fixture{}, err
	}
	defer store.Close()
	// Every therapist of the service saves and reads through the API, each
	// on their own caseload: a busy clinic's writes are spread over many
	// referrals. (Sending them all to a few therapists' hundred referrals
	// would pile hundreds of sessions onto each referral in a run, and make
	// every save recompute a course no clinic has.) The first therapist of
	// each of the first teams also signs in through the browser.
	for team := 1; team <= cfg.Teams; team++ {
		for n := 1; n <= cfg.TherapistsPerTeam; n++ {
			email := fmt.Sprintf("therapist-%d-%d-%d@synthetic.example", cfg.Seed, team, n)
			t := therapist{staff: staff{email: email}, browser: n == 1 && team <= fixtureTeams}
			var tok caseload.Token
			if t.token, tok, err = store.CreateToken(ctx, email, "loadgen"); err != nil {
				return fixture{}, fmt.Errorf("%s: %w", email, err)
			}
			rows, err := store.Caseload(ctx, tok.UserID)
			if err != nil {
				return fixture{}, err
			}
			for _, r := range rows {
				t.referrals = append(t.referrals, r.Referral.ID)
			}
			if len(t.referrals) > 0 {
				fx.therapists = append(fx.therapists, t)
			}
		}
	}
	if len(fx.therapists) == 0 {
		return fixture{}, fmt.Errorf("no open referrals on the therapists' caseloads in a service of %d referrals", referrals)
	}
	fx.supervisor.email = fmt.Sprintf("supervisor-%d-1@synthetic.example", cfg.Seed)
	if fx.supervisor.token, _, err = store.CreateToken(ctx, fx.supervisor.email, "loadgen"); err != nil {
		return fixture{}, err
	}
	return fx, nil
}

// syntheticDB returns a cached synthetic database of cfg: the benchmarks'
// own (caseload.BenchmarkDB) for the benchmark service, otherwise one built
// the same way and cached beside it under a name keyed by the schema, the
// rules, the config and the clock.
func syntheticDB(cfg caseload.SyntheticConfig) (string, error) {
	if cfg == caseload.BenchmarkService {
		return caseload.BenchmarkDB(clinic.Schema)
	}
	key := sha256.Sum256(fmt.Appendf(nil, "loadgen v1|%s|%s|%+v|%s", clinic.Schema, measures.RuleSet, cfg, caseload.BenchmarkNow))
	path := filepath.Join(os.TempDir(), fmt.Sprintf("clinic-load-%x.db", key[:6]))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	building := fmt.Sprintf("%s.building-%d", path, os.Getpid())
	s, err := caseload.Open(building, clinic.Schema, caseload.BenchmarkClock)
	if err != nil {
		return "", err
	}
	if err := s.LoadSynthetic(context.Background(), cfg); err != nil {
		s.Close()
		os.Remove(building)
		return "", err
	}
	if err := s.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(building, path)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src) // #nosec G304 -- the cached synthetic database
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst) // #nosec G304 -- the run's own temporary folder
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
