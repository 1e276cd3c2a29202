package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Issue 15, 10: a name with a bidi override or NUL is refused on the name
// field, in the form (422, message on the field, what was typed kept) and
// in the API (422 naming the field).
func TestNamesRefuseHiddenCharacters(t *testing.T) {
	e := newTestEnv(t)
	tara := e.signedIn(e.therapist)
	tok := e.token(e.therapist)
	for _, name := range []string{"Ann \u202Eelpmaxe", "Ann\u0000Example"} {
		p := tara.post("/patients/new", url.Values{"name": {name}, "date_of_birth": {"1990-01-01"}, "received_on": {"2026-03-01"}, "problem_descriptor": {"F41.1"}, "intensity": {"low"}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="name-error"`) {
			t.Errorf("form with name %q: %d, want 422 on name", name, p.Status)
		}
		status, body, _ := e.api(http.MethodPost, "/api/v1/patients", tok, `{"name":`+jsonString(name)+`,"date_of_birth":"1990-01-01"}`)
		if status != http.StatusUnprocessableEntity || body["field"] != "name" {
			t.Errorf("API with name %q: %d %v, want 422 on name", name, status, body)
		}
	}
	admin := e.signedIn(e.admin)
	p := admin.post("/admin/users/new", url.Values{"email": {"zw@example.nhs.uk"}, "name": {"Zo\u200Be"}, "role": {"therapist"}, "team": {"North"}, "password": {testPassword}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="name-error"`) {
		t.Errorf("user with a zero-width space: %d, want 422 on name", p.Status)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
