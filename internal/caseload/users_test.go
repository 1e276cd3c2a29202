package caseload

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"clinic"
	"clinic/internal/password"
)

func TestCreateUserValidation(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	ok := NewUser{Email: "x@example.nhs.uk", Name: "X", Role: RoleTherapist, Team: "North", Password: testPassword}
	tests := []struct {
		name   string
		change func(*NewUser)
		fields []string
	}{
		{"no email", func(u *NewUser) { u.Email = "" }, []string{"email"}},
		{"email without at", func(u *NewUser) { u.Email = "x.example.org" }, []string{"email"}},
		{"email without domain dot", func(u *NewUser) { u.Email = "x@localhost" }, []string{"email"}},
		{"email with two ats", func(u *NewUser) { u.Email = "x@y@example.org" }, []string{"email"}},
		{"email with space", func(u *NewUser) { u.Email = "x y@example.org" }, []string{"email"}},
		{"no name", func(u *NewUser) { u.Name = "  " }, []string{"name"}},
		{"long name", func(u *NewUser) { u.Name = strings.Repeat("n", 201) }, []string{"name"}},
		{"bad role", func(u *NewUser) { u.Role = "wizard" }, []string{"role"}},
		{"patient role", func(u *NewUser) { u.Role = RolePatient }, []string{"role"}},
		{"therapist without team", func(u *NewUser) { u.Team = "" }, []string{"team"}},
		{"supervisor without team", func(u *NewUser) { u.Role, u.Team = RoleSupervisor, "" }, []string{"team"}},
		{"long team", func(u *NewUser) { u.Team = strings.Repeat("t", 101) }, []string{"team"}},
		{"short password", func(u *NewUser) { u.Password = "123456789" }, []string{"password"}},
		{"common password", func(u *NewUser) { u.Password = "Password123" }, []string{"password"}},
		{"long password", func(u *NewUser) { u.Password = strings.Repeat("p", 257) }, []string{"password"}},
		{"everything", func(u *NewUser) { *u = NewUser{} }, []string{"email", "name", "role", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.change(&in)
			_, err := s.CreateUser(ctx, in)
			wantFields(t, err, tt.fields...)
		})
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 0 {
		t.Errorf("after invalid input: %d users (%v), want none", len(users), err)
	}
}

func TestCreateUserTeamsAndConflict(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	th, err := s.CreateUser(ctx, NewUser{Email: " Tara@Example.NHS.uk ", Name: " Tara ", Role: RoleTherapist, Team: "North", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	sup, err := s.CreateUser(ctx, NewUser{Email: "sam@example.nhs.uk", Name: "Sam", Role: RoleSupervisor, Team: "north", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := s.CreateUser(ctx, NewUser{Email: "ada@example.nhs.uk", Name: "Ada", Role: RoleAdmin, Team: "Ignored", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Team{{ID: th.TeamID, Name: "North"}}, teams); diff != "" {
		t.Errorf("teams (-want +got):\n%s", diff)
	}
	want := User{ID: th.ID, Email: "tara@example.nhs.uk", Name: "Tara", Role: RoleTherapist, TeamID: teams[0].ID, TeamName: "North", CreatedAt: testNow}
	if diff := cmp.Diff(want, th); diff != "" {
		t.Errorf("created therapist (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{teams[0].ID}, sup.Teams); diff != "" || sup.TeamID != 0 {
		t.Errorf("supervisor teams %v team %d, want to supervise North and belong to none", sup.Teams, sup.TeamID)
	}
	got, err := s.User(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("User (-want +got):\n%s", diff)
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantUsers := []User{admin, sup, want}
	if diff := cmp.Diff(wantUsers, users, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Users (-want +got):\n%s", diff)
	}
	_, err = s.CreateUser(ctx, NewUser{Email: "TARA@example.nhs.uk", Name: "Another", Role: RoleAdmin, Password: testPassword})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate e-mail: got %v, want ErrConflict", err)
	}
	if _, err := s.User(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("User(999): got %v, want ErrNotFound", err)
	}
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	disabled := f.user(t, "dee@example.nhs.uk", "Dee", RoleTherapist, "North")
	if _, err := f.s.db.Exec(`UPDATE users SET disabled = 1 WHERE id = ?`, disabled.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, password string
		want                  int64 // user id, 0 for ErrBadCredentials
	}{
		{"right", "tara@example.nhs.uk", testPassword, f.therapist.ID},
		{"e-mail in other case and spaces", " TARA@example.nhs.uk", testPassword, f.therapist.ID},
		{"wrong password", "tara@example.nhs.uk", "not the pass phrase", 0},
		{"password in other case", "tara@example.nhs.uk", strings.ToUpper(testPassword), 0},
		{"unknown e-mail", "nobody@example.nhs.uk", testPassword, 0},
		{"empty", "", "", 0},
		{"disabled", "dee@example.nhs.uk", testPassword, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := f.s.Authenticate(f.ctx, tt.email, tt.password)
			if tt.want == 0 {
				if !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("got %v, %v; want ErrBadCredentials", u, err)
				}
				return
			}
			if err != nil || u.ID != tt.want {
				t.Fatalf("got user %d, %v; want user %d", u.ID, err, tt.want)
			}
		})
	}
	sup, err := f.s.Authenticate(f.ctx, "sam@example.nhs.uk", testPassword)
	if err != nil || len(sup.Teams) != 1 {
		t.Errorf("supervisor signs in with teams %v (%v), want one", sup.Teams, err)
	}
}

// An unknown e-mail must cost a password hash, like a wrong password, so the
// time taken does not tell which e-mails have accounts.
func TestAuthenticateTimingUnknownLikeWrong(t *testing.T) {
	f := newFixture(t)
	// The two are timed in turn, several rounds, keeping each one's fastest:
	// on a busy machine a single slow try says nothing about the code.
	try := func(email string) time.Duration {
		start := time.Now()
		_, err := f.s.Authenticate(f.ctx, email, "wrong pass phrase")
		d := time.Since(start)
		if !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("%s: got %v, want ErrBadCredentials", email, err)
		}
		return d
	}
	wrong, unknown := time.Duration(1<<62), time.Duration(1<<62)
	for i := 0; i < 7; i++ {
		wrong = min(wrong, try("tara@example.nhs.uk"))
		unknown = min(unknown, try("nobody@example.nhs.uk"))
	}
	if unknown < wrong/2 || wrong < unknown/2 {
		t.Errorf("unknown e-mail took %v, wrong password %v: want about the same", unknown, wrong)
	}
	// And the dummy hash is one that can be checked at full cost.
	if ok, err := password.Check(password.DummyHash, "anything"); ok || err != nil {
		t.Error("the dummy hash matched a password")
	}
}

func TestTokens(t *testing.T) {
	f := newFixture(t)
	tok, _, err := f.s.CreateToken(f.ctx, "TARA@example.nhs.uk", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) < 40 || strings.ContainsAny(tok, " \n+/=") {
		t.Errorf("token %q: want 32 random bytes, base64url", tok)
	}
	tok2, _, err := f.s.CreateToken(f.ctx, "tara@example.nhs.uk", "")
	if err != nil || tok2 == tok {
		t.Errorf("second token %q (%v): want a new one", tok2, err)
	}
	// Only the hash is stored.
	var stored int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR CAST(token_hash AS TEXT) = ?`, tok, tok).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("plaintext token found in the database (%d, %v)", stored, err)
	}
	u, _, err := f.s.UserByToken(f.ctx, tok)
	if err != nil || u.ID != f.therapist.ID || u.TeamName != "North" {
		t.Errorf("UserByToken = %+v, %v; want the therapist", u, err)
	}
	if _, _, err := f.s.CreateToken(f.ctx, "nobody@example.nhs.uk", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("token for unknown e-mail: got %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "x", tok + "x", strings.ToUpper(tok)} {
		if _, _, err := f.s.UserByToken(f.ctx, bad); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("UserByToken(%q): got %v, want ErrBadCredentials", bad, err)
		}
	}
	if _, err := f.s.db.Exec(`UPDATE users SET disabled = 1 WHERE id = ?`, f.therapist.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.UserByToken(f.ctx, tok); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("token of a disabled user: got %v, want ErrBadCredentials", err)
	}
	if _, _, err := f.s.CreateToken(f.ctx, "tara@example.nhs.uk", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("token for a disabled user: got %v, want ErrNotFound", err)
	}
	sup, _, _ := f.s.CreateToken(f.ctx, "sam@example.nhs.uk", "")
	if _, err := f.s.db.Exec(`UPDATE api_tokens SET revoked_at = ?`, stamp(testNow)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.UserByToken(f.ctx, sup); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("revoked token: got %v, want ErrBadCredentials", err)
	}
}

func TestSessionKeysAreKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	ctx := context.Background()
	keys := func() []byte {
		s, err := Open(path, clinic.Schema, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		k1, err := s.SessionKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := s.SessionKeys(ctx)
		if err != nil || !bytes.Equal(k1, k2) {
			t.Errorf("second call gave %x (%v), want the same keys", k2, err)
		}
		return k1
	}
	first := keys()
	if len(first) != 64 || bytes.Equal(first, make([]byte, 64)) {
		t.Fatalf("keys %x: want 64 random bytes", first)
	}
	if again := keys(); !bytes.Equal(first, again) {
		t.Errorf("keys changed on reopening: sessions would not survive a restart")
	}
}

// A page's choice of therapist lists the therapists of the teams asked for,
// by name, and nobody else: not other teams', not supervisors or patients.
func TestTeamTherapists(t *testing.T) {
	f := newFixture(t)
	abe := f.user(t, "abe@example.nhs.uk", "Abe Another", RoleTherapist, "North")
	north, south := f.therapist.TeamID, f.other.TeamID
	if north == 0 || south == 0 || north == south {
		t.Fatalf("teams %d and %d", north, south)
	}
	names := func(teams ...int64) []string {
		t.Helper()
		users, err := f.s.TeamTherapists(f.ctx, teams)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range users {
			out = append(out, u.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		teams []int64
		want  []string
	}{
		{"one team", []int64{north}, []string{abe.Name, f.therapist.Name}},
		{"two teams", []int64{south, north}, []string{abe.Name, f.other.Name, f.therapist.Name}},
		{"no team", nil, nil},
		{"unknown team", []int64{north + south + 100}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, names(tc.teams...)); diff != "" {
				t.Errorf("therapists (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateUserRefusesPasswordWithEmail(t *testing.T) {
	s, _ := openTest(t)
	_, err := s.CreateUser(t.Context(), NewUser{Email: "rosalind@example.nhs.uk", Name: "R", Role: RoleAdmin, Password: "rosalind-is-great"})
	if !isValidation(err) {
		t.Errorf("err %v, want a validation error", err)
	}
}
