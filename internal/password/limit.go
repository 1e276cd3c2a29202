package password

import (
	"errors"
	"runtime"
	"time"
)

// Each argon2id computation holds 64 MiB for its duration, so the number
// running at once bounds the memory sign-ins can take: unbounded, 80
// parallel sign-ins reached 5.4 GiB (issue 15). One hash per CPU, each
// running two lanes, keeps about two hashing threads per CPU busy; never
// more than maxConcurrent hashes, so that on a large host the live hashing
// memory stays at 4 × 64 MiB. After each hash the collector is run, so that
// its 64 MiB is reused by the next rather than the heap growing to twice
// its live size first (the default pacing): a few milliseconds against a
// hash's 150.
const maxConcurrent = 4

// Concurrent is how many hashes may be computed at once.
var Concurrent = min(max(runtime.NumCPU(), 1), maxConcurrent)

// MaxWait is how long a hash waits for a free slot before giving up with
// ErrBusy: long enough to ride out a short queue of colleagues signing in
// at nine o'clock, short enough that a flood is answered quickly.
const MaxWait = 2 * time.Second

// ErrBusy means every hashing slot stayed taken for MaxWait: the caller
// should ask the client to try again shortly (HTTP 503 with Retry-After).
var ErrBusy = errors.New("password hashing is busy")

var slots = make(chan struct{}, Concurrent)

// acquire takes a hashing slot, waiting at most MaxWait; release gives it
// back.
func acquire() error {
	select {
	case slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(MaxWait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	}
}

func release() {
	runtime.GC()
	<-slots
}
