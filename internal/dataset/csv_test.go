package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteDirAndReadTable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ids")
	rows := map[string][][]string{"IDS101": {{"R1", "P1", "2026-01-05", "B1", "", "", "N", ""}}}
	if err := WriteDir(dir, rows, [][]string{{"IDS101", "R1", "EndCode", "Missing"}}); err != nil {
		t.Fatal(err)
	}
	for _, tb := range Tables() {
		got, err := ReadTable(dir, tb)
		if err != nil {
			t.Fatalf("%s: %v", tb.Name, err)
		}
		if len(got) != len(rows[tb.Name]) {
			t.Errorf("%s: %d rows, want %d", tb.Name, len(got), len(rows[tb.Name]))
		}
	}
	got, _ := ReadTable(dir, IDS101)
	want := []map[string]string{{"ServiceRequestId": "R1", "LocalPatientId": "P1", "ReferralRequestReceivedDate": "2026-01-05",
		"SourceOfReferralIAPT": "B1", "ServDischDate": "", "EndCode": "", "IAPTLTCServiceInd": "N", "PrevDiagCondInd": ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("IDS101 (-want +got):\n%s", diff)
	}
	// A row with the wrong number of values is refused when written and read.
	if err := WriteDir(dir, map[string][][]string{"IDS101": {{"R1"}}}, nil); err == nil {
		t.Error("a short row was written")
	}
	if err := os.WriteFile(filepath.Join(dir, "IDS202.csv"), []byte("CareActId,CareContactId\nA1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTable(dir, IDS202); err == nil {
		t.Error("a short row was read")
	}
	if err := os.WriteFile(filepath.Join(dir, "IDS202.csv"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTable(dir, IDS202); err == nil {
		t.Error("a file without a header was read")
	}
	if _, err := ReadTable(t.TempDir(), IDS202); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	// Columns in another order, and unknown ones, are read by name (an
	// mdb-export of an IDB).
	if err := os.WriteFile(filepath.Join(dir, "IDS202.csv"), []byte("Extra,CareContactId,CareActId\nx,C1,C1-A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadTable(dir, IDS202); err != nil || got[0]["CareActId"] != "C1-A" || got[0]["CareContactId"] != "C1" {
		t.Errorf("reordered columns: %v %v", got, err)
	}
}
