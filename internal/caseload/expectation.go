package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"clinic/internal/measures"
)

// The service's expected treatment response (issue 4, not_on_track and the
// referral page's band), built from its finished courses by measures and
// cached in the Store.

// expectationCache keeps the service's expected-response curves, built from
// every finished course. The schema keeps a counter (finished_generation)
// that a trigger bumps on every write of a finished referral's summary, so
// one row says whether the curves are current. Building them reads every
// finished course (about two seconds for 100,000 referrals), so only the
// first build is waited for: after that, a stale cache is served while one
// background rebuild brings it up to date. A course or two more barely moves
// percentiles drawn from thousands.
type expectationCache struct {
	mu       sync.Mutex
	built    bool
	gen      int64
	curves   *measures.Curves
	building bool // a background rebuild is running
	closed   bool // the store is closing: start no rebuild

	// The background rebuild runs under ctx, which stop cancels when the
	// store closes; Close waits for it on running.
	ctx     context.Context
	stop    context.CancelFunc
	running sync.WaitGroup
}

// newExpectationCache makes the cache of a newly opened store.
func newExpectationCache() *expectationCache {
	ctx, stop := context.WithCancel(context.Background())
	return &expectationCache{ctx: ctx, stop: stop}
}

// close stops a background rebuild, if one runs, and waits for it to end,
// so that it never reads a closed database.
func (c *expectationCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.stop()
	c.running.Wait()
}

// curves returns the expected-response curves, building them in the
// caller's read transaction the first time.
func (s *Store) curves(ctx context.Context, tx *sql.Tx) (*measures.Curves, error) {
	gen, err := finishedGeneration(ctx, tx)
	if err != nil {
		return nil, err
	}
	c := s.expect
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built {
		if gen > c.gen && !c.building && !c.closed {
			c.building = true
			c.running.Add(1)
			// The rebuild outlives the request on purpose: it refreshes the
			// cache every request shares, not this request's answer. It
			// lives as long as the store (Close stops it).
			go s.rebuildCurves(c.ctx) // #nosec G118 -- see above
		}
		return c.curves, nil
	}
	curves, err := buildCurves(ctx, tx)
	if err != nil {
		return nil, err
	}
	c.curves, c.gen, c.built = curves, gen, true
	return curves, nil
}

// rebuildCurves rebuilds the cached curves in the background, until ctx
// (the store's life) ends.
func (s *Store) rebuildCurves(ctx context.Context) {
	c := s.expect
	defer c.running.Done()
	var curves *measures.Curves
	var gen int64
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		if gen, err = finishedGeneration(ctx, tx); err != nil {
			return err
		}
		curves, err = buildCurves(ctx, tx)
		return err
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.building = false
	// On failure the stale curves stay, and the next request tries again.
	if err == nil && gen > c.gen {
		c.curves, c.gen = curves, gen
	}
}

func finishedGeneration(ctx context.Context, tx *sql.Tx) (int64, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, `SELECT n FROM finished_generation WHERE id = 1`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("finished generation: %w", err)
	}
	return gen, nil
}

// outcomeMeasuresPath is where outcome_json, a measures.Outcome as
// encoding/json writes it, holds Outcome.Measures (a test checks it).
const outcomeMeasuresPath = "$.Measures"

// buildCurves builds the curves from every finished course. Only the
// measures' courses are needed: SQLite extracts them rather than Go decoding
// every whole outcome.
func buildCurves(ctx context.Context, tx *sql.Tx) (*measures.Curves, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT json_extract(outcome_json, '`+outcomeMeasuresPath+`')
		FROM referral_summary
		WHERE finished = 1`)
	if err != nil {
		return nil, fmt.Errorf("expected response: %w", err)
	}
	defer rows.Close()
	// Only what the curves read of each measure is decoded: decoding the
	// dates and judgements of every course too would double the time.
	type course struct {
		First       float64
		BySession   []float64
		SessionFrom int
	}
	var finished []measures.Outcome
	for rows.Next() {
		var js sql.NullString
		if err := rows.Scan(&js); err != nil {
			return nil, fmt.Errorf("expected response: %w", err)
		}
		o := measures.Outcome{FinishedCourse: true}
		if js.Valid {
			var courses map[measures.InstrumentID]course
			if err := json.Unmarshal([]byte(js.String), &courses); err != nil {
				return nil, fmt.Errorf("expected response: %w", err)
			}
			o.Measures = make(map[measures.InstrumentID]measures.MeasureOutcome, len(courses))
			for id, c := range courses {
				o.Measures[id] = measures.MeasureOutcome{Instrument: id, First: c.First, BySession: c.BySession, SessionFrom: c.SessionFrom}
			}
		}
		finished = append(finished, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expected response: %w", err)
	}
	return measures.BuildExpectation(finished), nil
}

// Expectation returns the service's expected treatment response, built from
// its finished courses (cached until one changes), for charts to show the
// band of comparable cases.
func (s *Store) Expectation(ctx context.Context) (measures.Expectation, error) {
	var exp *measures.Curves
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		exp, err = s.curves(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("expected response: %w", err)
	}
	return exp, nil
}
