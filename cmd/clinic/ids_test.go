package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"clinic/internal/caseload"
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

// TestImportIDSRoundTrip: the demo service exported, imported into an
// empty database and exported again gives the same rows in every table
// (apart from the header's creation time); importing the same files again
// adds nothing; a dry run keeps nothing.
func TestImportIDSRoundTrip(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db1, db2 := filepath.Join(tmp, "one.db"), filepath.Join(tmp, "two.db")
	s, err := openStore(db1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = openStore(db2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, caseload.NewUser{Email: "ada@example.nhs.uk", Name: "Ada Admin", Role: caseload.RoleAdmin, Password: "a long pass phrase"}); err != nil {
		t.Fatal(err)
	}
	// Two teams: the import is told which one's waiting list the
	// referrals join, since none of the demo's therapists is known here.
	for _, team := range []string{"North", "Imported"} {
		if _, err := s.CreateUser(ctx, caseload.NewUser{Email: strings.ToLower(team) + "@example.nhs.uk", Name: team + " Supervisor",
			Role: caseload.RoleSupervisor, Team: team, Password: "a long pass phrase"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	export := func(db, out string) {
		t.Helper()
		var o bytes.Buffer
		if err := run(ctx, []string{"export", "ids", "--from", "2000-01-01", "--to", "2099-12-31", "--out", out, "--db", db, "--org", "RX1"}, nil, &o, &o); err != nil {
			t.Fatal(err)
		}
	}
	imp := func(args ...string) string {
		t.Helper()
		var o bytes.Buffer
		if err := run(ctx, append([]string{"import", "ids", "--db", db2}, args...), nil, &o, &o); err != nil {
			t.Fatal(err)
		}
		return o.String()
	}
	one, two := filepath.Join(tmp, "one"), filepath.Join(tmp, "two")
	export(db1, one)

	var o bytes.Buffer
	err = run(ctx, []string{"import", "ids", "--db", db2, "--dir", one}, nil, &o, &o)
	if err == nil || !strings.Contains(o.String(), "name the team whose waiting list it joins (--team)") {
		t.Errorf("import with two teams and no --team: %v\n%s", err, o.String())
	}
	if err := run(ctx, []string{"import", "ids", "--db", db2, "--dir", one, "--team", "Nowhere"}, nil, &o, &o); err == nil || !strings.Contains(err.Error(), "North") {
		t.Errorf("import into an unknown team: %v", err)
	}
	dry := imp("--dir", one, "--dry-run", "--team", "imported")
	if !strings.Contains(dry, "would add (dry run, nothing kept)") || strings.Contains(dry, " 0 referrals") {
		t.Errorf("dry run: %s", dry)
	}
	first := imp("--dir", one, "--team", "imported")
	m := regexp.MustCompile(`^IDS import added: \d+ patients, (\d+) referrals \((\d+) unallocated, waiting\), \d+ contacts, \d+ scores; 0 already imported; 0 refused\n$`).FindStringSubmatch(first)
	if m == nil || m[1] != m[2] {
		t.Errorf("first import (every referral unallocated, no therapist being known): %s", first)
	}
	checkImportWaiting(t, db2, "Imported")
	t.Log(first)
	again := imp("--dir", one, "--team", "Imported")
	t.Log(again)
	if !regexp.MustCompile(`^IDS import added: 0 patients, 0 referrals \(0 unallocated, waiting\), 0 contacts, 0 scores; [1-9]\d* already imported; 0 refused\n$`).MatchString(again) {
		t.Errorf("second import: %s", again)
	}
	export(db2, two)
	for _, tb := range dataset.Tables() {
		a, b := readRows(t, filepath.Join(one, tb.Name+".csv")), readRows(t, filepath.Join(two, tb.Name+".csv"))
		if tb.Name == "IDS000" {
			i := tb.Index("DateTimeDatSetCreate")
			a[1][i], b[1][i] = "", ""
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s differs after the round trip (-first +second):\n%s", tb.Name, diff)
		}
	}
	if rows := readRows(t, filepath.Join(one, "IDS201.csv")); len(rows) < 100 {
		t.Errorf("the demo exported only %d contacts", len(rows)-1)
	}
	checkDemoDataset(t, one)
}

// checkImportWaiting fails unless every open referral imported into db
// waits on the team's waiting list, and no other team holds any.
func checkImportWaiting(t *testing.T, db, team string) {
	t.Helper()
	s, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	teams, err := s.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		waiting, err := s.WaitingList(ctx, []int64{tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		if tm.Name == team && len(waiting) < 5 || tm.Name != team && len(waiting) != 0 {
			t.Errorf("team %s has %d referrals waiting", tm.Name, len(waiting))
		}
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 3 {
		t.Errorf("the import added users: %v", users)
	}
}

// checkDemoDataset fails unless the demo's export in dir carries the data
// set's own fields, so that the round trip compares them and not only
// empty columns: each column named has a value in at least a fifth of its
// table's rows.
func checkDemoDataset(t *testing.T, dir string) {
	t.Helper()
	for _, c := range []struct{ table, column string }{
		{"IDS001", "EthnicCategory"}, {"IDS001", "GenderIdentity"}, {"IDS001", "Postcode"}, {"IDS001", "LanguageCodePreferred"},
		{"IDS002", "GMPCodeReg"}, {"IDS004", "EmployStatus"}, {"IDS007", "DisabilityCode"}, {"IDS602", "LongTermConditionCode"},
		{"IDS101", "SourceOfReferralIAPT"}, {"IDS101", "EndCode"},
		{"IDS201", "ConsMechanism"}, {"IDS201", "ClinContDurOfCareCont"}, {"IDS202", "CodeProcAndProcStatus"},
		{"IDS902", "QualAttainLevelIAPT"},
	} {
		var tb dataset.Table
		for _, x := range dataset.Tables() {
			if x.Name == c.table {
				tb = x
			}
		}
		i := tb.Index(c.column)
		if i < 0 {
			t.Fatalf("no column %s.%s", c.table, c.column)
		}
		rows := readRows(t, filepath.Join(dir, c.table+".csv"))
		filled := 0
		for _, r := range rows[1:] {
			if r[i] != "" {
				filled++
			}
		}
		if len(rows) < 2 || filled*5 < len(rows)-1 {
			t.Errorf("%s.%s has a value in %d of %d rows of the demo's export", c.table, c.column, filled, len(rows)-1)
		}
	}
}

func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
