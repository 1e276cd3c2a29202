package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"clinic/internal/caseload"
)

// Issue 15, 3: a burst of wrong passwords for one account from one address,
// sent at once, gets no more password checks than the throttle allows. The
// rest are answered 429 without checking.
func TestSignInBurstIsThrottled(t *testing.T) {
	e := newTestEnv(t)
	const burst = 25
	browsers := make([]*browser, burst)
	for i := range browsers {
		browsers[i] = e.browser()
		browsers[i].csrf()
	}
	statuses := make([]int, burst)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, b := range browsers {
		wg.Go(func() {
			<-start
			statuses[i] = signInAs(t, b, e.therapist.Email, "not the right one").Status
		})
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[http.StatusUnprocessableEntity] > caseload.MaxFailuresPerAccount ||
		count[http.StatusUnprocessableEntity]+count[http.StatusTooManyRequests] != burst {
		t.Errorf("burst of %d wrong sign-ins answered %v: want at most %d checked (422), the rest 429",
			burst, count, caseload.MaxFailuresPerAccount)
	}
	res, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditSignInFailed, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) > caseload.MaxFailuresPerAccount {
		t.Errorf("%d failures audited: want at most %d passwords checked", len(res.Entries), caseload.MaxFailuresPerAccount)
	}
}

// Issue 15, 4: each password check takes 64 MiB, so parallel sign-ins must
// not each get one. 200 sign-ins at once from 200 addresses (each checks a
// password: unknown e-mails check a dummy hash) keep this process's memory
// under 512 MiB; those that find no hashing slot in time are told to come
// back (503 with Retry-After). Memory is what the Go runtime holds from the
// operating system and has not given back, sampled while the burst runs.
func TestSignInMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("200 sign-ins at once")
	}
	e := newTestEnv(t)
	const burst = 200
	const limit = 512 << 20
	browsers := make([]*browser, burst)
	for i := range browsers {
		browsers[i] = e.browser()
		browsers[i].csrf()
	}
	debug.FreeOSMemory() // what creating the test users hashed is not counted
	before := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(before)
	t.Logf("before the burst: %d MiB", (before[0].Value.Uint64()-before[1].Value.Uint64())>>20)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		var most uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			most = max(most, samples[0].Value.Uint64()-samples[1].Value.Uint64())
			select {
			case <-stop:
				peak <- most
				return
			case <-tick.C:
			}
		}
	}()
	statuses := make([]int, burst)
	retry := make([]string, burst)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, b := range browsers {
		wg.Go(func() {
			form := url.Values{"email": {fmt.Sprintf("guess%d@example.nhs.uk", i)}, "password": {"not the right one"}, "_csrf": {b.csrf()}}
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/sign-in", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// Believed from loopback (a proxy on this host): 200 clients.
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
			<-start
			p := b.do(req)
			statuses[i], retry[i] = p.Status, p.Header.Get("Retry-After")
		})
	}
	close(start)
	wg.Wait()
	close(stop)
	most := <-peak
	count := map[int]int{}
	for i, s := range statuses {
		count[s]++
		if s == http.StatusServiceUnavailable && retry[i] == "" {
			t.Errorf("503 without Retry-After")
		}
	}
	t.Logf("peak memory %d MiB; answers %v", most>>20, count)
	if most > limit {
		t.Errorf("peak memory %d MiB under %d concurrent sign-ins, want under %d MiB", most>>20, burst, limit>>20)
	}
	if count[http.StatusUnprocessableEntity] == 0 || count[http.StatusUnprocessableEntity]+count[http.StatusServiceUnavailable] != burst {
		t.Errorf("answers %v: want each password checked (422) or the client told to come back (503)", count)
	}
}

// Issue 15, 11: an IPv6 client can choose any address in its /64, so
// failures are counted against the /64.
func TestSignInThrottleKeysIPv6On64(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
	} {
		if got := throttleKey(tt.in); got != tt.want {
			t.Errorf("throttleKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	e := newTestEnv(t)
	attempt := func(email, from, pw string) int {
		b := e.browser()
		form := url.Values{"email": {email}, "password": {pw}, "_csrf": {b.csrf()}}
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		return b.do(req).Status
	}
	for i := range caseload.MaxFailuresPerAddress {
		attempt(fmt.Sprintf("guess%d@example.nhs.uk", i), fmt.Sprintf("2001:db8:1:2::%x", i+1), "not the right one")
	}
	if got := attempt(e.therapist.Email, "2001:db8:1:2::abcd", testPassword); got != http.StatusTooManyRequests {
		t.Errorf("a new address in the paused /64: %d, want 429", got)
	}
	if got := attempt(e.therapist.Email, "2001:db8:1:3::1", testPassword); got != http.StatusSeeOther {
		t.Errorf("another /64: %d, want signed in (303)", got)
	}
}
