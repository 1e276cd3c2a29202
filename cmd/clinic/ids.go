package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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
