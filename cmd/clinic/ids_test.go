package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"clinic/internal/dataset"
	"clinic/internal/demo"
)

// TestExportIDSCommand exports the demo service: every table is written
// with its columns, even when empty, with validation.csv and a one-line
// summary; a bad period is a usage error and writes nothing.
func TestExportIDSCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clinic.db")
	s, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out := filepath.Join(t.TempDir(), "ids")
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"export", "ids", "--from", "2000-01-01", "--to", "2099-12-31", "--out", out, "--db", db, "--org", "RX1"}, nil, &stdout, &stdout); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^IDS 2000-01-01 to 2099-12-31: \d+ referrals, \d+ contacts in 14 tables written to .+; \d+ validation problems \(validation.csv\)\n$`).MatchString(stdout.String()) {
		t.Errorf("summary %q", stdout.String())
	}
	for _, tb := range append(dataset.Tables(), dataset.Table{Name: "validation", Columns: dataset.ValidationColumns}) {
		f, err := os.Open(filepath.Join(out, tb.Name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) == 0 || !slices.Equal(rows[0], tb.Columns) {
			t.Errorf("%s: header %v (%v)", tb.Name, rows, err)
		}
		if tb.Name == "IDS101" && len(rows) < 10 {
			t.Errorf("IDS101 has %d rows for the demo service", len(rows)-1)
		}
	}
	err = run(context.Background(), []string{"export", "ids", "--from", "2026-02-30", "--to", "2026-03-01", "--out", filepath.Join(out, "bad"), "--db", db}, nil, &stdout, &stdout)
	if _, ok := err.(usageError); !ok {
		t.Errorf("bad period: %v, want a usage error", err)
	}
	if _, err := os.Stat(filepath.Join(out, "bad")); !os.IsNotExist(err) {
		t.Errorf("a refused export wrote %v", err)
	}
}
