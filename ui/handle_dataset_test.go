package ui

import (
	"archive/zip"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
)

// TestDatasetPage: the admin checks a month, sees its validation problems
// linked to the records, downloads the CSV files (audited) and sets a
// therapist's qualification, which clears that problem.
func TestDatasetPage(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Val Idation", "F41.1") // received 2026-01-05
	if _, err := e.store.RecordContact(context.Background(), e.therapist, r.ID, caseload.NewContact{Date: "2026-02-02", Kind: "assessment", Attendance: "attended"}); err != nil {
		t.Fatal(err)
	}
	b := e.signedIn(e.admin)
	// The month is typed in the two boxes of the date pattern, last month's
	// by default (the test clock is in March 2026).
	if p := b.get("/admin/dataset"); p.Status != 200 || !strings.Contains(p.Body, `name="month_month" type="text" value="2"`) ||
		!strings.Contains(p.Body, `name="month_year" type="text" value="2026"`) {
		t.Fatalf("page: %d", p.Status)
	}
	if p := b.get("/admin/dataset?month=2026-13"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "The month must be a month as YYYY-MM") {
		t.Errorf("bad month: %d", p.Status)
	}
	for _, bad := range []struct{ month, year, want string }{
		{"13", "2026", "type the month as a number from 1 to 12, or its name"},
		{"2", "26", "The year of the month must include 4 numbers"},
		{"2", "", "The month must include a year"},
	} {
		p := b.get("/admin/dataset?month_month=" + bad.month + "&month_year=" + bad.year)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, bad.want) || !strings.Contains(p.Body, `value="`+bad.month+`"`) {
			t.Errorf("month %q year %q: %d, want %q and the boxes kept", bad.month, bad.year, p.Status, bad.want)
		}
	}
	if p := b.get("/admin/dataset?month_month=Feb&month_year=2026"); p.Status != 200 || !strings.Contains(p.Body, "/admin/dataset/download?month=2026-02") {
		t.Errorf("month typed as Feb 2026: %d", p.Status)
	}
	p := b.get("/admin/dataset?month=2026-02")
	ref := "/referrals/" + strconv.FormatInt(r.ID, 10)
	for _, want := range []string{`href="` + ref + `/demographics">P`, `href="` + ref + `">R`, "SourceOfReferralIAPT", "ConsMechanism",
		`href="/admin/qualifications">U`, "QualAttainLevelIAPT"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	dl := b.get("/admin/dataset/download?month=2026-02")
	if dl.Status != 200 || dl.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", dl.Status, dl.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(strings.NewReader(dl.Body), int64(len(dl.Body)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(dataset.Tables())+1 || zr.File[0].Name != "IDS000.csv" || zr.File[len(zr.File)-1].Name != "validation.csv" {
		t.Errorf("zip holds %d files", len(zr.File))
	}
	audit, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditDownload})
	if err != nil || len(audit.Entries) == 0 || !strings.Contains(audit.Entries[0].Detail, "IDS 2026-02-01 to 2026-02-28") {
		t.Errorf("download not audited: %+v %v", audit, err)
	}

	if q := b.post("/admin/users/"+strconv.FormatInt(e.therapist.ID, 10)+"/qualification", url.Values{"qualification": {"99"}}); q.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad qualification: %d", q.Status)
	}
	if q := b.post("/admin/users/"+strconv.FormatInt(e.therapist.ID, 10)+"/qualification", url.Values{"qualification": {"11"}}); q.Status != http.StatusSeeOther {
		t.Fatalf("qualification: %d", q.Status)
	}
	if q := b.get("/admin/qualifications"); !strings.Contains(q.Body, `<option value="11" selected>`) {
		t.Error("qualification not shown")
	}
	if p := b.get("/admin/dataset?month=2026-02"); strings.Contains(p.Body, "QualAttainLevelIAPT") {
		t.Error("the qualification problem is still listed")
	}
}
