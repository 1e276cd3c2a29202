package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"

	"clinic/internal/measures"
	"clinic/internal/password"
)

// Synthetic data is for benchmarks and load tests only (the benchmark
// fixture, benchmark.go, is built with it): a large service written in bulk,
// bypassing the per-contact write path. Demo data for people to look at is
// internal/demo's.

// SyntheticConfig sizes a synthetic service for benchmarks and load tests.
type SyntheticConfig struct {
	Teams               int
	TherapistsPerTeam   int
	Referrals           int
	ContactsPerReferral int
	Seed                uint64
}

// SyntheticPassword is every synthetic user's password. Synthetic databases
// are for benchmarks only.
const SyntheticPassword = "synthetic-service"

// syntheticDescriptors are the problems synthetic referrals have: those
// measured with PHQ-9 and GAD-7 alone, as the data carries no ADSM.
var syntheticDescriptors = []string{"F32", "F33", "F41.1", "F41.2", "F41.1", "F32", "F40.2"}

// LoadSynthetic adds a large synthetic service: cfg.Teams teams of
// cfg.TherapistsPerTeam therapists with a supervisor each, and cfg.Referrals
// referrals (one patient each) spread over three years before the store's
// clock, each with cfg.ContactsPerReferral weekly contacts carrying PHQ-9 and
// GAD-7 answers, and their summaries. Referrals whose last contact is in the
// last 60 days stay open. It writes directly with prepared statements in a
// few large transactions, bypassing the per-contact write path; the
// summaries are computed with measures.Evaluate exactly as that path does.
// The data is the same for the same config and clock.
func (s *Store) LoadSynthetic(ctx context.Context, cfg SyntheticConfig) error {
	if cfg.Teams < 1 || cfg.TherapistsPerTeam < 1 || cfg.Referrals < 0 || cfg.ContactsPerReferral < 1 {
		return fmt.Errorf("load synthetic: config needs at least one team, therapist and contact per referral: %+v", cfg)
	}
	hash, err := password.Hash(SyntheticPassword)
	if err != nil {
		return fmt.Errorf("load synthetic: %w", err)
	}
	todayT, _ := parseDate(s.today())
	created := stamp(s.Now())
	therapists, err := s.writeSyntheticStaff(ctx, cfg, hash, created)
	if err != nil {
		return fmt.Errorf("load synthetic: staff: %w", err)
	}
	// Referrals are generated and evaluated by workers (the CPU part: answers,
	// outcomes, JSON) and written by this goroutine in order, so ids are
	// assigned up front from the current maxima.
	base, err := s.syntheticBase(ctx)
	if err != nil {
		return fmt.Errorf("load synthetic: %w", err)
	}
	restore, err := s.bulkLoadMode(ctx)
	if err != nil {
		return fmt.Errorf("load synthetic: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gen := synthGenerator{cfg: cfg, therapists: therapists, base: base, today: todayT, created: created}
	results := gen.start(ctx)
	cells := measures.NewCurveCells()
	err = s.writeSyntheticBatches(ctx, results, gen.chunks(), base, created, cells)
	if rerr := restore(); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("load synthetic: %w", err)
	}
	// The rollup of the outcomes by group (schema step 24), whose triggers
	// were dropped during the load, added up again from every report row.
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return refillGroupRollup(ctx, tx) }); err != nil {
		return fmt.Errorf("load synthetic: outcomes by group: %w", err)
	}
	// So is that of the figures by the date referrals ended (step 25).
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return refillEndedRollup(ctx, tx) }); err != nil {
		return fmt.Errorf("load synthetic: figures by ending: %w", err)
	}
	// The finished courses' expected-response cells (schema step 20),
	// added up in Go as the referrals were written rather than queued by
	// the trigger one outcome at a time, so that no server reading this
	// service ever rebuilds them.
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return writeCurveCells(ctx, tx, cells) }); err != nil {
		return fmt.Errorf("load synthetic: expected-response cells: %w", err)
	}
	if err := s.foldCurves(ctx); err != nil {
		return fmt.Errorf("load synthetic: %w", err)
	}
	// The referrals were written before there were curves: each open one's
	// not_on_track flag is judged again against them (review_state.go).
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return backfillReviewState(ctx, tx) }); err != nil {
		return fmt.Errorf("load synthetic: review flags: %w", err)
	}
	// Statistics from a sample of each index: a full ANALYZE reads every
	// index of a national year.
	if _, err := s.db.ExecContext(ctx, `PRAGMA analysis_limit = 2000; ANALYZE`); err != nil {
		return fmt.Errorf("load synthetic: analyze: %w", err)
	}
	return nil
}

// synthStaff is a synthetic therapist and their team.
type synthStaff struct{ id, team int64 }

// writeSyntheticStaff adds the teams, their supervisors and therapists, in
// one transaction, and returns the therapists.
func (s *Store) writeSyntheticStaff(ctx context.Context, cfg SyntheticConfig, hash, created string) ([]synthStaff, error) {
	var therapists []synthStaff
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for t := 0; t < cfg.Teams; t++ {
			res, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at) VALUES (?, ?)`,
				fmt.Sprintf("Synthetic %d-%d", cfg.Seed, t+1), created)
			if err != nil {
				return err
			}
			teamID, err := res.LastInsertId()
			if err != nil {
				return err
			}
			res, err = tx.ExecContext(ctx, `
				INSERT INTO users (email, name, role, password_hash, created_at)
				VALUES (?, ?, 'supervisor', ?, ?)`,
				fmt.Sprintf("supervisor-%d-%d@synthetic.example", cfg.Seed, t+1), fmt.Sprintf("Supervisor %d", t+1), hash, created)
			if err != nil {
				return err
			}
			supID, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_supervisors (team_id, user_id) VALUES (?, ?)`, teamID, supID); err != nil {
				return err
			}
			for n := 0; n < cfg.TherapistsPerTeam; n++ {
				res, err := tx.ExecContext(ctx, `
					INSERT INTO users (email, name, role, team_id, password_hash, created_at)
					VALUES (?, ?, 'therapist', ?, ?, ?)`,
					fmt.Sprintf("therapist-%d-%d-%d@synthetic.example", cfg.Seed, t+1, n+1), fmt.Sprintf("Therapist %d.%d", t+1, n+1), teamID, hash, created)
				if err != nil {
					return err
				}
				id, err := res.LastInsertId()
				if err != nil {
					return err
				}
				therapists = append(therapists, synthStaff{id: id, team: teamID})
			}
		}
		return nil
	})
	return therapists, err
}

// synthIDs are the largest ids in use, after which synthetic rows are
// numbered.
type synthIDs struct{ patient, referral, contact, score int64 }

func (s *Store) syntheticBase(ctx context.Context) (synthIDs, error) {
	var base synthIDs
	err := s.db.QueryRowContext(ctx, `
		SELECT
			(SELECT COALESCE(MAX(id), 0) FROM patients),
			(SELECT COALESCE(MAX(id), 0) FROM referrals),
			(SELECT COALESCE(MAX(id), 0) FROM contacts),
			(SELECT COALESCE(MAX(id), 0) FROM scores)`).Scan(&base.patient, &base.referral, &base.contact, &base.score)
	return base, err
}

// synthChunk is how many referrals a worker makes, and a transaction
// writes, at a time.
const synthChunk = 2000

// synthBatch is one chunk of generated referrals.
type synthBatch struct {
	index int
	refs  []synthReferral
	err   error
}

// synthGenerator makes a synthetic service's referrals on every core.
type synthGenerator struct {
	cfg        SyntheticConfig
	therapists []synthStaff
	base       synthIDs
	today      time.Time
	created    string
}

func (g synthGenerator) chunks() int { return (g.cfg.Referrals + synthChunk - 1) / synthChunk }

// start sets workers making the chunks, in any order, until ctx ends; the
// channel closes when they are done.
func (g synthGenerator) start(ctx context.Context) <-chan synthBatch {
	jobs := make(chan int)
	results := make(chan synthBatch, 4)
	var wg sync.WaitGroup
	for w := 0; w < max(1, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ci := range jobs {
				select {
				case results <- g.chunk(ci):
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for ci := 0; ci < g.chunks(); ci++ {
			select {
			case jobs <- ci:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	return results
}

// chunk makes chunk ci's referrals.
func (g synthGenerator) chunk(ci int) synthBatch {
	b := synthBatch{index: ci}
	for i := ci * synthChunk; i < min(g.cfg.Referrals, (ci+1)*synthChunk); i++ {
		th := g.therapists[i%len(g.therapists)]
		r, err := synthesise(g.cfg, i, th.id, th.team, g.today, g.created)
		if err != nil {
			b.err = err
			break
		}
		r.patientID = g.base.patient + int64(i) + 1
		r.basis.id = g.base.referral + int64(i) + 1
		r.facts = syntheticFacts(r)
		b.refs = append(b.refs, r)
	}
	return b
}

// writeSyntheticBatches writes the chunks in order as they arrive, a few
// thousand referrals per transaction.
func (s *Store) writeSyntheticBatches(ctx context.Context, results <-chan synthBatch, nChunks int, base synthIDs, created string, cells measures.CurveCells) error {
	pending := map[int]synthBatch{}
	next := 0
	contactID, scoreID := base.contact, base.score
	for b := range results {
		if b.err != nil {
			return b.err
		}
		pending[b.index] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err := s.writeSynthetic(ctx, b.refs, &contactID, &scoreID, created); err != nil {
				return err
			}
			for _, r := range b.refs {
				if r.finished != nil {
					cells.AddCourse(r.finished, 1)
				}
			}
		}
	}
	if next != nChunks {
		return fmt.Errorf("wrote %d of %d chunks: %w", next, nChunks, errors.Join(ctx.Err(), errors.New("stopped")))
	}
	return nil
}

// synthReferral is one generated referral, ready to insert.
type synthReferral struct {
	patientID int64
	name, dob string
	basis     summaryBasis
	contacts  []synthContact
	finished  map[measures.InstrumentID]measures.MeasureOutcome // a finished course's measures, for the curves
	summary   []any                                             // summaryUpsert's arguments but the id, filled at write time
	report    []any                                             // reportUpsert's arguments but the id, likewise
	facts     []any                                             // factsUpdate's arguments (synthetic_facts.go)
}

type synthContact struct {
	date, kind, attendance string
	intensity              string // the step of care it was given at
	phq9, gad7             string // items as JSON; "" when not attended
	phq9Total, gad7Total   float64
}

// synthesise makes referral i of a synthetic service.
func synthesise(cfg SyntheticConfig, i int, therapistID, teamID int64, today time.Time, created string) (synthReferral, error) {
	// Benchmark data: deterministic on purpose, never a secret; i is a
	// non-negative index.
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i))) // #nosec G404 G115 -- see above
	n := cfg.ContactsPerReferral
	wait := 7 + rng.IntN(35)
	span := wait + 7*(n-1) + 7 // room for a missed week
	received := today.AddDate(0, 0, -span-rng.IntN(3*365))
	r := synthReferral{
		name: "Synthetic Patient " + strconv.Itoa(i+1),
		dob:  received.AddDate(-18-rng.IntN(60), -rng.IntN(12), -rng.IntN(28)).Format(dateLayout),
		basis: summaryBasis{
			therapistID: therapistID,
			teamID:      teamID,
			receivedOn:  received.Format(dateLayout),
			descriptor:  syntheticDescriptors[rng.IntN(len(syntheticDescriptors))],
			intensity:   string(measures.LowIntensity),
		},
	}
	if rng.IntN(3) == 0 {
		r.basis.intensity = string(measures.HighIntensity)
	}
	// A starting severity and a rate of change: most improve, some do not,
	// a few get worse.
	startPHQ := 6 + rng.Float64()*18
	startGAD := 5 + rng.Float64()*14
	change := -0.8 + rng.Float64()*0.9
	if rng.IntN(12) == 0 {
		change = 0.3 + rng.Float64()*0.4
	}
	day := wait
	mc := make([]measures.Contact, 0, n)
	scored := 0
	for k := 0; k < n; k++ {
		if k > 0 {
			day += 7
		}
		c := synthContact{date: received.AddDate(0, 0, day).Format(dateLayout), kind: string(measures.Treatment), attendance: string(measures.Attended)}
		if k == 0 {
			c.kind = string(measures.Assessment)
		} else if rng.IntN(12) == 0 {
			c.attendance = string(measures.DNA)
		}
		d, _ := parseDate(c.date)
		m := measures.Contact{Date: d, Kind: measures.ContactKind(c.kind), Attendance: measures.Attendance(c.attendance)}
		if c.attendance == string(measures.Attended) {
			f := 1 + change*float64(scored)/float64(max(1, n-1))
			phq := synthItems(rng, 9, startPHQ*f)
			gad := synthItems(rng, 7, startGAD*f)
			c.phq9, c.phq9Total = itemsText(phq)
			c.gad7, c.gad7Total = itemsText(gad)
			item9 := phq[8]
			m.Scores = map[measures.InstrumentID]float64{measures.PHQ9: c.phq9Total, measures.GAD7: c.gad7Total}
			m.Item9 = &item9
			scored++
		}
		c.intensity = synthIntensity(r.basis.intensity, i, k, n)
		r.contacts = append(r.contacts, c)
		mc = append(mc, m)
	}
	last, _ := parseDate(r.contacts[len(r.contacts)-1].date)
	if today.Sub(last) > 60*24*time.Hour {
		r.basis.endedOn = last.AddDate(0, 0, 7).Format(dateLayout)
		r.basis.endReason = "completed"
		if rng.IntN(6) == 0 {
			r.basis.endReason = "dropped_out"
		}
	}
	o, err := evaluate(r.basis, mc)
	if err != nil {
		return synthReferral{}, err
	}
	if o.FinishedCourse {
		r.finished = o.Measures
	}
	// No curves while loading: not_on_track is kept by the default rule.
	r.summary, err = summaryArgs(r.basis, o, created, nil)
	r.report = reportArgs(r.basis, o)
	return r, err
}

// synthItems makes n answers 0–3 adding up to about total, item 9 (the last
// of the PHQ-9) rarely above 0.
func synthItems(rng *rand.Rand, n int, total float64) []int {
	t := int(total+0.5) + rng.IntN(3) - 1
	t = max(0, min(t, 3*(n-1)))
	items := make([]int, n)
	for t > 0 {
		i := rng.IntN(n - 1)
		if items[i] < 3 {
			items[i]++
			t--
		}
	}
	if n == 9 && rng.IntN(25) == 0 {
		items[8] = 1 + rng.IntN(3)
	}
	return items
}

func itemsText(items []int) (string, float64) {
	b, _ := json.Marshal(items)
	sum := 0
	for _, v := range items {
		sum += v
	}
	return string(b), float64(sum)
}

// writeSynthetic inserts generated referrals in one transaction.
func (s *Store) writeSynthetic(ctx context.Context, refs []synthReferral, contactID, scoreID *int64, created string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		// The statements run without a cancellable context: with one, the
		// driver runs every statement on a goroutine of its own to watch
		// for cancellation, which costs more than the insert. A cancelled
		// load stops between transactions (writeSyntheticBatches).
		ctx := context.WithoutCancel(ctx)
		prep := func(q string) (*sql.Stmt, error) { return tx.PrepareContext(ctx, q) }
		patient, err := prep(`INSERT INTO patients (id, name, date_of_birth, nhs_number, created_at) VALUES (?, ?, ?, '', ?)`)
		if err != nil {
			return err
		}
		defer patient.Close()
		demographics, err := prepareSyntheticDemographics(ctx, tx)
		if err != nil {
			return err
		}
		defer demographics.Close()
		referral, err := prep(`
			INSERT INTO referrals (id, patient_id, therapist_id, team_id, received_on, problem_descriptor, intensity, ended_on, end_reason, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer referral.Close()
		// A referral's contacts in one statement, and its scores in
		// another: a statement costs far more than a row.
		contact := &multiInsert{tx: tx, head: `INSERT INTO contacts (id, referral_id, date, kind, attendance, intensity, medium, employment_status, recorded_by, recorded_at) VALUES `,
			row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
		defer contact.close()
		score := &multiInsert{tx: tx, head: `INSERT INTO scores (id, contact_id, instrument, items_json, total, prorated, source, recorded_by, recorded_at) VALUES `,
			row: `(?, ?, ?, ?, ?, 0, 'therapist', ?, ?)`}
		defer score.close()
		summary, err := prepareSummaryWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer summary.Close()
		facts, err := prep(factsUpdate)
		if err != nil {
			return err
		}
		defer facts.Close()
		for _, r := range refs {
			b := r.basis
			if _, err := patient.ExecContext(ctx, r.patientID, r.name, r.dob, created); err != nil {
				return err
			}
			if _, err := demographics.ExecContext(ctx, append([]any{r.patientID}, syntheticDemographics(b.id)...)...); err != nil {
				return err
			}
			if _, err := referral.ExecContext(ctx, b.id, r.patientID, b.therapistID, b.teamID, b.receivedOn, b.descriptor, b.intensity,
				nullString(b.endedOn), nullString(b.endReason), b.therapistID, created); err != nil {
				return err
			}
			cargs, sargs := r.recordArgs(contactID, scoreID)
			if err := contact.exec(ctx, cargs, 10); err != nil {
				return err
			}
			if err := score.exec(ctx, sargs, 7); err != nil {
				return err
			}
			r.summary[0], r.report[0] = b.id, b.id
			if err := summary.writeArgs(ctx, r.summary, r.report); err != nil {
				return err
			}
			if _, err := facts.ExecContext(ctx, r.facts...); err != nil {
				return fmt.Errorf("report facts of referral %d: %w", b.id, err)
			}
		}
		return nil
	})
}

// prepareSyntheticDemographics prepares the insert of a synthetic
// patient's demographics.
func prepareSyntheticDemographics(ctx context.Context, tx *sql.Tx) (*sql.Stmt, error) {
	return tx.PrepareContext(ctx, `
		INSERT INTO patient_demographics (patient_id, ethnic_category, gender_identity, sexual_orientation, disability, long_term_conditions, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
}
