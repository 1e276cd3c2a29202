package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"clinic/internal/caseload"
)

var tokenRE = regexp.MustCompile(`id="token">([A-Za-z0-9_-]+)<`)

// Issue 15, 1 and 5: a therapist makes their own token from their session,
// sees it once, sees it listed with its last use; the API's audit rows name
// the token; revoking it (their button, or an admin's) stops it at once.
func TestOwnTokens(t *testing.T) {
	e := newTestEnv(t)
	tara := e.signedIn(e.therapist)
	p := tara.post("/account/tokens", url.Values{"name": {"practice system"}})
	m := tokenRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("make a token: %d", p.Status)
	}
	secret := m[1]
	status, body, _ := e.api(http.MethodPost, "/api/v1/patients", secret, `{"name":"Via Token","date_of_birth":"1990-01-01"}`)
	if status != http.StatusCreated {
		t.Fatalf("the new token: %d", status)
	}
	if p := tara.get("/account/tokens"); strings.Contains(p.Body, secret) || !strings.Contains(p.Body, "practice system") || strings.Contains(p.Body, "Never") {
		t.Errorf("tokens page: shows the secret again, or not the token and its last use")
	}
	tokens, err := e.store.Tokens(context.Background(), e.therapist.ID)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens %v, %v", tokens, err)
	}
	res, _ := e.store.SearchAudit(context.Background(), caseload.AuditQuery{Action: caseload.AuditCreatePatient})
	if len(res.Entries) != 1 || res.Entries[0].TokenID != tokens[0].ID || int64(body["id"].(float64)) != res.Entries[0].EntityID {
		t.Errorf("API audit row %+v: want token %d", res.Entries, tokens[0].ID)
	}
	// A colleague cannot revoke it; Tara can, and it stops at once.
	colin := e.signedIn(e.colleague)
	if p := colin.post("/account/tokens/"+itoa(tokens[0].ID)+"/revoke", nil); p.Status != http.StatusNotFound {
		t.Errorf("a colleague revokes the token: %d, want 404", p.Status)
	}
	if p := tara.post("/account/tokens/"+itoa(tokens[0].ID)+"/revoke", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if status, _, _ := e.api(http.MethodGet, "/api/v1/referrals/1", secret, ""); status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", status)
	}
	// An admin revokes another user's token from the tokens list.
	other := e.token(e.colleague)
	admin := e.signedIn(e.admin)
	list, _ := e.store.Tokens(context.Background(), e.colleague.ID)
	if p := admin.get("/admin/tokens"); !strings.Contains(p.Body, "colin@example.nhs.uk") {
		t.Errorf("admin's tokens page lacks Colin's token")
	}
	if p := admin.post("/admin/tokens/"+itoa(list[0].ID)+"/revoke", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("admin revoke: %d", p.Status)
	}
	if status, _, _ := e.api(http.MethodGet, "/api/v1/referrals/1", other, ""); status != http.StatusUnauthorized {
		t.Errorf("token revoked by an admin: %d, want 401", status)
	}
	// Patients have no tokens page.
	if p := e.browser().get("/account/tokens"); p.Status != http.StatusSeeOther {
		t.Errorf("tokens page signed out: %d", p.Status)
	}
}
