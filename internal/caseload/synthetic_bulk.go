package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// How LoadSynthetic (synthetic.go) writes a large service quickly: bulk
// settings while it loads, and several rows a statement.

// bulkLoadSynthetic are the writer's settings while a synthetic service is
// loaded, and restoreSynthetic the store's own afterwards. A synthetic
// database is built offline, for benchmarks, and served by nobody while it
// is built: a crash leaves a file to throw away, so the load need not wait
// for the disk on every commit (synchronous=OFF), nor check foreign keys row
// by row (the generator numbers every row itself; TestLoadSyntheticSmall
// checks them), and a large page cache holds what is being written. The
// secondary indexes of the tables it fills are dropped during the load and
// made again from their own SQL afterwards: building an index from sorted
// rows at the end is several times faster than keeping it row by row (the
// date indexes are written in no particular order). The trigger that
// queues each finished course for the expected-response cells is dropped
// likewise (LoadSynthetic adds the cells up in Go), and so are those that
// keep the outcomes by group's rollup (LoadSynthetic fills it again from
// every report row at the end).
const (
	bulkLoadSynthetic = `PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -262144`
	restoreSynthetic  = `PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000; PRAGMA threads = 0`
	synthBulkObjects  = `
		SELECT name, type, sql FROM sqlite_master
		WHERE sql IS NOT NULL AND (
			(type = 'index' AND tbl_name IN ('patients', 'referrals', 'contacts', 'scores', 'referral_summary', 'report_referral'))
			OR (type = 'trigger' AND (name = 'summary_curve_insert' OR tbl_name = 'report_referral')))`
	// threads lets SQLite sort on every core when it makes the indexes.
	synthSortThreads = `PRAGMA threads = 4`
)

// bulkLoadMode switches the writer to bulk loading and returns the function
// that switches it back, making the indexes and trigger it dropped again.
func (s *Store) bulkLoadMode(ctx context.Context) (func() error, error) {
	type object struct{ name, kind, sql string }
	var objects []object
	rows, err := s.db.QueryContext(ctx, synthBulkObjects)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.name, &o.kind, &o.sql); err != nil {
			rows.Close()
			return nil, err
		}
		objects = append(objects, o)
	}
	if err := errors.Join(rows.Close(), rows.Err()); err != nil {
		return nil, err
	}
	drop := bulkLoadSynthetic
	for _, o := range objects {
		// Names read from sqlite_master, quoted.
		drop += fmt.Sprintf(`; DROP %s "%s"`, strings.ToUpper(o.kind), strings.ReplaceAll(o.name, `"`, `""`))
	}
	if _, err := s.db.ExecContext(ctx, drop); err != nil {
		return nil, err
	}
	return func() error {
		// Not ctx: the store's indexes and settings come back even when the
		// load was cancelled.
		restore := synthSortThreads + "; BEGIN"
		for _, o := range objects {
			restore += "; " + o.sql
		}
		_, err := s.db.ExecContext(context.Background(), restore+"; COMMIT; "+restoreSynthetic)
		return err
	}, nil
}

// multiInsert inserts several rows in one statement, prepared once per
// number of rows.
type multiInsert struct {
	tx        *sql.Tx
	head, row string
	stmts     map[int]*sql.Stmt
}

// exec inserts the rows whose values args lists, perRow values a row.
func (m *multiInsert) exec(ctx context.Context, args []any, perRow int) error {
	n := len(args) / perRow
	if n == 0 {
		return nil
	}
	st, ok := m.stmts[n]
	if !ok {
		var err error
		if st, err = m.tx.PrepareContext(ctx, m.head+strings.Repeat(m.row+", ", n-1)+m.row); err != nil {
			return err
		}
		if m.stmts == nil {
			m.stmts = map[int]*sql.Stmt{}
		}
		m.stmts[n] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

func (m *multiInsert) close() {
	for _, st := range m.stmts {
		st.Close()
	}
}
