package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// pageTemplate is one page parsed with the layout and the shared partials.
type pageTemplate struct{ t *template.Template }

// basePage is what the layout needs; every page struct embeds it.
type basePage struct {
	Title   string
	User    *caseload.User
	CSRF    string
	Nav     string   // which navigation item is current
	Scripts []string // extra script files under /static/, each loaded deferred
	Errors  []fieldErr
	// CanAddPatients shows "New patient" in the navigation.
	CanAddPatients bool
	// CanSeeReview and CanSeeReports show "Weekly review" and "Outcomes".
	CanSeeReview  bool
	CanSeeReports bool
	// Print, when set, heads every printed page with whose record it is
	// (print.go).
	Print *printHeader
	// CanSeeDutyList shows "Duty list"; Urgent is the service's urgent
	// number on patients' pages (issue 11).
	CanSeeDutyList bool
	Urgent         caseload.UrgentContact
	// CanReceive shows "Receive a referral" (issue 14).
	CanReceive bool
}

// fieldErr is one line of an error summary, linking to the field at fault.
type fieldErr struct {
	ID      string
	Message string
}

func (s *Server) base(c echo.Context, title string) basePage {
	b := basePage{Title: title}
	if u, ok := currentUser(c); ok && !s.answersJSON(c) {
		b.User = &u
		b.CanAddPatients = addsReferrals(u)
		b.CanSeeReview, b.CanSeeReports = canSeeWeeklyReview(u), canSeeReports(u)
		b.CanSeeDutyList = canSeeDutyList(u)
		b.CanReceive = canReceiveReferrals(u)
		s.addUrgentContact(c, u, &b)
	}
	if t, ok := c.Get(csrfField).(string); ok {
		b.CSRF = t
	}
	return b
}

var funcs = template.FuncMap{
	"fieldID":         fieldID,
	"dict":            dict,
	"seq":             seq,
	"descriptorLabel": measures.DescriptorLabel,
	"instrumentName":  instrumentName,
	"endReasonLabel":  endReasonLabel,
	"kindLabel":       kindLabel,
	"attendanceLabel": attendanceLabel,
	"longDate":        longDate,
	"moveLabel":       moveLabel,
	"nhsNumber":       nhsNumber,
	"telHref":         telHref,
	"sub":             func(a, b int) int { return a - b },
	"add":             func(a, b int) int { return a + b },
}

func parsePages() (map[string]*pageTemplate, error) {
	shared := []string{"templates/layout.html", "templates/partials.html", "templates/review_partials.html", "templates/dataset_partials.html"}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*pageTemplate)
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" || base == "review_partials.html" || base == "dataset_partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, append(shared, n)...)
		if err != nil {
			return nil, err
		}
		pages[base] = &pageTemplate{t: t}
	}
	return pages, nil
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest render buffer kept for reuse.
const maxPooledBuffer = 1 << 20

// render executes a page into a buffer first, so that a template error
// becomes a clean error page instead of half a page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	p, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	if err := s.auditFormView(c, name); err != nil {
		return err
	}
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		// A rare large page's buffer is left to the collector rather than
		// kept in the pool for good.
		if buf.Cap() <= maxPooledBuffer {
			buffers.Put(buf)
		}
	}()
	if err := p.t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// fieldID turns a field name ("scores.phq9.items.4") into the id of its
// input ("scores-phq9-items-4"), which error summaries link to.
func fieldID(name string) string {
	return strings.NewReplacer(".", "-", "_", "-").Replace(name)
}

func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// seq is from..to inclusive.
func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func instrumentName(id measures.InstrumentID) string {
	if in, ok := measures.Lookup(id); ok {
		return in.Name
	}
	return string(id)
}

var endReasonLabels = map[string]string{
	"completed":   "Completed treatment",
	"dropped_out": "Dropped out",
	"declined":    "Declined treatment",
	"moved":       "Moved away",
	"referred_on": "Referred on to another service",
	"other":       "Other",
}

func endReasonLabel(code string) string {
	if l, ok := endReasonLabels[code]; ok {
		return l
	}
	return code
}

var kindLabels = map[measures.ContactKind]string{
	measures.Assessment:          "Assessment",
	measures.Treatment:           "Treatment session",
	measures.AssessmentTreatment: "Assessment and treatment",
	measures.Review:              "Review",
	measures.ReviewTreatment:     "Review and treatment",
	measures.FollowUp:            "Follow-up",
}

func kindLabel(k measures.ContactKind) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

var attendanceLabels = map[measures.Attendance]string{
	measures.Attended:            "Attended",
	measures.AttendedLate:        "Late but seen",
	measures.LateNotSeen:         "Too late to be seen",
	measures.DNA:                 "Did not attend",
	measures.CancelledByPatient:  "Cancelled by the patient",
	measures.CancelledByProvider: "Cancelled by the service",
	measures.Cancelled:           "Cancelled",
}

func attendanceLabel(a measures.Attendance) string {
	if l, ok := attendanceLabels[a]; ok {
		return l
	}
	return string(a)
}

// longDate shows a stored YYYY-MM-DD date as "3 March 2026".
func longDate(d string) string {
	t, err := parseDate(d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

// form holds what was typed into a form and what is wrong with it, so that a
// form sent back with errors keeps every answer.
type form struct {
	Values map[string]string
	Errs   map[string]string
	order  []string // field names in the order they appear on the page
}

func newForm(order ...string) *form {
	return &form{Values: map[string]string{}, Errs: map[string]string{}, order: order}
}

func (f *form) Value(name string) string { return f.Values[name] }
func (f *form) Err(name string) string   { return f.Errs[name] }
func (f *form) Has(name, v string) bool  { return f.Values[name] == v }

// summary lists the errors in page order, then any others by name.
func (f *form) summary() []fieldErr {
	var out []fieldErr
	seen := map[string]bool{}
	for _, n := range f.order {
		if m, ok := f.Errs[n]; ok {
			out = append(out, fieldErr{ID: fieldID(n), Message: m})
			seen[n] = true
		}
	}
	var rest []string
	for n := range f.Errs {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	for _, n := range rest {
		out = append(out, fieldErr{ID: fieldID(n), Message: f.Errs[n]})
	}
	return out
}

// renderForm re-renders a form page with its errors at 422.
func (s *Server) renderFormErrors(c echo.Context, name string, p interface{ setErrors([]fieldErr) }, f *form) error {
	p.setErrors(f.summary())
	return s.render(c, http.StatusUnprocessableEntity, name, p)
}

func (b *basePage) setErrors(e []fieldErr) { b.Errors = e }
