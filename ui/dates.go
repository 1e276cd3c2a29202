package ui

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Every date a person types is entered the one way the NHS design system
// gives: three boxes, day, month and year (templates "dateInput"). A field
// "date" posts "date_day", "date_month" and "date_year"; the day box has the
// id of the field itself, so the error summary's link lands in it.
//
// People type dates as they write them, so the whole date may also arrive in
// the day box ("3/4/1990", "03 04 1990", "3.4.1990", "3-4-1990", "03041990",
// "3 April 1990"); without JavaScript the server splits it, with JavaScript
// session_form.js moves on to the next box at a separator. Months may be
// numbers or names ("4", "Apr", "April").

// dateLayout is how a date is kept, sent to the store and written in
// addresses and the API: 2026-03-27.
const dateLayout = "2006-01-02"

// parseDate reads a date as kept (dateLayout). It is the one way from a
// kept date to a time in ui: a date a person types goes through readDate and
// parseUKDate below, which hand on a kept date.
func parseDate(d string) (time.Time, error) { return time.Parse(dateLayout, d) }

// dateParts are the names of a date field's three boxes.
func dateParts(name string) (day, month, year string) {
	return name + "_day", name + "_month", name + "_year"
}

// setDate fills a date field's boxes from a stored YYYY-MM-DD date.
func setDate(f *form, name, iso string) {
	d, m, y := dateParts(name)
	t, err := parseDate(iso)
	if err != nil {
		return
	}
	f.Values[d], f.Values[m], f.Values[y] = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
}

// readDate reads a date field's boxes into the form (kept as typed) and
// returns the date as YYYY-MM-DD. A date that cannot be read puts a message
// on the field, in words, naming the field by what ("Date of birth"), and
// returns "". An empty date returns "" with no message: whether a date is
// required is the caller's to say.
func readDate(values url.Values, f *form, name, what string) string {
	dn, mn, yn := dateParts(name)
	day, month, year := strings.TrimSpace(values.Get(dn)), strings.TrimSpace(values.Get(mn)), strings.TrimSpace(values.Get(yn))
	if one := strings.TrimSpace(values.Get(name)); one != "" {
		// A form posted by a script or an older page may send the date
		// as one field, "date=2026-03-16" or "date=16/3/2026"; the page's
		// own boxes never send it, so when it is there it is meant.
		f.Values[name] = one
		if t, err := parseDate(one); err == nil {
			setDate(f, name, one)
			return t.Format(dateLayout)
		}
		day, month, year = one, "", ""
	}
	f.Values[dn], f.Values[mn], f.Values[yn] = day, month, year
	if day == "" && month == "" && year == "" {
		return ""
	}
	t, problem := parseUKDate(day, month, year, what)
	if problem != "" {
		f.Errs[name] = problem
		return ""
	}
	return t.Format(dateLayout)
}

// readMonth reads a month field's two boxes, month and year ("monthInput";
// a field "month" posts "month_month" and "month_year"), as the first day of
// that month, through parseUKDate like every typed date, and returns it as
// YYYY-MM. A link may send the month as one field, "month=2026-02". An
// empty month returns "" with no message.
func readMonth(values url.Values, f *form, name, what string) string {
	_, mn, yn := dateParts(name)
	if one := strings.TrimSpace(values.Get(name)); one != "" {
		f.Values[name] = one
		t, err := time.Parse("2006-01", one)
		if err != nil {
			f.Errs[name] = what + " must be a month as YYYY-MM, for example 2026-02"
			return ""
		}
		f.Values[mn], f.Values[yn] = strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
		return t.Format("2006-01")
	}
	month, year := strings.TrimSpace(values.Get(mn)), strings.TrimSpace(values.Get(yn))
	f.Values[mn], f.Values[yn] = month, year
	if month == "" && year == "" {
		return ""
	}
	t, problem := parseUKDate("1", month, year, what)
	if problem != "" {
		f.Errs[name] = problem
		return ""
	}
	return t.Format("2006-01")
}

var dateSeparators = regexp.MustCompile(`[\s/.,\-]+`)

// parseUKDate reads a day, month and year as a person in the UK types them,
// or says in words what is wrong, naming the date by what.
func parseUKDate(day, month, year, what string) (time.Time, string) {
	if month == "" && year == "" {
		if parts := dateSeparators.Split(day, -1); len(parts) == 3 {
			day, month, year = parts[0], parts[1], parts[2]
		} else if len(day) == 8 && allDigits(day) {
			day, month, year = day[:2], day[2:4], day[4:]
		}
	}
	var missing []string
	for _, p := range []struct{ v, name string }{{day, "day"}, {month, "month"}, {year, "year"}} {
		if p.v == "" {
			missing = append(missing, p.name)
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return time.Time{}, what + " must include a " + missing[0]
	default:
		return time.Time{}, what + " must include a " + missing[0] + " and " + missing[1]
	}
	d, err := strconv.Atoi(day)
	if err != nil || !allDigits(day) {
		return time.Time{}, what + " must be a real date: type the day as a number, for example 27"
	}
	m, ok := monthNumber(month)
	if !ok {
		return time.Time{}, what + " must be a real date: type the month as a number from 1 to 12, or its name"
	}
	if !allDigits(year) || len(year) != 4 {
		return time.Time{}, "The year of " + lowerFirst(what) + " must include 4 numbers, for example 2026"
	}
	y, _ := strconv.Atoi(year)
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || y < 1 {
		return time.Time{}, what + " must be a real date"
	}
	return t, ""
}

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// monthNumber reads a month as a number or as its name, whole or shortened
// to at least three letters ("Sept" too).
func monthNumber(s string) (int, bool) {
	if allDigits(s) {
		m, err := strconv.Atoi(s)
		return m, err == nil && m >= 1 && m <= 12
	}
	s = strings.ToLower(s)
	if len(s) < 3 {
		return 0, false
	}
	for i, name := range monthNames {
		if strings.HasPrefix(name, s) {
			return i + 1, true
		}
	}
	return 0, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// readReportDates reads the outcome report's three dates (one date in the
// period, or a custom period's first and last day) from the day / month /
// year boxes, or from one field each as a bookmarked address has them.
func readReportDates(q url.Values, f *form) {
	for _, d := range []struct{ name, what string }{
		{"date", "The date in the period"},
		{"from", "The custom period's first day"},
		{"to", "The custom period's last day"},
	} {
		f.Values[d.name] = readDate(q, f, d.name, d.what)
	}
}

// readAuditDates reads the audit search's date range the same way.
func readAuditDates(q url.Values, f *form) {
	f.Values["from"] = readDate(q, f, "from", "The first day")
	f.Values["to"] = readDate(q, f, "to", "The last day")
}
