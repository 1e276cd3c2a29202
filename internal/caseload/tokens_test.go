package caseload

import (
	"errors"
	"testing"
	"time"
)

// Issue 15, 5: tokens expire, record their last use, can be revoked, and
// die with a disabled account (enabling it again revives none).
func TestTokensEnd(t *testing.T) {
	f := newFixture(t)
	admin := f.user(t, "ada@example.nhs.uk", "Ada", RoleAdmin, "")
	secret, tok, err := f.s.CreateToken(f.ctx, f.therapist.Email, "practice system")
	if err != nil {
		t.Fatal(err)
	}
	if !tok.ExpiresAt.Equal(testNow.Add(TokenLifetime)) || tok.Name != "practice system" {
		t.Errorf("new token %+v: want 90 days' life and its name", tok)
	}
	f.clock.t = testNow.Add(time.Hour)
	_, used, err := f.s.UserByToken(f.ctx, secret)
	if err != nil || used.ID != tok.ID {
		t.Fatalf("UserByToken: %+v, %v", used, err)
	}
	list, err := f.s.Tokens(f.ctx, f.therapist.ID)
	if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(f.clock.t) {
		t.Errorf("tokens %+v (%v): want one, last used %v", list, err, f.clock.t)
	}
	// Expiry.
	f.clock.t = testNow.Add(TokenLifetime)
	if _, _, err := f.s.UserByToken(f.ctx, secret); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("expired token: %v, want ErrBadCredentials", err)
	}
	f.clock.t = testNow
	// Revoking: only the owner's own, or anyone's with owner 0 (admin).
	if err := f.s.RevokeToken(f.ctx, tok.ID, f.other.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another user revokes the token: %v, want ErrNotFound", err)
	}
	if err := f.s.RevokeToken(WithAudit(f.ctx, f.therapist.ID, ""), tok.ID, f.therapist.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.UserByToken(f.ctx, secret); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("revoked token: %v", err)
	}
	rows, _ := f.s.SearchAudit(f.ctx, AuditQuery{Action: AuditRevokeToken})
	if len(rows.Entries) != 1 || rows.Entries[0].UserID != f.therapist.ID {
		t.Errorf("revoke_token rows: %+v", rows.Entries)
	}
	// Disabling revokes every token; enabling revives none.
	second, _, err := f.s.CreateToken(f.ctx, f.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetUserDisabled(f.ctx, admin, f.therapist.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetUserDisabled(f.ctx, admin, f.therapist.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.UserByToken(f.ctx, second); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("token after disable and enable: %v, want ErrBadCredentials", err)
	}
}

// Issue 15, 13: patients get no API tokens, at the command line either.
func TestNoTokenForPatient(t *testing.T) {
	f := newFixture(t)
	code := f.invite(t)
	if _, err := f.accept(code, "1990-05-17", "pat@example.org", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.CreateToken(f.ctx, "pat@example.org", ""); !isValidation(err) {
		t.Errorf("token for a patient: %v, want a validation error", err)
	}
}

// Issue 15, 1: rows written under an API token name the token.
func TestAuditNamesToken(t *testing.T) {
	f := newFixture(t)
	_, tok, err := f.s.CreateToken(f.ctx, f.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithAuditToken(WithAudit(f.ctx, f.therapist.ID, "192.0.2.3"), tok.ID)
	if err := f.s.RecordView(ctx, f.therapist, "referral", f.referral.ID, "API: referral"); err != nil {
		t.Fatal(err)
	}
	rows, _ := f.s.SearchAudit(f.ctx, AuditQuery{Action: AuditView})
	if len(rows.Entries) != 1 || rows.Entries[0].TokenID != tok.ID {
		t.Errorf("view under a token: %+v, want token %d", rows.Entries, tok.ID)
	}
}

// KeptTokenUser answers only what UserByToken found live while nothing has
// been written since (issue 17): a revocation in this process, the token's
// expiry and its "last used" stamp falling due each end the kept answer.
func TestKeptTokenUser(t *testing.T) {
	f := newFixture(t)
	secret, tok, err := f.s.CreateToken(f.ctx, f.therapist.Email, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, ok := f.s.KeptTokenUser(secret); ok {
		t.Fatal("kept before any check")
	}
	check := func() {
		t.Helper()
		if _, _, err := f.s.UserByToken(f.ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	check() // its first stamp is the writer's first look at other processes' commits: a change
	check()
	u, kept, v, ok := f.s.KeptTokenUser(secret)
	if now, _ := f.s.Version(); !ok || u.ID != f.therapist.ID || kept.ID != tok.ID || v != now {
		t.Fatalf("after a check: %+v %+v %d %v; want the therapist's token under version %d", u, kept, v, ok, now)
	}
	if _, _, _, ok := f.s.KeptTokenUser(secret + "x"); ok {
		t.Error("another secret answered as kept")
	}
	// Its "last used" stamp falls due: UserByToken must write it.
	f.clock.t = testNow.Add(tokenUsedEvery + time.Second)
	if _, _, _, ok := f.s.KeptTokenUser(secret); ok {
		t.Error("kept with its last-used stamp due")
	}
	// Expired (a check just before keeps it, to the instant).
	f.clock.t = testNow.Add(TokenLifetime - time.Second)
	check()
	if _, _, _, ok := f.s.KeptTokenUser(secret); !ok {
		t.Fatal("not kept after a check")
	}
	f.clock.t = testNow.Add(TokenLifetime)
	if _, _, _, ok := f.s.KeptTokenUser(secret); ok {
		t.Error("kept once expired")
	}
	f.clock.t = testNow
	check()
	if err := f.s.RevokeToken(f.ctx, tok.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, _, ok := f.s.KeptTokenUser(secret); ok {
		t.Error("kept after this store revoked it")
	}
}
