package ui

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"clinic/internal/caseload"
)

// Issue 15, 2: admins see patient users only as "patient user #N"; the
// outcome CSV an admin downloads names referrals by pseudonyms that change
// with each export; every CSV download is audited a row per referral.
func TestAdminsSeeNoPatientDetail(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Ann Example", "F41.1")
	r2 := e.referral(e.therapist, "Bob Example", "F32")
	tara := e.signedIn(e.therapist)
	code := e.inviteCode(tara, r)
	pb := e.browser()
	if p := pb.post("/invitation", acceptForm(code, patientDOB, "ann.private@example.org")); p.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d", p.Status)
	}
	res, _ := e.store.SearchAudit(ctx, caseload.AuditQuery{Action: caseload.AuditAcceptInvitation})
	if len(res.Entries) != 1 {
		t.Fatalf("accept rows: %+v", res.Entries)
	}
	patientUser := res.Entries[0].UserID
	admin := e.signedIn(e.admin)
	for _, path := range []string{"/admin/users", "/admin/audit", "/admin/audit?user=" + itoa(patientUser)} {
		p := admin.get(path)
		if p.Status != http.StatusOK || strings.Contains(p.Body, "ann.private") || strings.Contains(p.Body, "Ann Example") || !strings.Contains(p.Body, "patient user #"+itoa(patientUser)) {
			t.Errorf("%s: %d; want the patient only as patient user #%d", path, p.Status, patientUser)
		}
	}
	// The CSV: pseudonyms for the admin, new ones each time; ids for staff.
	csvIDs := func(b *browser) []string {
		t.Helper()
		p := b.get("/reports/outcomes.csv?" + url.Values{"from": {"2026-01-01"}, "to": {"2026-03-16"}}.Encode())
		if p.Status != http.StatusOK {
			t.Fatalf("CSV: %d", p.Status)
		}
		recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, rec := range recs[1:] {
			ids = append(ids, rec[0])
		}
		return ids
	}
	first, second := csvIDs(admin), csvIDs(admin)
	if len(first) != 2 || len(second) != 2 {
		t.Fatalf("admin CSV rows: %v %v", first, second)
	}
	for _, id := range append(first, second...) {
		if id == itoa(r.ID) || id == itoa(r2.ID) || !strings.HasPrefix(id, "X") {
			t.Errorf("admin's CSV names a referral %q: want a pseudonym", id)
		}
	}
	if first[0] == second[0] || first[0] == second[1] {
		t.Errorf("pseudonyms %v and %v: want new ones each export", first, second)
	}
	if ids := csvIDs(tara); strings.Join(ids, ",") != itoa(r.ID)+","+itoa(r2.ID) {
		t.Errorf("therapist's CSV ids %v", ids)
	}
	// One audit row per referral per download, each on its referral.
	rows, _ := e.store.SearchAudit(ctx, caseload.AuditQuery{Action: caseload.AuditDownload, UserID: e.admin.ID})
	if len(rows.Entries) != 4 {
		t.Fatalf("admin's download rows: %d, want 4 (2 downloads × 2 referrals)", len(rows.Entries))
	}
	for _, x := range rows.Entries {
		if x.Entity != "referral" || (x.EntityID != r.ID && x.EntityID != r2.ID) || x.PatientID == 0 {
			t.Errorf("download row %+v: want one per referral, with its patient", x)
		}
	}
}

// Issue 15, 1: an admin who makes a clinical account (for themselves or
// anyone) is seen by the team's supervisor, on the weekly review.
func TestSupervisorSeesNewAccounts(t *testing.T) {
	e := newTestEnv(t)
	admin := e.signedIn(e.admin)
	p := admin.post("/admin/users/new", url.Values{"email": {"ada.clinical@example.nhs.uk"}, "name": {"Ada Clinical"}, "role": {"therapist"}, "team": {"North"}, "password": {"lantern orchard pebble"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("add user: %d", p.Status)
	}
	page := e.signedIn(e.supervisor).get("/review")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Ada Clinical") || !strings.Contains(page.Body, "by Ada Admin") {
		t.Errorf("weekly review: %d; want the new account and who added it", page.Status)
	}
	if south := e.signedIn(e.user("sol@example.nhs.uk", "Sol South", caseload.RoleSupervisor, "South")).get("/review"); strings.Contains(south.Body, "Ada Clinical") {
		t.Errorf("another team's supervisor sees the account")
	}
}
