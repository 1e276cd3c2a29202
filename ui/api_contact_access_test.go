package ui

import (
	"net/http"
	"testing"
)

// The API's contact save decides on access from the referral it reads for
// the save, before it judges the body: someone without access gets the same
// answer whatever they send, valid or not, and nothing is recorded.
func TestAPIContactAccessBeforeBody(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Access First", "F32")
	contacts := "/api/v1/referrals/" + itoa(r.ID) + "/contacts"
	valid := `{"date":"2026-03-09","kind":"assessment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,0]}}}`
	colTok := e.token(e.colleague)
	refused, _, raw := e.api("POST", contacts, colTok, valid)
	if refused != http.StatusNotFound && refused != http.StatusForbidden {
		t.Fatalf("a colleague without access: %d %s", refused, raw)
	}
	for name, body := range map[string]string{
		"not JSON":             `{"date":`,
		"an unknown field":     `{"date":"2026-03-09","colour":"red"}`,
		"an answer not number": `{"date":"2026-03-09","kind":"assessment","attendance":"attended","scores":{"phq9":{"items":["a",1,1,1,1,1,1,1,0]}}}`,
		"an invalid contact":   `{"date":"2099-01-01","kind":"assessment","attendance":"attended"}`,
	} {
		if status, _, raw := e.api("POST", contacts, colTok, body); status != refused {
			t.Errorf("%s from a colleague without access: %d %s, want %d as for a valid body", name, status, raw, refused)
		}
	}
	if status, _, raw := e.api("POST", "/api/v1/referrals/999999/contacts", e.token(e.therapist), valid); status != http.StatusNotFound {
		t.Errorf("no such referral: %d %s", status, raw)
	}
	if status, _, raw := e.api("POST", "/api/v1/referrals/999999/contacts", e.token(e.therapist), `{"date":`); status != http.StatusNotFound {
		t.Errorf("no such referral, a bad body: %d %s", status, raw)
	}
	// The referral's own therapist is admitted, and a bad body is then
	// answered as such.
	tok := e.token(e.therapist)
	if status, _, raw := e.api("POST", contacts, tok, `{"date":`); status != http.StatusBadRequest {
		t.Errorf("the therapist's bad body: %d %s", status, raw)
	}
	if status, c, raw := e.api("POST", contacts, tok, valid); status != http.StatusCreated || c["id"] == nil {
		t.Errorf("the therapist's save: %d %s", status, raw)
	}
	d, err := e.store.ReferralDetail(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Contacts) != 1 {
		t.Errorf("%d contacts recorded, want the therapist's one", len(d.Contacts))
	}
}
