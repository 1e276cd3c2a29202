// Command clinic runs the clinic web app and its administrative sub-commands.
//
//	clinic [--addr A] [--db F] [--demo]          serve the app
//	clinic user add --email E --name N --role R [--team T] [--db F]
//	clinic token create --email E [--name N] [--db F]   a token for a member of staff, shown once
//	clinic token list [--email E] [--db F]
//	clinic token revoke --id N [--db F]                  the token answers 401 at once
//	clinic rebuild-summaries [--db F]
//	clinic backup --to FILE [--db F]               a consistent copy, while the server runs
//	clinic restore --from FILE [--db F]            with the server stopped; keeps the old file
//	clinic export ids --from D --to D --out DIR [--org CODE] [--db F]   the monthly data set (IDS) CSVs
//	clinic import ids --dir DIR [--dry-run] [--db F]                     read IDS CSVs in, all or nothing
//	clinic --help                                  the above, with the flags (help.go)
//
// Flags fall back to the CLINIC_ADDR and CLINIC_DB environment variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"clinic"
	"clinic/internal/caseload"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "clinic:", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError marks a mistake in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch {
		case isHelp(args[0]):
			return printHelp(stdout)
		}
		switch args[0] {
		case "user":
			if len(args) < 2 || args[1] != "add" {
				return usageError{"usage: clinic user add --email E --name N --role therapist|supervisor|admin [--team T] [--db F]"}
			}
			return runUserAdd(ctx, args[2:], stdin, stdout)
		case "token":
			return runToken(ctx, args[1:], stdout)
		case "rebuild-summaries":
			return runRebuild(ctx, args[1:], stdout)
		case "backup":
			return runBackup(ctx, args[1:], stdout)
		case "restore":
			return runRestore(ctx, args[1:], stdout)
		case "export":
			if len(args) < 2 || args[1] != "ids" {
				return usageError{"usage: clinic export ids --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--org CODE] [--db F]"}
			}
			return runExportIDS(ctx, args[2:], stdout)
		case "import":
			if len(args) < 2 || args[1] != "ids" {
				return usageError{"usage: clinic import ids --dir DIR [--dry-run] [--db F]"}
			}
			return runImportIDS(ctx, args[2:], stdout)
		}
	}
	return runServe(ctx, args, stdout, stderr)
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// dbFlag adds the --db flag every sub-command shares.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("CLINIC_DB", "clinic.db"), "SQLite database file (env CLINIC_DB)")
}

func openStore(path string) (*caseload.Store, error) {
	s, err := caseload.Open(path, clinic.Schema, func() time.Time { return time.Now().UTC() })
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return s, nil
}

// parseFlags parses a sub-command's flags, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError{"usage of " + fs.Name() + ":\n" + flagUsage(fs)}
		}
		return usageError{err.Error() + "\nusage of " + fs.Name() + ":\n" + flagUsage(fs)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func flagUsage(fs *flag.FlagSet) string {
	var out string
	fs.VisitAll(func(f *flag.Flag) {
		out += fmt.Sprintf("  --%s\t%s (default %q)\n", f.Name, f.Usage, f.DefValue)
	})
	return out
}
