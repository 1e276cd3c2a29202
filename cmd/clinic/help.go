package main

import (
	"context"
	"fmt"
	"io"

	"clinic/internal/caseload"
)

// helpText is what `clinic --help` prints: the server's flags and every
// sub-command, so that a newcomer finds `user add` without reading the code.
const helpText = `clinic: outcome measures for NHS Talking Therapies services.

Usage:
  clinic [--addr 127.0.0.1:8080] [--db clinic.db] [--demo]   serve the app
  clinic user add --email E --name N --role therapist|supervisor|admin [--team T] [--db F]
                                         add a staff account; the password is read from
                                         standard input (type it and press Enter)
  clinic token create --email E [--name N] [--db F]
                                         an API token for a staff account (90 days)
  clinic token list [--email E] [--db F] tokens, when last used, and whether they stand
  clinic token revoke --id N [--db F]    end a token at once
  clinic rebuild-summaries [--db F]      recompute every referral's outcome summary
  clinic backup --to FILE [--db F]       a consistent copy, while the server runs
  clinic restore --from FILE [--db F]    with the server stopped; keeps the old file
  clinic export ids --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--org CODE] [--db F]
                                         the month's data set (IDS v2.1) as one CSV per table,
                                         with validation.csv
  clinic import ids --dir DIR [--team NAME] [--dry-run] [--db F]
                                         read IDS CSV tables in, all or nothing; referrals
                                         without a known therapist join the team's waiting list
  clinic --help                          this text

Serving flags:
  --addr ADDR        address and port to listen on (env CLINIC_ADDR; default 127.0.0.1:8080)
  --db FILE          SQLite database file (env CLINIC_DB; default clinic.db)
  --demo             load a generated demo service into an empty database and print its sign-ins
  --tls-cert FILE    TLS certificate (serve HTTPS; cookies marked Secure)
  --tls-key FILE     TLS key
  --secure-cookies   mark cookies Secure (behind a TLS-terminating proxy)

First run on a new database: add the first administrator (type a password of
at least 10 characters and press Enter), then sign in with it:
  clinic user add --role admin --email you@example.nhs.uk --name "Your Name"
`

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

func printHelp(w io.Writer) error {
	_, err := fmt.Fprint(w, helpText)
	return err
}

// sayHowToAddAnAdmin prints, when the database has no enabled administrator
// (a new database started without --demo), how to add the first: otherwise
// the sign-in page is a door with no key.
func sayHowToAddAnAdmin(ctx context.Context, store *caseload.Store, dbPath string, w io.Writer) error {
	ok, err := store.HasAdmin(ctx)
	if err != nil || ok {
		return err
	}
	_, err = fmt.Fprintf(w, `%s has no administrator yet, so nobody can sign in. In another terminal, add one
(type a password of at least 10 characters and press Enter):
  clinic user add --db %s --role admin --email you@example.nhs.uk --name "Your Name"
(with "go run ./cmd/clinic" in place of "clinic" if the binary is not built). Or start with --demo on a new
--db to try a demo service. clinic --help lists every sub-command.
`, dbPath, dbPath)
	return err
}
