package ui

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A referral for an existing patient may be opened only by staff who already
// have the patient in their care; for anyone else the patient id answers as
// if it did not exist, and the patient's name is never sent back.
func TestAPIReferralForExistingPatient(t *testing.T) {
	e := newTestEnv(t)
	_, created, _ := e.api("POST", "/api/v1/patients", e.token(e.therapist), `{"name": "Priya Private", "date_of_birth": "1984-03-02"}`)
	pid := int64(created["id"].(float64))
	body := fmt.Sprintf(`{"patient_id": %d, "received_on": "2026-01-05", "problem_descriptor": "F32", "intensity": "low"}`, pid)

	tests := []struct {
		who    string
		token  string
		status int
	}{
		{"the therapist who added the patient", e.token(e.therapist), http.StatusCreated},
		{"a therapist in another team", e.token(e.south), http.StatusUnprocessableEntity},
		{"a colleague in the same team with no referral of theirs", e.token(e.colleague), http.StatusUnprocessableEntity},
		// Issue 14: a supervisor who sees the patient's referral receives a
		// new one onto the team's waiting list (TestWaitingListAllocateStepUp).
		{"a supervisor of the team, onto its waiting list", e.token(e.supervisor), http.StatusCreated},
	}
	for _, tt := range tests {
		status, got, raw := e.api("POST", "/api/v1/referrals", tt.token, body)
		if status != tt.status {
			t.Errorf("%s: %d %v, want %d", tt.who, status, got, tt.status)
		}
		if status == http.StatusUnprocessableEntity {
			if got["field"] != "patient_id" || got["error"] != "no patient has this id" {
				t.Errorf("%s: answer %v, want the unknown-patient answer", tt.who, got)
			}
		}
		if status != http.StatusCreated {
			if strings.Contains(raw, "Priya") {
				t.Errorf("%s: refusal reveals the patient's name: %s", tt.who, raw)
			}
		}
	}
	status, got, _ := e.api("POST", "/api/v1/referrals", e.token(e.south), `{"patient_id": 999999, "received_on": "2026-01-05", "problem_descriptor": "F32", "intensity": "low"}`)
	if status != http.StatusUnprocessableEntity || got["error"] != "no patient has this id" {
		t.Errorf("unknown patient id: %d %v; the answer must match the refused one", status, got)
	}
}
