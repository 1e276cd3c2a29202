package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
)

func receiveForm(name, nhs, team string) url.Values {
	return url.Values{"name": {name}, "date_of_birth": {"1984-03-27"}, "nhs_number": {nhs}, "ethnic_category": {"A"},
		"received_on": {"2026-03-09"}, "problem_descriptor": {"F41.1"}, "intensity": {"low"}, "source_of_referral": {"B1"}, "team_id": {team}}
}

// TestReceiveReferral: a supervisor receives a new patient's referral
// onto North's waiting list through the form (bad input keeps what was
// typed; another team's list is refused); an admin receives one onto
// South's, and sees no record afterwards; a patient already on record is
// refused until the receiver says it is the same person, and the referral
// then joins their record.
func TestReceiveReferral(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	teams, err := e.store.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	teamID := map[string]string{}
	for _, tm := range teams {
		teamID[tm.Name] = itoa(tm.ID)
	}
	sue := e.signedIn(e.supervisor)
	form := sue.get("/referrals/receive")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `name="team_id"`) || strings.Contains(form.Body, ">South<") ||
		!strings.Contains(form.Body, `value="`+teamID["North"]+`" selected`) {
		t.Fatalf("Sue's receive form: %d, teams offered wrong", form.Status)
	}
	bad := receiveForm("Rae Ceived", "", teamID["North"])
	bad.Set("date_of_birth", "1984-13-40")
	bad.Set("intensity", "")
	p := sue.post("/referrals/receive", bad)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `value="Rae Ceived"`) || !strings.Contains(p.Body, "Select low or high intensity") {
		t.Errorf("bad input: %d, or what was typed is lost", p.Status)
	}
	if p := sue.post("/referrals/receive", receiveForm("Rae Ceived", "", teamID["South"])); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Choose the team whose waiting list the referral joins") {
		t.Errorf("receiving onto another team's list: %d", p.Status)
	}
	p = sue.post("/referrals/receive", receiveForm("Rae Ceived", "943 476 5919", teamID["North"]))
	if p.Status != http.StatusSeeOther || p.Location != "/waiting?done=received" {
		t.Fatalf("receive: %d %q %s", p.Status, p.Location, errorSummaryText(p.Body))
	}
	if w := sue.get(p.Location); !strings.Contains(w.Body, "Rae Ceived") || !strings.Contains(w.Body, "Referral received") {
		t.Errorf("the waiting list lacks the received referral or its notice")
	}

	ada := e.signedIn(e.admin)
	p = ada.post("/referrals/receive", receiveForm("Al Lone", "", teamID["South"]))
	if p.Status != http.StatusSeeOther || p.Location != "/referrals/receive?done=received" {
		t.Fatalf("admin receive: %d %q %s", p.Status, p.Location, errorSummaryText(p.Body))
	}
	if f := ada.get(p.Location); !strings.Contains(f.Body, "Referral received") {
		t.Errorf("the admin's form does not say the referral was received")
	}
	sol := e.user("sol@example.nhs.uk", "Sol South-Supervisor", caseload.RoleSupervisor, "South")
	south, err := e.store.WaitingList(ctx, sol.Teams)
	if err != nil || len(south) != 1 || south[0].Referral.PatientName != "Al Lone" || south[0].Referral.TherapistID != e.admin.ID {
		t.Fatalf("South's waiting list: %+v %v", south, err)
	}
	if r := ada.get(referralPath(south[0].Referral.ID)); r.Status == http.StatusOK {
		t.Errorf("the admin opened the referral she received: %d", r.Status)
	}

	// The same NHS number again: refused, keeping what was typed, until
	// the admin says it is the same person.
	again := receiveForm("Rae Ceived", "9434765919", teamID["North"])
	p = ada.post("/referrals/receive", again)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `name="existing"`) || !strings.Contains(p.Body, "already on record") {
		t.Fatalf("a patient already on record: %d", p.Status)
	}
	again.Set("existing", "yes")
	if p := ada.post("/referrals/receive", again); p.Status != http.StatusSeeOther {
		t.Fatalf("add to the existing record: %d %s", p.Status, errorSummaryText(p.Body))
	}
	north, err := e.store.WaitingList(ctx, e.supervisor.Teams)
	if err != nil || len(north) != 2 || north[0].Referral.PatientID != north[1].Referral.PatientID {
		t.Errorf("North's waiting list: two referrals of one patient wanted: %+v %v", north, err)
	}
	audit, err := e.store.SearchAudit(ctx, caseload.AuditQuery{Action: caseload.AuditCreateReferral})
	if err != nil {
		t.Fatal(err)
	}
	by := map[int64]int{}
	for _, a := range audit.Entries {
		by[a.UserID]++
	}
	if by[e.supervisor.ID] != 1 || by[e.admin.ID] != 2 {
		t.Errorf("referrals audited by receiver: %v", by)
	}
}

// importWithCareProf imports one patient and referral whose one contact
// was with the source system's care professional prof, unknown here, onto
// the team's waiting list.
func importWithCareProf(t *testing.T, e *testEnv, prof string, team int64) {
	t.Helper()
	appType, _ := dataset.CodeOf(dataset.Purposes, "treatment")
	attend, _ := dataset.AttendanceCode("attended")
	tables := map[string][]map[string]string{
		"IDS001": {{"LocalPatientId": "P9", "PersonBirthDate": "1970-01-01"}},
		"IDS101": {{"ServiceRequestId": "R9", "LocalPatientId": "P9", "ReferralRequestReceivedDate": "2026-01-10"}},
		"IDS201": {{"CareContactId": "C9", "ServiceRequestId": "R9", "CareContDate": "2026-01-20", "AppType": appType, "AttendOrDNACode": attend, "CareProfLocalId": prof}},
		"IDS902": {{"CareProfLocalId": prof}},
	}
	rep, err := e.store.ImportIDS(context.Background(), e.admin, tables, caseload.IDSImportOptions{TeamID: team})
	if err != nil || !rep.Kept || rep.Unallocated != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
}

// TestCareProfessionalsPage: an admin sees the source system's care
// professional with its counts, maps it to Tara and allocates its waiting
// referral to her in one step, audited; a wrong choice is said on the row.
func TestCareProfessionalsPage(t *testing.T) {
	e := newTestEnv(t)
	importWithCareProf(t, e, "EXT7", e.therapist.TeamID)
	ada := e.signedIn(e.admin)
	p := ada.get("/admin/care-professionals")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `data-care-prof="EXT7"`) || !strings.Contains(p.Body, "Allocate its 1 unallocated referrals") {
		t.Fatalf("the page: %d", p.Status)
	}
	if p := ada.post("/admin/care-professionals", url.Values{"local_id": {"EXT7"}, "user_id": {itoa(e.supervisor.ID)}, "allocate": {"yes"}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Choose a therapist (this user is not one)") {
		t.Errorf("mapping to a supervisor: %d", p.Status)
	}
	if p := ada.post("/admin/care-professionals", url.Values{"local_id": {"NOPE"}, "user_id": {itoa(e.therapist.ID)}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("mapping an id no record names: %d", p.Status)
	}
	p = ada.post("/admin/care-professionals", url.Values{"local_id": {"EXT7"}, "user_id": {itoa(e.therapist.ID)}, "allocate": {"yes"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("map: %d %s", p.Status, errorSummaryText(p.Body))
	}
	if p := ada.get(p.Location); !strings.Contains(p.Body, "1 referrals allocated") {
		t.Errorf("no notice of the allocation")
	}
	if p := e.signedIn(e.therapist).get("/"); !strings.Contains(p.Body, "Imported patient P9") {
		t.Errorf("the imported referral is not on Tara's caseload")
	}
	audit, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditMapCareProfessional})
	if err != nil || len(audit.Entries) != 1 || audit.Entries[0].UserID != e.admin.ID {
		t.Errorf("mapping audited: %+v %v", audit.Entries, err)
	}
}
