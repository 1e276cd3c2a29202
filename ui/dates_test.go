package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestParseUKDate(t *testing.T) {
	tests := []struct {
		name              string
		day, month, year  string
		want, wantProblem string
	}{
		{"three boxes", "3", "4", "1990", "1990-04-03", ""},
		{"padded", "03", "04", "1990", "1990-04-03", ""},
		{"slashes in the day box", "3/4/1990", "", "", "1990-04-03", ""},
		{"spaces in the day box", "03 04 1990", "", "", "1990-04-03", ""},
		{"dots", "3.4.1990", "", "", "1990-04-03", ""},
		{"dashes", "03-04-1990", "", "", "1990-04-03", ""},
		{"eight digits", "03041990", "", "", "1990-04-03", ""},
		{"month name", "3", "April", "1990", "1990-04-03", ""},
		{"short month name", "3", "apr", "1990", "1990-04-03", ""},
		{"written out in the day box", "27 November 2026", "", "", "2026-11-27", ""},
		{"Sept", "1", "Sept", "2026", "2026-09-01", ""},
		{"leap day", "29", "2", "2024", "2024-02-29", ""},
		{"no leap day", "29", "2", "2026", "", "Date of birth must be a real date"},
		{"31 April", "31", "4", "2026", "", "Date of birth must be a real date"},
		{"day 0", "0", "4", "2026", "", "Date of birth must be a real date"},
		{"month 13", "1", "13", "2026", "", "Date of birth must be a real date: type the month as a number from 1 to 12, or its name"},
		{"two-digit year", "3", "4", "90", "", "The year of date of birth must include 4 numbers, for example 2026"},
		{"no day", "", "4", "1990", "", "Date of birth must include a day"},
		{"no month", "3", "", "1990", "", "Date of birth must include a month"},
		{"no year", "3", "4", "", "", "Date of birth must include a year"},
		{"only a day", "3", "", "", "", "Date of birth must include a month and year"},
		{"letters for a day", "x", "4", "1990", "", "Date of birth must be a real date: type the day as a number, for example 27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problem := parseUKDate(tt.day, tt.month, tt.year, "Date of birth")
			if problem != tt.wantProblem {
				t.Fatalf("problem %q, want %q", problem, tt.wantProblem)
			}
			if problem == "" && got.Format(dateLayout) != tt.want {
				t.Errorf("got %s, want %s", got.Format(dateLayout), tt.want)
			}
		})
	}
}

func TestReadDateKeepsWhatWasTyped(t *testing.T) {
	f := newForm("date")
	v := url.Values{"date_day": {"31"}, "date_month": {"2"}, "date_year": {"2026"}}
	if got := readDate(v, f, "date", "Date of the appointment"); got != "" {
		t.Errorf("31 February read as %q", got)
	}
	if f.Errs["date"] != "Date of the appointment must be a real date" {
		t.Errorf("message %q", f.Errs["date"])
	}
	if f.Values["date_day"] != "31" || f.Values["date_month"] != "2" || f.Values["date_year"] != "2026" {
		t.Errorf("typed values not kept: %v", f.Values)
	}
	// One field, as a script posts it.
	f = newForm("date")
	if got := readDate(url.Values{"date": {"2026-03-16"}}, f, "date", "Date"); got != "2026-03-16" || f.Values["date_day"] != "16" {
		t.Errorf("ISO date in one field: %q, boxes %v", got, f.Values)
	}
}

// TestEveryDateFieldTakesUKForms posts each typed date of the staff forms
// as "3/4/2026" and as "03 04 2026" in the day box and checks it is saved.
// (Two patients: the same name and date of birth twice would be asked "is
// this the same person?", issue 14.)
func TestEveryDateFieldTakesUKForms(t *testing.T) {
	e := newTestEnv(t)
	b := e.signedIn(e.therapist)
	for i, typed := range []string{"3/3/2026", "03 03 2026"} {
		p := b.post("/patients/new", url.Values{"name": {[]string{"Dora Date", "Dina Date"}[i]}, "date_of_birth_day": {strings.Replace(typed, "2026", "1990", 1)},
			"received_on_day": {typed}, "problem_descriptor": {"F32"}, "intensity": {"low"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("new patient with dates %q: %d\n%s", typed, p.Status, errorSummaryOf(p.Body))
		}
		ref := b.get(p.Location)
		if !strings.Contains(ref.Body, "3 March 1990") {
			t.Errorf("date of birth typed %q not shown as 3 March 1990", typed)
		}
		path := p.Location
		sess := url.Values{"date_day": {strings.Replace(typed, "3", "9", 1)}, "kind": {"assessment"}, "attendance": {"attended"}, "action": {"save"}}
		p = b.post(path+"/contacts/new", sess)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("session %d dated %q: %d\n%s", i, sess.Get("date_day"), p.Status, errorSummaryOf(p.Body))
		}
		p = b.post(path+"/end", url.Values{"date_day": {strings.Replace(typed, "3", "10", 1)}, "reason": {"completed"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("end dated %q: %d\n%s", typed, p.Status, errorSummaryOf(p.Body))
		}
		// A new referral for the same patient (issue 14).
		r, err := e.store.Referral(context.Background(), mustID(t, path))
		if err != nil {
			t.Fatal(err)
		}
		p = b.post("/patients/"+itoa(r.PatientID)+"/referrals/new", url.Values{"received_on_day": {[]string{"11/3/2026", "11 03 2026"}[i]}, "problem_descriptor": {"F32"}, "intensity": {"low"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("new referral dated %q: %d\n%s", typed, p.Status, errorSummaryOf(p.Body))
		}
		if again, err := e.store.Referral(context.Background(), mustID(t, p.Location)); err != nil || again.ReceivedOn != "2026-03-11" {
			t.Errorf("new referral typed %q: received %q (%v), want 2026-03-11", typed, again.ReceivedOn, err)
		}
	}
	// Cover, granted by a supervisor (issue 14).
	sue := e.signedIn(e.supervisor)
	p := sue.post("/cover", url.Values{"therapist_id": {itoa(e.colleague.ID)}, "colleague_id": {itoa(e.therapist.ID)},
		"from_on_day": {"17/3/2026"}, "to_on_day": {"23 03 2026"}, "reason": {"Annual leave"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("cover: %d\n%s", p.Status, errorSummaryOf(p.Body))
	}
	if p := sue.get("/cover"); !strings.Contains(p.Body, "17 March 2026") || !strings.Contains(p.Body, "23 March 2026") {
		t.Errorf("cover typed as 17/3/2026 to 23 03 2026 not shown as 17 to 23 March 2026")
	}
}

// mustID is the referral id at the end of a /referrals/N address.
func mustID(t *testing.T, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/referrals/"), 10, 64)
	if err != nil {
		t.Fatalf("no referral id in %q", path)
	}
	return id
}
