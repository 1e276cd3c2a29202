package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

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

// exportPseudonyms names referrals in one export: HMAC-SHA-256 under a key
// made for the export and then forgotten, so the same referral gets another
// pseudonym in the next export and none can be turned back into an id.
type exportPseudonyms struct{ key []byte }

func newExportPseudonyms() (exportPseudonyms, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return exportPseudonyms{}, fmt.Errorf("export pseudonyms: %w", err)
	}
	return exportPseudonyms{key: key}, nil
}

func (p exportPseudonyms) of(referralID int64) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(strconv.FormatInt(referralID, 10)))
	return "X" + hex.EncodeToString(m.Sum(nil))[:12]
}

// adminExport, for an admin's CSV, gives each referral its pseudonym and
// sorts the rows by it (so that their order does not follow the ids, or the
// audit rows); nil for anyone else.
func adminExport(u caseload.User, rows []caseload.ReportRow) (map[int64]string, error) {
	if u.Role != caseload.RoleAdmin {
		return nil, nil
	}
	p, err := newExportPseudonyms()
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(rows))
	for _, r := range rows {
		names[r.ReferralID] = p.of(r.ReferralID)
	}
	slices.SortFunc(rows, func(a, b caseload.ReportRow) int { return strings.Compare(names[a.ReferralID], names[b.ReferralID]) })
	return names, nil
}
