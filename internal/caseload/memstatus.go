package caseload

// SQLite's memory statistics off (issue 17). By default SQLite counts every
// allocation it makes (SQLITE_DEFAULT_MEMSTATUS=1, as
// github.com/mattn/go-sqlite3 compiles it), under one mutex that every
// connection of the process shares: sqlite3_malloc and sqlite3_free take it
// on every call. Under a load of saves the server's threads slept on that
// mutex about 1,700 times a second (perf's sched_switch stacks: 3,474 of the
// 3,507 mutex waits in a 2 s sample were in sqlite3Malloc and sqlite3_free),
// and a Go thread asleep in a cgo call keeps its P until the runtime
// notices, so the cores idled while requests waited. clinic never reads the
// statistics (nor sets a soft heap limit, which needs them), so it turns
// them off (SQLITE_CONFIG_MEMSTATUS, 0) before SQLite first starts, as
// SQLite recommends for speed (https://sqlite.org/compile.html#default_memstatus);
// each connection then allocates without any lock of the process's.
//
// sqlite3_config may only be called before SQLite initialises itself, which
// it does when the first connection opens: this package's initialisation
// runs before any code of the program can open one. The functions are the
// ones go-sqlite3 compiles into the binary; they are declared weak so that
// cgo's trial link of this package alone succeeds, and memstatusOff and
// sqliteMemoryUsed report the outcome (TestSQLiteMemoryStatisticsOff).

/*
extern int sqlite3_config(int, ...) __attribute__((weak));
extern long long sqlite3_memory_used(void) __attribute__((weak));

// clinic_memstatus_off turns SQLite's memory statistics off; it returns
// SQLite's result code, or -1 when SQLite is not linked in.
static int clinic_memstatus_off(void) {
	if (!sqlite3_config) return -1;
	return sqlite3_config(9, 0); // SQLITE_CONFIG_MEMSTATUS, off
}

// clinic_memory_used is sqlite3_memory_used, or -1 when SQLite is not
// linked in.
static long long clinic_memory_used(void) {
	if (!sqlite3_memory_used) return -1;
	return sqlite3_memory_used();
}
*/
import "C"

// memstatusOff is sqlite3_config's result when this package turned the
// statistics off: 0 when it took effect.
var memstatusOff = int(C.clinic_memstatus_off())

// sqliteMemoryUsed is SQLite's count of the memory it holds: always 0 once
// the statistics are off.
func sqliteMemoryUsed() int64 { return int64(C.clinic_memory_used()) }
