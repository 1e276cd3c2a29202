package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
)

// runExportIDS writes the monthly NHS Talking Therapies data set
// submission: one CSV per IDS table and validation.csv (issue 12).
func runExportIDS(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic export ids", flag.ContinueOnError)
	from := fs.String("from", "", "first day of the reporting period, YYYY-MM-DD")
	to := fs.String("to", "", "last day of the reporting period, YYYY-MM-DD")
	out := fs.String("out", "", "directory to write the CSV files to (created if need be)")
	org := fs.String("org", envOr("CLINIC_ORG", ""), "the provider's ODS organisation code, for IDS000 (env CLINIC_ORG)")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *out == "" {
		return usageError{"usage: clinic export ids --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--org CODE] [--db F]"}
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	x, err := store.ExportIDS(ctx, *from, *to, caseload.IDSHeader{ProviderOrg: *org, SubmittingOrg: *org,
		CreatedAt: time.Now().UTC().Format("2006-01-02T15:04:05")})
	if err != nil {
		return describe(err)
	}
	if err := dataset.WriteDir(*out, x.Tables, problemRows(x.Problems)); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "IDS %s to %s: %d referrals, %d contacts in %d tables written to %s; %d validation problems (validation.csv)\n",
		x.From, x.To, x.Referrals, x.Contacts, len(dataset.Tables()), *out, len(x.Problems))
	return nil
}

// problemRows are the rows of validation.csv.
func problemRows(ps []caseload.DatasetProblem) [][]string {
	rows := make([][]string, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, []string{p.Table, p.RecordID, p.Field, p.Problem})
	}
	return rows
}

// runImportIDS reads IDS tables (CSV files named after the tables, as an
// IDB's tables export with mdb-export) into the database, all or nothing.
func runImportIDS(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic import ids", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory holding IDS001.csv, IDS101.csv, ...")
	dryRun := fs.Bool("dry-run", false, "report what would be added and refused, and keep nothing")
	team := fs.String("team", "", "the team whose waiting list referrals without a known therapist join (default: the service's only team)")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"usage: clinic import ids --dir DIR [--team NAME] [--dry-run] [--db F]"}
	}
	tables := map[string][]map[string]string{}
	for _, t := range dataset.Tables() {
		rows, err := dataset.ReadTable(*dir, t)
		if errors.Is(err, os.ErrNotExist) {
			if t.Name == "IDS001" || t.Name == "IDS101" {
				return usageError{fmt.Sprintf("%s has no %s.csv", *dir, t.Name)}
			}
			continue // an absent table has no rows
		}
		if err != nil {
			return err
		}
		tables[t.Name] = rows
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	admin, err := firstAdmin(ctx, store)
	if err != nil {
		return err
	}
	teamID, err := teamNamed(ctx, store, *team)
	if err != nil {
		return err
	}
	rep, err := store.ImportIDS(ctx, admin, tables, caseload.IDSImportOptions{DryRun: *dryRun, TeamID: teamID})
	if err != nil {
		return err
	}
	verb := "added"
	switch {
	case rep.DryRun:
		verb = "would add (dry run, nothing kept)"
	case !rep.Kept:
		verb = "refused rows, so nothing was kept; it would add"
	}
	fmt.Fprintf(stdout, "IDS import %s: %d patients, %d referrals (%d unallocated, waiting), %d contacts, %d scores; %d already imported; %d refused\n",
		verb, rep.Patients, rep.Referrals, rep.Unallocated, rep.Contacts, rep.Scores, rep.AlreadyThere, len(rep.Refused))
	for _, p := range rep.Refused {
		fmt.Fprintf(stdout, "refused %s %s %s: %s\n", p.Table, p.RecordID, p.Field, p.Problem)
	}
	for _, p := range rep.Skipped {
		fmt.Fprintf(stdout, "skipped %s %s %s: %s\n", p.Table, p.RecordID, p.Field, p.Problem)
	}
	if !rep.DryRun && !rep.Kept {
		return fmt.Errorf("import refused %d rows: nothing was imported", len(rep.Refused))
	}
	return nil
}

// firstAdmin is the administrator an import is recorded as: the first
// active one.
func firstAdmin(ctx context.Context, s *caseload.Store) (caseload.User, error) {
	users, err := s.Users(ctx)
	if err != nil {
		return caseload.User{}, err
	}
	for _, u := range users {
		if u.Role == caseload.RoleAdmin && !u.Disabled {
			return u, nil
		}
	}
	return caseload.User{}, usageError{"the database has no active admin to record the import as: add one with clinic user add --role admin"}
}

// teamNamed is the id of the team with this name (any case), 0 for "".
func teamNamed(ctx context.Context, s *caseload.Store, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, t := range teams {
		if strings.EqualFold(strings.TrimSpace(name), t.Name) {
			return t.ID, nil
		}
		names = append(names, t.Name)
	}
	return 0, usageError{fmt.Sprintf("no team is called %q; the teams are: %s", name, strings.Join(names, ", "))}
}
