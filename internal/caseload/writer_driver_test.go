package caseload

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"clinic"
)

// A write that has begun runs to its end when its request goes away: SQLite
// would roll back the whole batch's transaction, every other request's work
// in it too, if the statement were interrupted (writer_driver.go).
func TestWriterStatementsAreNotInterrupted(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "clinic.db"), clinic.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.db.Exec(`CREATE TABLE probe (n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const rows = 3_000_000 // long enough that the request goes away part way
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var took time.Duration
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		_, err := tx.ExecContext(ctx, `
			INSERT INTO probe (n)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT i FROM n`, rows)
		took = time.Since(start)
		return err
	})
	if ctx.Err() == nil || took < 20*time.Millisecond {
		t.Fatalf("the request's context had not ended before the insert did (%v): the test proves nothing", took)
	}
	if err != nil {
		t.Fatalf("a write interrupted when its request went away: %v", err)
	}
	var n int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM probe`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Errorf("%d rows committed, want %d", n, rows)
	}
}
