package ui

import (
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"slices"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// What an administrator sees of patients (issue 15, 2). Admins hold no
// patient records; a patient's name or e-mail beside the fact that they
// have an account at a talking therapies service tells too much. So, to
// admins, a patient user is "patient user #N" on the Users page and in the
// audit log's filter and rows (full detail only through break glass, on the
// record itself), and the outcome CSV an admin downloads carries, instead of
// referral ids, pseudonyms that hold for that one export only.

// patientLabel is how an admin sees a patient user.
func patientLabel(id int64) string { return fmt.Sprintf("patient user #%d", id) }

// maskPatientUser hides a patient user's name and e-mail from an admin.
func maskPatientUser(viewer, u caseload.User) caseload.User {
	if viewer.Role == caseload.RoleAdmin && u.Role == caseload.RolePatient {
		u.Name, u.Email = patientLabel(u.ID), ""
	}
	return u
}

// maskAuditEntries hides patient users' names in audit rows from an admin.
func maskAuditEntries(viewer caseload.User, entries []caseload.AuditEntry) {
	if viewer.Role != caseload.RoleAdmin {
		return
	}
	for i, e := range entries {
		if e.UserRole == caseload.RolePatient {
			entries[i].UserName = patientLabel(e.UserID)
		}
	}
}

// writeAdminCSV streams the administrator's CSV: each referral under its
// pseudonym for this export (caseload.ExportPseudonym, under a key made for
// it and then forgotten), in the pseudonyms' order, so that neither the
// pseudonyms nor the order of the rows follow the ids or the audit rows.
// SQLite orders the rows, so the export holds one row at a time, however
// large. ids are the audited referrals, in order: a referral that entered
// the period since the audit is not sent.
func (s *Server) writeAdminCSV(c echo.Context, q reportQuery, flt caseload.ReportFilter, ids []int64) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("export pseudonyms: %w", err)
	}
	var w *csv.Writer
	err := s.store.EachReportRowByPseudonym(c.Request().Context(), flt, key, func(r *caseload.ReportRow, pseudonym string) error {
		if _, audited := slices.BinarySearch(ids, r.ReferralID); !audited {
			return nil
		}
		if w == nil {
			w = startCSV(c, q)
		}
		rec := csvRecord(*r, q.From, q.To)
		rec[0] = pseudonym
		return w.Write(rec)
	})
	if w == nil && err == nil {
		w = startCSV(c, q)
	}
	if w == nil {
		return err // nothing sent yet: an error page
	}
	w.Flush()
	return nil // once the status is sent, an error is the client gone away
}
