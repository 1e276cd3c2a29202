package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"clinic"
	"clinic/internal/caseload"
)

// Fuzz tests of recording a contact through the whole server (routing,
// body limit, access, decoding, the store): whatever the body, the answer is
// a success or a clear 4xx, never a 500 or a panic. contact_form_test.go
// fuzzes the decoders alone.

// fuzzServer is a server with a referral on Tara's caseload, her API token,
// and her signed-in browser's cookies and CSRF token.
type fuzzServer struct {
	h        http.Handler
	referral string
	token    string
	cookies  []*http.Cookie
	csrf     string
}

func newFuzzServer(f *testing.F) *fuzzServer {
	f.Helper()
	store, err := caseload.Open(filepath.Join(f.TempDir(), "clinic.db"), clinic.Schema, testClock)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	srv, err := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	u, err := store.CreateUser(ctx, caseload.NewUser{Email: "tara@example.nhs.uk", Name: "Tara", Role: caseload.RoleTherapist, Team: "North", Password: testPassword})
	if err != nil {
		f.Fatal(err)
	}
	p, err := store.CreatePatient(ctx, u, caseload.NewPatient{Name: "Fuzz Example", DateOfBirth: "1980-05-01"})
	if err != nil {
		f.Fatal(err)
	}
	r, err := store.CreateReferral(ctx, u, caseload.NewReferral{PatientID: p.ID, TherapistID: u.ID, ReceivedOn: "2026-01-05", ProblemDescriptor: "F41.1", Intensity: "low"})
	if err != nil {
		f.Fatal(err)
	}
	token, _, err := store.CreateToken(ctx, u.Email, "")
	if err != nil {
		f.Fatal(err)
	}
	s := &fuzzServer{h: srv.Handler(), referral: strconv.FormatInt(r.ID, 10), token: token}
	// Sign in as a browser would: the CSRF cookie, then the form.
	rec := s.serve(httptest.NewRequest(http.MethodGet, "/sign-in", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == "clinic_csrf" {
			s.csrf = c.Value
			s.cookies = append(s.cookies, c)
		}
	}
	form := url.Values{"email": {u.Email}, "password": {testPassword}, "_csrf": {s.csrf}}
	req := httptest.NewRequest(http.MethodPost, "/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	rec = s.serve(req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionName {
			s.cookies = append(s.cookies, c)
		}
	}
	if rec.Code != http.StatusSeeOther || len(s.cookies) != 2 {
		f.Fatalf("sign in: %d, cookies %v", rec.Code, s.cookies)
	}
	return s
}

func (s *fuzzServer) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func FuzzContactAPI(f *testing.F) {
	f.Add(`{"date":"2026-03-02","kind":"treatment","attendance":"attended","scores":{"phq9":{"items":[1,1,1,1,1,1,1,1,0]},"gad7":{"items":[2,2,2,2,2,2,2]}}}`)
	f.Add(`{"date":"2026-03-02","kind":"assessment","attendance":"attended","submission_id":"x","scores":{"spin":{"total":31},"wsas":{"items":[1,2,3,4,5]}}}`)
	f.Add(`{"date":"2026-01-01","kind":"treatment","attendance":"dna"}`)
	f.Add(`{"date":"2099-12-31","kind":"review","attendance":"cancelled","scores":{"phq9":{"items":[]}}}`)
	f.Add(`{"scores":{"phq9":{"items":[1e400,-1,null,"1",true,{},[],0.5,9]}}}`)
	f.Add(`{"date":"2026-02-30"}{"date":"2026-03-01"}`)
	f.Add(`{"scores":{"pdss":{"total":1e308},"mi_alone":{"total":-0}}}`)
	f.Add("\x00\xff{")
	f.Add(`[]`)
	s := newFuzzServer(f)
	path := "/api/v1/referrals/" + s.referral + "/contacts"
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("Content-Type", "application/json")
		rec := s.serve(req)
		switch rec.Code {
		case http.StatusCreated, http.StatusOK:
			return
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			var out map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out["error"] == "" {
				t.Errorf("%d without a JSON error message: %q", rec.Code, rec.Body.String())
			}
		default:
			t.Errorf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}

func FuzzContactFormHTTP(f *testing.F) {
	f.Add("date=2026-03-02&kind=treatment&attendance=attended&scores.phq9.items.1=2&scores.phq9.items.9=1&adsm=gad7")
	f.Add("date=2026-03-02&kind=treatment&attendance=attended&scores.phq9.quick=210121012&scores.gad7.quick=1111111&submission_id=s1")
	f.Add("date=&kind=&attendance=&scores.phq9.items.99=9")
	f.Add("date=2026-13-45&kind=treatment&attendance=dna&scores.phq9.items.1=3&adsm=spin&adsm_total=99999999999999999999")
	f.Add("scores.wsas.items.1=-1&scores.phobia.items.3=NaN&adsm_total=Inf&kind=follow_up")
	f.Add("%zz=%zz&&&=")
	s := newFuzzServer(f)
	path := "/referrals/" + s.referral + "/contacts/new"
	f.Fuzz(func(t *testing.T, form string) {
		body := form + "&" + url.Values{"_csrf": {s.csrf}}.Encode()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range s.cookies {
			req.AddCookie(c)
		}
		rec := s.serve(req)
		switch rec.Code {
		case http.StatusSeeOther:
			if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/referrals/"+s.referral) {
				t.Errorf("redirect to %q", loc)
			}
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			if !strings.Contains(rec.Body.String(), "<h1") {
				t.Errorf("%d without a page", rec.Code)
			}
		default:
			t.Errorf("status %d for %q", rec.Code, form)
		}
	})
}
