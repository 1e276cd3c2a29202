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
// referral page's band), built by measures from the histogram of finished
// courses the database keeps (schema step 20, issue 17), and cached in the
// Store.
//
// Triggers on referral_summary queue every change of a finished course's
// measures in expectation_pending (the old measures with sign -1, the new
// with +1: a course finishing, reopened or corrected). foldCurves adds the
// queue into expectation_cell, expectation_tail and expectation_length in
// small transactions, and the curves are built from those few thousand
// cells plus whatever is still queued: never from the history of courses.

// expectationCache keeps the service's expected-response curves. The schema
// keeps a counter (finished_generation) that a trigger bumps on every write
// of a finished referral's summary, so one row says whether the curves are
// current. A stale cache is served while one background refresh folds the
// queue into the cells and rebuilds the curves from them.
type expectationCache struct {
	mu       sync.Mutex
	built    bool
	gen      int64
	curves   *measures.Curves
	building bool // a background refresh is running
	closed   bool // the store is closing: start no refresh

	// The background refresh runs under ctx, which stop cancels when the
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

// close stops a background refresh, if one runs, and waits for it to end,
// so that it never reads a closed database.
func (c *expectationCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.stop()
	c.running.Wait()
}

// curves returns the expected-response curves, building them from the
// stored cells in the caller's read transaction the first time.
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
			// The refresh outlives the request on purpose: it refreshes the
			// cache every request shares, not this request's answer. It
			// lives as long as the store (Close stops it).
			go s.refreshCurves(c.ctx) // #nosec G118 -- see above
		}
		return c.curves, nil
	}
	curves, complete, err := storedCurves(ctx, tx, curveQueueInRequest)
	if err != nil {
		return nil, err
	}
	c.curves, c.gen, c.built = curves, gen, true
	if !complete {
		// Too long a queue to read in a request (the first start after the
		// schema step that queued every finished course): these curves
		// miss some courses until the next request's background refresh
		// has folded the queue into the cells.
		c.gen = -1
	}
	return curves, nil
}

// cachedCurves returns the curves the store has built, or nil before the
// first build, without building or refreshing them: a write keeps its
// referral's not_on_track flag judged against them (review_state.go), and
// must neither wait for a build nor change the cache inside its
// transaction.
func (s *Store) cachedCurves() *measures.Curves {
	c := s.expect
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.built {
		return nil
	}
	return c.curves
}

// curveQueueInRequest is how many queued courses a request reads with the
// cells when it builds the curves for the first time: a few hundred
// milliseconds at most. Normally the queue holds only the courses finished
// since the last fold.
var curveQueueInRequest = 5000 // a test lowers it

// refreshCurves folds the queue into the cells and rebuilds the cached
// curves from them in the background, until ctx (the store's life) ends.
func (s *Store) refreshCurves(ctx context.Context) {
	c := s.expect
	defer c.running.Done()
	var curves *measures.Curves
	var gen int64
	err := s.foldCurves(ctx)
	if err == nil {
		err = s.withRead(ctx, func(tx *sql.Tx) error {
			var err error
			if gen, err = finishedGeneration(ctx, tx); err != nil {
				return err
			}
			curves, _, err = storedCurves(ctx, tx, -1)
			return err
		})
	}
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

// curveCourse is what the curves read of a measure's course: decoding the
// dates and judgements of every course too would double the time.
type curveCourse struct {
	First       float64
	BySession   []float64
	SessionFrom int
}

// decodeCurveMeasures decodes the measures of a course from its outcome as
// outcome_json holds it (a measures.Outcome), keeping only what the curves
// read.
func decodeCurveMeasures(js string) (map[measures.InstrumentID]measures.MeasureOutcome, error) {
	var o struct {
		Measures map[measures.InstrumentID]curveCourse
	}
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		return nil, err
	}
	ms := make(map[measures.InstrumentID]measures.MeasureOutcome, len(o.Measures))
	for id, c := range o.Measures {
		ms[id] = measures.MeasureOutcome{Instrument: id, First: c.First, BySession: c.BySession, SessionFrom: c.SessionFrom}
	}
	return ms, nil
}

// storedCurves builds the curves from the stored cells and the courses
// still queued (at most limit of them; all when limit < 0), in tx's
// snapshot; complete is false when some queued courses were left out.
func storedCurves(ctx context.Context, tx *sql.Tx, limit int) (curves *measures.Curves, complete bool, err error) {
	h, err := readCurveCells(ctx, tx)
	if err != nil {
		return nil, false, fmt.Errorf("expected response: %w", err)
	}
	complete = true
	if limit >= 0 {
		var more bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM expectation_pending LIMIT 1 OFFSET ?)`, limit).Scan(&more); err != nil {
			return nil, false, fmt.Errorf("expected response: %w", err)
		}
		complete = !more
	}
	if _, err := queuedCells(ctx, tx, h, limit); err != nil {
		return nil, false, fmt.Errorf("expected response: %w", err)
	}
	return measures.CurvesFromCells(h), complete, nil
}

// readCurveCells reads the stored histogram.
func readCurveCells(ctx context.Context, tx *sql.Tx) (measures.CurveCells, error) {
	h := measures.NewCurveCells()
	for _, table := range []string{"expectation_cell", "expectation_tail"} {
		dst := h.Scores
		if table == "expectation_tail" {
			dst = h.Tails
		}
		// #nosec G202 -- table is one of two constants above
		rows, err := tx.QueryContext(ctx, `SELECT instrument, first, session, value, n FROM `+table)
		if err != nil {
			return h, err
		}
		for rows.Next() {
			var k measures.CurveCell
			var n int
			if err := rows.Scan(&k.Instrument, &k.First, &k.Session, &k.Value, &n); err != nil {
				rows.Close()
				return h, err
			}
			dst[k] += n
		}
		if err := rows.Close(); err != nil {
			return h, err
		}
		if err := rows.Err(); err != nil {
			return h, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT instrument, sessions, n FROM expectation_length`)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	for rows.Next() {
		var k measures.CurveLength
		var n int
		if err := rows.Scan(&k.Instrument, &k.Sessions, &n); err != nil {
			return h, err
		}
		h.Lengths[k] += n
	}
	return h, rows.Err()
}

// queuedCells adds up to limit queued courses (all when limit < 0) to h, in
// queue order, and returns the id of the last one added (0 if none).
func queuedCells(ctx context.Context, tx *sql.Tx, h measures.CurveCells, limit int) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, sign, outcome FROM expectation_pending ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		var sign int
		var js string
		if err := rows.Scan(&last, &sign, &js); err != nil {
			return 0, err
		}
		ms, err := decodeCurveMeasures(js)
		if err != nil {
			return 0, fmt.Errorf("queued course %d: %w", last, err)
		}
		h.AddCourse(ms, sign)
	}
	return last, rows.Err()
}

// curveFoldBatch is how many queued courses one transaction folds into the
// cells: a few milliseconds of the writer at a time.
const curveFoldBatch = 2000

// foldCurves adds the queued courses into the stored cells, a batch per
// write transaction, until the queue is empty or ctx ends.
func (s *Store) foldCurves(ctx context.Context) error {
	for {
		var last int64
		err := s.withTx(ctx, func(tx *sql.Tx) error {
			h := measures.NewCurveCells()
			var err error
			if last, err = queuedCells(ctx, tx, h, curveFoldBatch); err != nil || last == 0 {
				return err
			}
			if err := writeCurveCells(ctx, tx, h); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM expectation_pending WHERE id <= ?`, last)
			return err
		})
		if err != nil {
			return fmt.Errorf("fold expected-response cells: %w", err)
		}
		if last == 0 {
			return nil
		}
	}
}

// writeCurveCells adds the counts of h to the stored cells, deleting those
// that fall to zero.
func writeCurveCells(ctx context.Context, tx *sql.Tx, h measures.CurveCells) error {
	for _, table := range []string{"expectation_cell", "expectation_tail"} {
		src := h.Scores
		if table == "expectation_tail" {
			src = h.Tails
		}
		// #nosec G202 -- table is one of two constants above
		add, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` (instrument, first, session, value, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET n = n + excluded.n`)
		if err != nil {
			return err
		}
		defer add.Close()
		// #nosec G202 -- likewise
		drop, err := tx.PrepareContext(ctx, `DELETE FROM `+table+` WHERE instrument = ? AND first = ? AND session = ? AND value = ? AND n = 0`)
		if err != nil {
			return err
		}
		defer drop.Close()
		for k, n := range src {
			if n == 0 {
				continue
			}
			if _, err := add.ExecContext(ctx, k.Instrument, k.First, k.Session, k.Value, n); err != nil {
				return err
			}
			if n < 0 {
				if _, err := drop.ExecContext(ctx, k.Instrument, k.First, k.Session, k.Value); err != nil {
					return err
				}
			}
		}
	}
	for k, n := range h.Lengths {
		if n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO expectation_length (instrument, sessions, n) VALUES (?, ?, ?)
			ON CONFLICT DO UPDATE SET n = n + excluded.n`, k.Instrument, k.Sessions, n); err != nil {
			return err
		}
		if n < 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM expectation_length WHERE instrument = ? AND sessions = ? AND n = 0`, k.Instrument, k.Sessions); err != nil {
				return err
			}
		}
	}
	return nil
}

// FoldExpectation adds every course queued since the last fold into the
// stored expected-response cells, so that later builds of the curves read
// the cells alone. The server does it as it starts; a store does it by
// itself whenever a course finishes.
func (s *Store) FoldExpectation(ctx context.Context) error { return s.foldCurves(ctx) }

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
