package caseload

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// writerDriver is the driver of the writer connection: SQLite whose writing
// statements run to their end once begun, whatever becomes of the context of
// the request that asked for them (issue 17).
//
// go-sqlite3 interrupts a statement whose context ends (sqlite3_interrupt),
// and to be able to it runs every statement of a cancellable context on a
// goroutine of its own while the caller waits. On the writer both are wrong:
//
//   - The committer runs many requests in one transaction (commit.go), and
//     SQLite rolls back the whole transaction when an INSERT, UPDATE or
//     DELETE inside it is interrupted: a client that hung up in the middle of
//     its save would have failed every other save of its batch.
//   - Each of a save's ten or so statements went through a new goroutine, and
//     the committer, on which every write waits, waited for that goroutine to
//     be scheduled among the requests' own; under a busy clinic that was much
//     of a save's wait.
//
// A request that has gone away is still not started: runBatch skips a
// request whose context has ended, and database/sql refuses a statement on
// an ended context before it reaches the driver, so the rest of that
// request's work fails and its savepoint is rolled back.
const writerDriver = "sqlite3_clinic_writer"

func init() {
	sql.Register(writerDriver, writerSQLite{&sqlite3.SQLiteDriver{}})
}

type writerSQLite struct{ d *sqlite3.SQLiteDriver }

func (w writerSQLite) Open(dsn string) (driver.Conn, error) {
	c, err := w.d.Open(dsn)
	if err != nil {
		return nil, err
	}
	conn, ok := c.(*sqlite3.SQLiteConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("writer connection: go-sqlite3 opened a %T", c)
	}
	return &writerConn{conn}, nil
}

// writerConn is go-sqlite3's connection (every method of it, so that
// database/sql finds the same interfaces) but for how it executes.
type writerConn struct{ *sqlite3.SQLiteConn }

func (c *writerConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.SQLiteConn.ExecContext(context.WithoutCancel(ctx), query, args)
}

func (c *writerConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.SQLiteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s, ok := st.(*sqlite3.SQLiteStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("writer statement: go-sqlite3 prepared a %T", st)
	}
	return &writerStmt{s}, nil
}

// writerStmt is a statement prepared on the writer, executed as writerConn
// executes.
type writerStmt struct{ *sqlite3.SQLiteStmt }

func (s *writerStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.SQLiteStmt.ExecContext(context.WithoutCancel(ctx), args)
}

// sqliteConnOf is go-sqlite3's connection under a driver connection of either
// of the store's drivers, as sql.Conn.Raw gives it.
func sqliteConnOf(driverConn any) (*sqlite3.SQLiteConn, bool) {
	switch c := driverConn.(type) {
	case *writerConn:
		return c.SQLiteConn, true
	case *sqlite3.SQLiteConn:
		return c, true
	}
	return nil, false
}
