package ui

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/dataset"
)

// The admin's "Data set" page (issue 12): a month's NHS Talking Therapies
// data set submission, its validation problems each linked to the record
// to put right, the CSV files as a download, and the staff qualifications
// the submission needs.

type datasetPage struct {
	basePage
	Form      *form
	Month     string // YYYY-MM, "" before one is chosen
	From, To  string
	Export    *caseload.IDSExport
	Problems  []datasetProblemRow
	TableRows []datasetTableRow
}

type datasetProblemRow struct {
	caseload.DatasetProblem
	Href string // the record to fix, "" when none
}

type datasetTableRow struct {
	Name, Title string
	Rows        int
}

// monthPeriod reads a month "YYYY-MM" into its first and last days.
func monthPeriod(month string) (from, to string, ok bool) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", "", false
	}
	return t.Format("2006-01-02"), t.AddDate(0, 1, -1).Format("2006-01-02"), true
}

// problemHref is where a problem is put right: the referral's page, its
// patient's demographics, or the qualifications page.
func problemHref(p caseload.DatasetProblem) string {
	switch {
	case p.Table == "IDS902":
		return "/admin/qualifications"
	case p.ReferralID == 0:
		return ""
	case p.Table == "IDS001" || p.Table == "IDS011":
		return referralPath(p.ReferralID) + "/demographics"
	}
	return referralPath(p.ReferralID)
}

// exportFor builds the month's submission, or says what is wrong with the
// month on the form.
func (s *Server) exportFor(c echo.Context, f *form) (*caseload.IDSExport, error) {
	month := f.Values["month"]
	from, to, ok := monthPeriod(month)
	if !ok {
		if f.Errs["month"] == "" {
			f.Errs["month"] = "Enter the month and year, for example 2 2026"
		}
		return nil, nil
	}
	x, err := s.store.ExportIDS(c.Request().Context(), from, to, caseload.IDSHeader{
		CreatedAt: s.store.Now().UTC().Format("2006-01-02T15:04:05")})
	if err != nil {
		return nil, err
	}
	return &x, nil
}

func (s *Server) handleDatasetShow(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	f := newForm("month")
	q := c.QueryParams()
	f.Values["month"] = readMonth(q, f, "month", "The month")
	p := &datasetPage{basePage: s.base(c, "Data set"), Form: f}
	p.Nav = "dataset"
	if f.Values["month"] == "" && f.Errs["month"] == "" {
		readMonth(url.Values{"month": {s.store.Now().UTC().AddDate(0, -1, 0).Format("2006-01")}}, f, "month", "The month")
		return s.render(c, http.StatusOK, "admin_dataset.html", p)
	}
	x, err := s.exportFor(c, f)
	if err != nil {
		return err
	}
	if x == nil {
		return s.renderFormErrors(c, "admin_dataset.html", p, f)
	}
	p.Month, p.From, p.To, p.Export = f.Values["month"], x.From, x.To, x
	for _, t := range dataset.Tables() {
		p.TableRows = append(p.TableRows, datasetTableRow{Name: t.Name, Title: t.Title, Rows: len(x.Tables[t.Name])})
	}
	for _, pr := range x.Problems {
		p.Problems = append(p.Problems, datasetProblemRow{DatasetProblem: pr, Href: problemHref(pr)})
	}
	return s.render(c, http.StatusOK, "admin_dataset.html", p)
}

// handleDatasetDownload sends the month's CSV files as one zip, and audits
// the download (it holds patients' records).
func (s *Server) handleDatasetDownload(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	f := newForm("month")
	f.Values["month"] = readMonth(c.QueryParams(), f, "month", "The month")
	x, err := s.exportFor(c, f)
	if err != nil {
		return err
	}
	if x == nil {
		return echo.NewHTTPError(http.StatusBadRequest, f.Errs["month"])
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, columns []string, rows [][]string) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		return dataset.WriteTable(w, columns, rows)
	}
	for _, t := range dataset.Tables() {
		if err := add(t.Name+".csv", t.Columns, x.Tables[t.Name]); err != nil {
			return err
		}
	}
	var problems [][]string
	for _, p := range x.Problems {
		problems = append(problems, []string{p.Table, p.RecordID, p.Field, p.Problem})
	}
	if err := add("validation.csv", dataset.ValidationColumns, problems); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := s.store.RecordDownload(c.Request().Context(), u, "dataset",
		fmt.Sprintf("IDS %s to %s, %d referrals", x.From, x.To, x.Referrals)); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", "IDS-"+f.Values["month"]+".zip"))
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

type qualificationsPage struct {
	basePage
	Staff   []qualificationRow
	Options []option
	Saved   bool
}

type qualificationRow struct {
	User          caseload.User
	Qualification string
}

func (s *Server) handleQualifications(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	users, err := s.store.StaffUsers(ctx)
	if err != nil {
		return err
	}
	quals, err := s.store.Qualifications(ctx)
	if err != nil {
		return err
	}
	p := &qualificationsPage{basePage: s.base(c, "Staff qualifications"), Options: codeOptions(dataset.QualAttainLevel), Saved: c.QueryParam("saved") != ""}
	p.Nav = "dataset"
	for _, u := range users {
		if u.Role == caseload.RoleTherapist || u.Role == caseload.RoleSupervisor {
			p.Staff = append(p.Staff, qualificationRow{User: u, Qualification: quals[u.ID]})
		}
	}
	return s.render(c, http.StatusOK, "admin_qualifications.html", p)
}

func (s *Server) handleQualificationSet(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	err = s.store.SetQualification(c.Request().Context(), u, id, c.FormValue("qualification"))
	var ve *caseload.ValidationError
	switch {
	case errors.Is(err, caseload.ErrNotFound):
		return echo.ErrNotFound
	case errors.As(err, &ve):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose a qualification from the list.")
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/qualifications?saved=1")
}
