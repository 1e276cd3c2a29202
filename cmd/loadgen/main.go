// Command loadgen measures the real clinic server under load (issue 17).
//
//	go run ./cmd/loadgen [--referrals 100000] [--concurrency 16] [--duration 20s]
//	                     [--requests N] [--mix save=40,read=40,trivial=10,caseload=5,review=3,report=2]
//
// It builds (or reuses, cached in the temp folder) a synthetic service of the
// given size with caseload.LoadSynthetic, copies it, builds the server binary
// (cmd/clinic) and starts it on a loopback port, then drives a mix of
// requests from --concurrency clients for --duration (or --requests in all,
// whichever ends first): sessions saved through the API, referrals read
// through the API, the caseload and weekly review pages, a year's outcome
// report through the API, and the trivial sign-in page as the baseline in the
// same run. It prints p50/p90/p99 and throughput per kind of request, and the
// server's peak memory (VmHWM). It only ever talks to the server it started,
// on 127.0.0.1. See docs/performance.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
		os.Exit(2)
	}
}

// Bounds on a run, so that a mistyped flag cannot run away with a shared
// machine.
const (
	maxConcurrency = 256
	maxDuration    = 10 * time.Minute
	maxReferrals   = 2_000_000
)

type config struct {
	referrals   int
	concurrency int
	duration    time.Duration
	requests    int
	mix         mix
	keep        bool
	build       bool
	diskProbe   bool
	national    bool // national.go
	rounds      int
	dropCaches  bool
	steps       []step // with --national: the steps to time (--only)
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVar(&c.referrals, "referrals", 100_000, "size of the synthetic service (referrals; 7 contacts each)")
	fs.IntVar(&c.concurrency, "concurrency", 16, "clients sending requests at once")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long to drive the server (at most 10m)")
	fs.IntVar(&c.requests, "requests", 0, "stop after this many requests in all (0: only --duration bounds the run)")
	mixFlag := fs.String("mix", defaultMix, "relative weights of the kinds of request: "+kindNames())
	fs.BoolVar(&c.keep, "keep", false, "keep the run's folder (database copy, server log) and print its path")
	fs.BoolVar(&c.national, "national", false, "time the national-year requests one at a time on fresh servers (national.go) instead of driving a load")
	fs.IntVar(&c.rounds, "rounds", 2, "with --national: how many fresh servers to time them on")
	fs.BoolVar(&c.dropCaches, "drop-caches", false, "with --national: drop the OS page cache before each server starts (root only)")
	only := fs.String("only", "", "with --national: time only the steps whose names start with these words, comma-separated (such as review or report), beside the trivial page")
	fs.BoolVar(&c.diskProbe, "disk-probe", false, "only time fsyncs of small overwrites in the temporary folder for --duration, with the cores idle and then all busy (diskprobe.go), and exit")
	fs.BoolVar(&c.build, "build-only", false, "only build (or find) the cached synthetic service, print its path and how long that took, and exit")
	err := fs.Parse(args)
	if err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case c.referrals < 1 || c.referrals > maxReferrals:
		return c, fmt.Errorf("--referrals must be 1–%d", maxReferrals)
	case c.concurrency < 1 || c.concurrency > maxConcurrency:
		return c, fmt.Errorf("--concurrency must be 1–%d", maxConcurrency)
	case c.duration <= 0 || c.duration > maxDuration:
		return c, fmt.Errorf("--duration must be over 0 and at most %v", maxDuration)
	case c.rounds < 1 || c.rounds > 10:
		return c, errors.New("--rounds must be 1–10")
	case c.requests < 0:
		return c, errors.New("--requests must not be negative")
	}
	if c.steps, err = nationalStepsOnly(*only); err != nil {
		return c, fmt.Errorf("--only: %w", err)
	}
	m, err := parseMix(*mixFlag)
	if err != nil {
		return c, fmt.Errorf("--mix: %w", err)
	}
	c.mix = m
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	if cfg.diskProbe {
		return probeDisk(ctx, probeDir(), cfg.duration, stdout)
	}
	if cfg.build {
		start := time.Now()
		path, err := syntheticDB(syntheticConfig(cfg.referrals))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%v)\n", path, time.Since(start).Round(time.Second))
		return nil
	}
	if cfg.national {
		return runNational(ctx, cfg, stdout, stderr)
	}
	dir, err := os.MkdirTemp("", "clinic-loadgen-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(stderr, "run folder:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintf(stderr, "preparing a service of %d referrals…\n", cfg.referrals)
	fx, err := prepareFixture(ctx, cfg.referrals, dir)
	if err != nil {
		return fmt.Errorf("fixture: %w", err)
	}
	srv, err := startServer(ctx, dir, fx.db)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer srv.stop()
	clients, err := newClients(ctx, srv.base, fx, cfg.concurrency)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	fmt.Fprintf(stderr, "driving %s with %d clients for %v…\n", srv.base, cfg.concurrency, cfg.duration)
	srvCPU0, srvErr0 := srv.cpuTime()
	toolCPU0 := selfCPU()
	machine0, machineErr0 := machineTicks()
	res, err := drive(ctx, cfg, clients)
	if err != nil {
		return err
	}
	res.toolCPU = selfCPU() - toolCPU0
	if machine1, machineErr1 := machineTicks(); machineErr0 == nil && machineErr1 == nil {
		res.machine = machineShares(machine0, machine1)
	}
	srvCPU1, srvErr1 := srv.cpuTime()
	if srvErr0 == nil && srvErr1 == nil {
		res.serverCPU = srvCPU1 - srvCPU0
	}
	hwm, hwmErr := srv.vmHWM()
	srv.stop()
	res.commits = srv.commits()
	printResults(stdout, cfg, res, hwm, hwmErr, srv.errorLines())
	if res.failed > 0 {
		return fmt.Errorf("%d requests failed (first: %s)", res.failed, res.firstFailure)
	}
	return nil
}
