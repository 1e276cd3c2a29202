package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"clinic/internal/caseload"
	"clinic/internal/demo"
	"clinic/ui"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clinic", flag.ContinueOnError)
	addr := fs.String("addr", envOr("CLINIC_ADDR", "127.0.0.1:8080"), "address to listen on (env CLINIC_ADDR)")
	dbPath := dbFlag(fs)
	loadDemo := fs.Bool("demo", false, "load a generated demo service into an empty database and print its sign-ins")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (serve HTTPS; cookies marked Secure)")
	tlsKey := fs.String("tls-key", "", "TLS key file")
	secureCookies := fs.Bool("secure-cookies", false, "mark cookies Secure (behind a TLS-terminating proxy)")
	baseURL := fs.String("base-url", envOr("CLINIC_BASE_URL", ""), "the address patients reach clinic at, for invitation links, e.g. https://clinic.example.nhs.uk (env CLINIC_BASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageError{"--tls-cert and --tls-key go together"}
	}

	tuneGC(os.Getenv)
	tuneProcs(os.Getenv)
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	warnIfExposed(logger, *dbPath)
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	if *loadDemo {
		d, err := demo.Load(ctx, store)
		if err != nil && !errors.Is(err, demo.ErrNotEmpty) {
			return fmt.Errorf("load demo data: %w", err)
		}
		if errors.Is(err, demo.ErrNotEmpty) {
			fmt.Fprintf(stdout, "%s already has data: demo data not loaded (use a new --db to see the demo).\n", *dbPath)
		} else {
			fmt.Fprintln(stdout, "Demo service loaded. Sign in with:")
			for _, a := range d.Accounts {
				fmt.Fprintf(stdout, "  %-10s %-32s password: %s\n", a.Role, a.Email, a.Password)
			}
		}
	}

	if err := sayHowToAddAnAdmin(ctx, store, *dbPath, stdout); err != nil {
		return err
	}

	go warmCurves(ctx, store, logger)
	srv, err := ui.New(store, ui.Options{
		SecureCookies: *secureCookies || *tlsCert != "",
		Logger:        logger,
		BaseURL:       *baseURL,
	})
	if err != nil {
		return fmt.Errorf("start web server: %w", err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "clinic is running at %s://%s/ (database %s). Press Ctrl+C to stop.\n", scheme, ln.Addr(), *dbPath)

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- hs.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Let requests in flight finish, so that a write the client is waiting on
	// is either answered or never started.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	fmt.Fprintln(stdout, "clinic: shutting down")
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	ct := store.CommitTimes()
	logger.Info("commits while serving", "commits", ct.Commits, "slow", ct.Slow, "slow_from", caseload.SlowCommit, "longest", ct.Longest)
	return nil
}

// warnIfExposed warns when the database, or its WAL or shared-memory file,
// can be read by the file's group or by everyone (issue 15): it holds
// patients' records. clinic makes new files 0600; an older or copied file
// may not be.
func warnIfExposed(logger *slog.Logger, dbPath string) {
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		if exposed, mode, err := caseload.Exposed(p); err == nil && exposed {
			logger.Warn("the database file can be read by other users of this machine: chmod 600 it", "file", p, "mode", mode.String())
		}
	}
}

// warmCurves folds the finished courses queued since the last run into the
// stored expected-response cells (all of them once, after the schema step
// that added the cells) and builds the curves from the cells as the server
// starts, so that the first page needing them does not (issue 17).
func warmCurves(ctx context.Context, store *caseload.Store, logger *slog.Logger) {
	start := time.Now()
	if err := store.FoldExpectation(ctx); err != nil {
		logger.Warn("fold the expected-response cells at start", "err", err)
	}
	if _, err := store.Expectation(ctx); err != nil {
		logger.Warn("build the expected-response curves at start", "err", err)
		return
	}
	logger.Info("built the expected-response curves", "took", time.Since(start).Round(time.Millisecond))
}
