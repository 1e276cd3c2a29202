package ui

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"clinic/internal/caseload"
)

// TestProgressLetter: the letter shows the first and latest scores against
// caseness, the outcome and the rule set, heads every printed sheet with the
// patient, and is audited as a view of the referral.
func TestProgressLetter(t *testing.T) {
	e := newTestEnv(t)
	r := e.referral(e.therapist, "Lena Letter", "F32")
	e.contact(e.therapist, r, "2026-02-02", ints(3, 3, 2, 2, 2, 2, 2, 2, 0), ints(2, 2, 2, 2, 1, 1, 1))
	e.contact(e.therapist, r, "2026-03-02", ints(1, 1, 1, 1, 1, 1, 1, 1, 0), ints(1, 1, 1, 0, 0, 0, 0))
	p := e.signedIn(e.therapist).get(referralPath(r.ID) + "/letter")
	if p.Status != http.StatusOK {
		t.Fatalf("letter: %d", p.Status)
	}
	for _, want := range []string{
		"Progress in NHS Talking Therapies: Lena Letter",
		"18 (2 February 2026)", "8 (2 March 2026)", "10 or more", "Below caseness",
		"-10 since the first score: a reliable improvement",
		"Outcome so far", "rule set ", `id="print-header">Lena Letter · printed 16 March 2026`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
	page, err := e.store.SearchAudit(context.Background(), caseload.AuditQuery{ReferralID: r.ID, Action: caseload.AuditView})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) == 0 || page.Entries[0].Detail != "progress letter to GP" {
		t.Errorf("the letter is not audited as a view: %+v", page.Entries)
	}
	if other := e.signedIn(e.colleague).get(referralPath(r.ID) + "/letter"); other.Status != http.StatusNotFound && other.Status != http.StatusForbidden {
		t.Errorf("another team's therapist reads the letter: %d", other.Status)
	}
}
