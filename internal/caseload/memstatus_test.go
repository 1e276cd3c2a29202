package caseload

import (
	"context"
	"testing"
)

// TestSQLiteMemoryStatisticsOff: SQLite's memory statistics, and the
// process-wide mutex every allocation of every connection took for them,
// are off (memstatus.go): with them on, SQLite counts the memory an open
// database holds, well above zero.
func TestSQLiteMemoryStatisticsOff(t *testing.T) {
	if memstatusOff != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d, want 0 (SQLITE_OK)", memstatusOff)
	}
	s, _ := openTest(t)
	var n int
	if err := s.read.QueryRowContext(context.Background(), `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the schema has no tables")
	}
	if used := sqliteMemoryUsed(); used != 0 {
		t.Errorf("SQLite counts %d bytes in use with a database open: its memory statistics are on", used)
	}
}
