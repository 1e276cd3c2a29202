package main

import (
	"runtime"
	"runtime/debug"
)

// The server's garbage collector settings (issue 17). Go's default,
// GOGC=100, collects whenever the heap has doubled since the last
// collection. A save allocates about 41 KB, so under a load of saves the
// collector ran a few times a second and took about a tenth of the
// server's CPU. With serveGCPercent it runs a quarter as often. At 200 (the
// fourth session): 1,367–1,473 saves a second against 1,240–1,304 with the
// default. At 400 (the sixth, once the committer's own waits were gone): on
// the 100k service with 16 clients, 1,689–1,824 saves a second at p99
// 20.6–22.2 ms against 1,580–1,799 at 22.4–25.0 ms with 200, in four rounds
// alternately (docs/performance.md), the server's peak resident memory
// 141–146 MB against 111–117. The heap may grow to five times what is
// live, so serveMemoryLimit caps it: near the limit the collector runs as
// often as it must, and the national year's reports and exports stay under
// issue 17's 300 MB. An operator's GOGC or GOMEMLIMIT, in the environment,
// is left as given.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 160 << 20 // bytes of the Go runtime's own memory (SQLite's is beside it)
)

// tuneGC applies the server's collector settings, except where the
// environment (getenv) sets GOGC or GOMEMLIMIT itself.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}

// tuneProcs gives the server's Go scheduler one more P than the cores Go
// would use by default (issue 17), unless the environment sets GOMAXPROCS.
// Every write waits on one goroutine, the committer, and most of its time
// is spent in SQLite and the kernel (its commits' fsyncs), during which its P
// is handed to the requests' goroutines. Back from such a call with every P
// busy, it waited in the scheduler's global queue behind them: 270 times a
// second, 350 µs each, under a load of saves on 2 cores, and every save of
// its batch and behind it waited too. With a spare P it finds one free. On
// the 100k service with 16 clients saving, in four clean rounds alternately:
// 1,471–1,527 saves a second at p99 25.4–26.4 ms with 3 Ps on 2 cores,
// against 1,325–1,484 at 27.2–30.9 ms with 2; 4 Ps were slower than 3 in
// three rounds of three (docs/performance.md).
func tuneProcs(getenv func(string) string) {
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	}
}
