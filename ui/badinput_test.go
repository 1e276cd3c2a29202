package ui

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// Bad input gets a clear 4xx, never a 500, and changes nothing.

func TestBodiesOverOneMiBAreRefused(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F32")
	big := strings.Repeat("a", 1<<20)
	// A form: the browser gets a page that says what happened.
	b := e.signedIn(e.therapist)
	p := b.post(referralPath(r.ID)+"/contacts/new", url.Values{"date": {"2026-03-02"}, "note": {big}})
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "larger than 1 MiB") {
		t.Errorf("big form: %d, want 413 saying why", p.Status)
	}
	// JSON, with and without a Content-Length (chunked): the same answer.
	tok := e.token(e.therapist)
	status, body, _ := e.api(http.MethodPost, "/api/v1/referrals/"+strconv.FormatInt(r.ID, 10)+"/contacts", tok, `{"date":"`+big+`"}`)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body["error"].(string), "1 MiB") {
		t.Errorf("big JSON: %d %v", status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/patients", io.MultiReader(strings.NewReader(`{"name":"`), strings.NewReader(big), strings.NewReader(`"}`)))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	if p := e.browser().do(req); p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "1 MiB") {
		t.Errorf("big chunked JSON: %d %s", p.Status, p.Body)
	}
	if d, _ := e.store.ReferralDetail(t.Context(), r.ID); len(d.Contacts) != 0 {
		t.Errorf("a refused body recorded a contact")
	}
}

// The API records a submission once however often it is sent.
func TestAPIDuplicateSubmission(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Ann Example", "F32")
	tok := e.token(e.therapist)
	path := "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10) + "/contacts"
	body := `{"date":"2026-03-02","kind":"treatment","attendance":"attended","submission_id":"abc-1","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,0]}}}`
	status, got, raw := e.api(http.MethodPost, path, tok, body)
	if status != http.StatusCreated {
		t.Fatalf("first submission: %d %s", status, raw)
	}
	first := fmt.Sprint(got["id"])
	for range 2 {
		status, got, raw := e.api(http.MethodPost, path, tok, body)
		if status != http.StatusConflict || got["field"] != "submission_id" || !strings.Contains(fmt.Sprint(got["error"]), "as contact "+first) {
			t.Errorf("repeated submission: %d %s, want 409 on submission_id naming contact %s", status, raw, first)
		}
	}
	d, err := e.store.ReferralDetail(t.Context(), r.ID)
	if err != nil || len(d.Contacts) != 1 {
		t.Errorf("%d contacts (%v), want 1", len(d.Contacts), err)
	}
}
