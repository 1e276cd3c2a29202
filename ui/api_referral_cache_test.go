package ui

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"testing"

	"clinic"
	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// getReferral reads the API's referral with tok and returns its status and
// body.
func (e *testEnv) getReferral(id int64, tok string) (int, map[string]any) {
	e.t.Helper()
	status, body, _ := e.api("GET", fmt.Sprintf("/api/v1/referrals/%d", id), tok, "")
	return status, body
}

// contactsOf is the contacts of an API referral, and how many scores they
// carry between them.
func contactsOf(body map[string]any) (contacts, scores int) {
	cs, _ := body["contacts"].([]any)
	for _, c := range cs {
		ss, _ := c.(map[string]any)["scores"].([]any)
		scores += len(ss)
	}
	return len(cs), scores
}

// The API's referral is kept encoded between writes (issue 17): every kind of
// write that changes what it shows or who may see it shows at once in the
// next read, read twice each time so that the second is the kept answer.
func TestAPIReferralKeptShowsEveryChange(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	tok := e.token(e.therapist)
	r := e.referral(e.therapist, "Kim Kept", "F410")
	both := func(what string, check func(status int, body map[string]any) error) {
		t.Helper()
		for i := range 2 {
			status, body := e.getReferral(r.ID, tok)
			if err := check(status, body); err != nil {
				t.Fatalf("%s, read %d: %v (%d %v)", what, i+1, err, status, body)
			}
		}
	}
	both("a new referral", func(status int, body map[string]any) error {
		if n, _ := contactsOf(body); status != http.StatusOK || n != 0 {
			return fmt.Errorf("want 200 with no contacts")
		}
		return nil
	})

	// A session saved through the API.
	if status, _, raw := e.api("POST", fmt.Sprintf("/api/v1/referrals/%d/contacts", r.ID), tok,
		`{"date":"2026-03-09","kind":"assessment","attendance":"attended","scores":{"phq9":{"items":[2,2,2,2,2,2,2,2,0]}}}`); status != http.StatusCreated {
		t.Fatalf("save: %d %s", status, raw)
	}
	both("after a save", func(status int, body map[string]any) error {
		if c, s := contactsOf(body); c != 1 || s != 1 {
			return fmt.Errorf("%d contacts, %d scores: want 1 and 1", c, s)
		}
		return nil
	})

	// A score corrected through the store: the old one superseded beside the new.
	d, err := e.store.ReferralRecord(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CorrectScore(ctx, e.therapist, d.Contacts[0].Scores[0].ID, caseload.ScoreInput{Items: ints(1, 1, 1, 1, 1, 1, 1, 1, 0)}, "typed in the wrong column"); err != nil {
		t.Fatal(err)
	}
	both("after a correction", func(status int, body map[string]any) error {
		if c, s := contactsOf(body); c != 1 || s != 2 {
			return fmt.Errorf("%d contacts, %d scores: want 1 and 2", c, s)
		}
		return nil
	})

	// The therapist's name edited by an administrator.
	if _, err := e.store.UpdateUser(ctx, e.admin, e.therapist.ID, caseload.UserEdit{Name: "Tara Renamed", Email: e.therapist.Email, Role: caseload.RoleTherapist, Team: "North"}); err != nil {
		t.Fatal(err)
	}
	both("after the therapist's name changed", func(status int, body map[string]any) error {
		if body["therapist_name"] != "Tara Renamed" {
			return fmt.Errorf("therapist_name %v", body["therapist_name"])
		}
		return nil
	})

	// Moved to a colleague: the therapist is refused at once, the colleague sees it.
	if _, err := e.store.MoveReferral(ctx, e.supervisor, r.ID, caseload.NewMove{TherapistID: e.colleague.ID, Intensity: string(measures.HighIntensity), Reason: "stepped up"}); err != nil {
		t.Fatal(err)
	}
	both("after the move, for the therapist", func(status int, body map[string]any) error {
		if status != http.StatusNotFound {
			return fmt.Errorf("want 404")
		}
		return nil
	})
	colleague := e.token(e.colleague)
	for range 2 {
		if status, body := e.getReferral(r.ID, colleague); status != http.StatusOK || body["therapist_id"] != float64(e.colleague.ID) || body["intensity"] != "high" {
			t.Fatalf("after the move, for the colleague: %d %v", status, body)
		}
	}

	// Ended (discharged) through the API by the colleague.
	if status, _, raw := e.api("POST", fmt.Sprintf("/api/v1/referrals/%d/end", r.ID), colleague, `{"date":"2026-03-16","reason":"completed"}`); status != http.StatusOK {
		t.Fatalf("end: %d %s", status, raw)
	}
	for range 2 {
		if status, body := e.getReferral(r.ID, colleague); status != http.StatusOK || body["ended_on"] != "2026-03-16" {
			t.Fatalf("after the end: %d %v", status, body)
		}
	}

	// Every read answered was audited, kept or not: the therapist's 2 in
	// each of 4 states, the colleague's 2 in each of 2 (refusals are not
	// views).
	views, err := e.store.RecordViews(ctx, r.PatientID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*4 + 2*2; len(views) != want {
		t.Errorf("%d views audited, want %d", len(views), want)
	}
}

// A token revoked or a user disabled stops working at once, even for a
// referral whose answer is kept.
func TestAPIReferralKeptRevocation(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Rae Revoked", "F410")
	tok, token, err := e.store.CreateToken(ctx, e.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	other := e.token(e.therapist)
	for _, tk := range []string{tok, tok, other} {
		if status, _ := e.getReferral(r.ID, tk); status != http.StatusOK {
			t.Fatalf("before revoking: %d", status)
		}
	}
	if err := e.store.RevokeToken(ctx, token.ID, 0); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.getReferral(r.ID, tok); status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", status)
	}
	if status, _ := e.getReferral(r.ID, other); status != http.StatusOK {
		t.Errorf("the user's other token: %d, want 200", status)
	}
	if err := e.store.SetUserDisabled(ctx, e.admin, e.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.getReferral(r.ID, other); status != http.StatusUnauthorized {
		t.Errorf("disabled user: %d, want 401", status)
	}
}

// A token's user is kept with their cover between writes: cover granted or
// a supervisor's team changed shows in the next request.
func TestAPITokenUserKeptShowsCover(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	tok := e.token(e.therapist)
	theirs := e.referral(e.colleague, "Cal Covered", "F410")
	for range 2 {
		if status, _ := e.getReferral(theirs.ID, tok); status != http.StatusNotFound {
			t.Fatalf("before cover: %d, want 404", status)
		}
	}
	if _, err := e.store.GrantCover(ctx, e.supervisor, caseload.NewCover{TherapistID: e.therapist.ID, ColleagueID: e.colleague.ID,
		FromOn: "2026-03-16", ToOn: "2026-03-20", Reason: "annual leave"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if status, body := e.getReferral(theirs.ID, tok); status != http.StatusOK {
			t.Fatalf("under cover: %d %v, want 200", status, body)
		}
	}
}

// Another process writing the same database (here a second store on the
// file, as `clinic token revoke` or an import would) is not counted by this
// store's Version, but its commits are noticed when the next view is
// audited, before the answer: the kept answer is not sent.
func TestAPIReferralKeptSeesAnotherProcess(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	tok, token, err := e.store.CreateToken(ctx, e.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	moved := e.referral(e.therapist, "Pat Process", "F410")
	ended := e.referral(e.therapist, "Eve Ended", "F410")
	for range 2 {
		for _, r := range []caseload.Referral{moved, ended} {
			if status, body := e.getReferral(r.ID, tok); status != http.StatusOK || body["ended_on"] != nil {
				t.Fatalf("before: %d %v", status, body)
			}
		}
	}
	other, err := caseload.Open(e.path, clinic.Schema, testClock)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.MoveReferral(ctx, e.supervisor, moved.ID, caseload.NewMove{TherapistID: e.colleague.ID, Intensity: "low", Reason: "moved"}); err != nil {
		t.Fatal(err)
	}
	if status, body := e.getReferral(moved.ID, tok); status != http.StatusNotFound {
		t.Errorf("after another process moved it away: %d %v, want 404", status, body)
	}
	if _, err := other.EndReferral(ctx, e.therapist, ended.ID, "2026-03-16", "completed", "", caseload.EndRisk{}); err != nil {
		t.Fatal(err)
	}
	if status, body := e.getReferral(ended.ID, tok); status != http.StatusOK || body["ended_on"] != "2026-03-16" {
		t.Errorf("after another process ended it: %d %v", status, body)
	}
	if err := other.RevokeToken(ctx, token.ID, 0); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.getReferral(ended.ID, tok); status != http.StatusUnauthorized {
		t.Errorf("after another process revoked the token: %d, want 401", status)
	}
}

// A token kept between writes (access.go, keptTokenRoute) is checked again
// in the database once the view's audit row has noticed another process's
// commit: a token revoked by another connection to the file (here plain
// SQL, as any tool could), a user disabled or moved to another team by
// another process, each take effect on the very next request.
func TestAPIKeptTokenSeesAnotherProcess(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Kit Kept", "F410")
	revoked, tok, err := e.store.CreateToken(ctx, e.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	disabled := e.token(e.therapist)
	moved := e.token(e.supervisor)
	readTwice := func(what, token string) {
		t.Helper()
		for range 2 {
			if status, body := e.getReferral(r.ID, token); status != http.StatusOK {
				t.Fatalf("%s: %d %v, want 200", what, status, body)
			}
		}
		if _, _, _, ok := e.store.KeptTokenUser(token); !ok {
			t.Fatalf("%s: the token is not kept, so this test would not try a kept one", what)
		}
	}

	readTwice("before revoking", revoked)
	revokeElsewhere(t, e, tok.ID)
	if status, body := e.getReferral(r.ID, revoked); status != http.StatusUnauthorized {
		t.Errorf("after another connection revoked the token: %d %v, want 401", status, body)
	}

	other, err := caseload.Open(e.path, clinic.Schema, testClock)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	readTwice("before disabling", disabled)
	readTwice("before moving the supervisor", moved)
	if err := other.SetUserDisabled(ctx, e.admin, e.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	if status, body := e.getReferral(r.ID, disabled); status != http.StatusUnauthorized {
		t.Errorf("after another process disabled the user: %d %v, want 401", status, body)
	}

	readTwice("the supervisor again", moved)
	if _, err := other.UpdateUser(ctx, e.admin, e.supervisor.ID, caseload.UserEdit{Name: e.supervisor.Name, Email: e.supervisor.Email, Role: caseload.RoleSupervisor, Team: "South"}); err != nil {
		t.Fatal(err)
	}
	if status, body := e.getReferral(r.ID, moved); status == http.StatusOK {
		t.Errorf("after another process moved the supervisor to another team: %d %v, want a refusal", status, body)
	}
}

// A save changes no user, team, cover or token, so a token stays kept
// through it (AccessVersion) while the referral's answer is read again; a
// revocation after the save is refused on the next request all the same.
func TestAPIKeptTokenThroughSaves(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Sol Saved", "F410")
	tok, token, err := e.store.CreateToken(ctx, e.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if status, _ := e.getReferral(r.ID, tok); status != http.StatusOK {
			t.Fatalf("before the save: %d", status)
		}
	}
	if status, _, raw := e.api("POST", fmt.Sprintf("/api/v1/referrals/%d/contacts", r.ID), tok,
		`{"date":"2026-03-09","kind":"assessment","attendance":"attended","scores":{"phq9":{"items":[2,2,2,2,2,2,2,2,0]}}}`); status != http.StatusCreated {
		t.Fatalf("save: %d %s", status, raw)
	}
	if _, _, _, ok := e.store.KeptTokenUser(tok); !ok {
		t.Error("the token is no longer kept after a save")
	}
	if status, body := e.getReferral(r.ID, tok); status != http.StatusOK {
		t.Fatalf("after the save: %d %v", status, body)
	} else if c, s := contactsOf(body); c != 1 || s != 1 {
		t.Errorf("after the save: %d contacts, %d scores; want 1 and 1", c, s)
	}
	if err := e.store.RevokeToken(ctx, token.ID, 0); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.getReferral(r.ID, tok); status != http.StatusUnauthorized {
		t.Errorf("revoked after a save: %d, want 401", status)
	}
}

// A save of a session takes a kept token (keptSaveRoute) and has it
// confirmed in its own turn on the committer before it writes: a token
// revoked by another connection to the file, or a user disabled or moved out
// of the referral's team by this or another process, is refused on the very
// next save, and nothing is recorded.
func TestAPIKeptTokenSaveSeesEveryChangeOfAccess(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.referral(e.therapist, "Ada Again", "F410")
	path := fmt.Sprintf("/api/v1/referrals/%d/contacts", r.ID)
	const session = `{"date":"2026-03-09","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,0]}}}`
	saved := 0
	saveTwice := func(what, token string) {
		t.Helper()
		for range 2 {
			if status, _, raw := e.api("POST", path, token, session); status != http.StatusCreated {
				t.Fatalf("%s: %d %s, want 201", what, status, raw)
			}
			saved++
		}
		if _, _, _, ok := e.store.KeptTokenUser(token); !ok {
			t.Fatalf("%s: the token is not kept, so this test would not try a kept one", what)
		}
	}
	refused := func(what, token string, want int) {
		t.Helper()
		if status, _, raw := e.api("POST", path, token, session); status != want {
			t.Errorf("%s: %d %s, want %d", what, status, raw, want)
		}
		d, err := e.store.ReferralDetail(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Contacts) != saved {
			t.Errorf("%s: %d contacts recorded, want %d: a refused save wrote", what, len(d.Contacts), saved)
		}
	}

	revoked, tok, err := e.store.CreateToken(ctx, e.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	saveTwice("before revoking", revoked)
	revokeElsewhere(t, e, tok.ID)
	refused("after another connection revoked the token", revoked, http.StatusUnauthorized)

	// The supervisor of the referral's team may record its sessions too.
	moved := e.token(e.supervisor)
	saveTwice("the supervisor", moved)
	other, err := caseload.Open(e.path, clinic.Schema, testClock)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.UpdateUser(ctx, e.admin, e.supervisor.ID, caseload.UserEdit{Name: e.supervisor.Name, Email: e.supervisor.Email, Role: caseload.RoleSupervisor, Team: "South"}); err != nil {
		t.Fatal(err)
	}
	refused("after another process moved the supervisor to another team", moved, http.StatusNotFound)

	disabled := e.token(e.therapist)
	saveTwice("before disabling", disabled)
	if err := e.store.SetUserDisabled(ctx, e.admin, e.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	refused("after the user was disabled", disabled, http.StatusUnauthorized)
}

// revokeElsewhere revokes the token through another connection to the
// database file, in plain SQL, as any tool could: the server's store learns
// of it only from the file.
func revokeElsewhere(t *testing.T, e *testEnv, tokenID int64) {
	t.Helper()
	db, err := sql.Open("sqlite3", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE api_tokens SET revoked_at = '2026-03-16T09:00:00.000000Z' WHERE id = ?`, tokenID); err != nil {
		t.Fatal(err)
	}
}
