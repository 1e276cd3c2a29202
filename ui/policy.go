package ui

import (
	"slices"

	"clinic/internal/caseload"
)

// This file is clinic's access policy: who may see or change which records.
// Every handler and API endpoint asks here; nothing else decides access.
// Issue 6 extends it (admins' audited "break glass", patients).

func isStaff(u caseload.User) bool {
	switch u.Role {
	case caseload.RoleTherapist, caseload.RoleSupervisor, caseload.RoleAdmin:
		return true
	}
	return false
}

// holdsCaseload reports whether the user can carry referrals of their own
// and so add patients and referrals.
func holdsCaseload(u caseload.User) bool {
	return u.Role == caseload.RoleTherapist || u.Role == caseload.RoleSupervisor
}

// canSeeReferral: a therapist sees their own referrals; a supervisor their
// own and those of the teams they supervise; an admin no patient records.
func canSeeReferral(u caseload.User, r caseload.Referral) bool {
	switch u.Role {
	case caseload.RoleTherapist:
		return r.TherapistID == u.ID
	case caseload.RoleSupervisor:
		return r.TherapistID == u.ID || slices.Contains(u.Teams, r.TeamID)
	}
	return false
}

// canChangeReferral: whoever may see a referral may record on it (a
// supervisor covering a colleague's session), while it is open.
func canChangeReferral(u caseload.User, r caseload.Referral) bool {
	return canSeeReferral(u, r) && r.Open()
}

// canCorrectScores: corrections stay possible after a referral has ended, so
// that a mistake found at discharge can still be put right.
func canCorrectScores(u caseload.User, r caseload.Referral) bool {
	return canSeeReferral(u, r)
}

// canBringToSupervision: only the referral's own therapist asks for it.
func canBringToSupervision(u caseload.User, r caseload.Referral) bool {
	return r.TherapistID == u.ID && r.Open()
}

// hideRefusal says whether a refusal is answered "not found" rather than
// "forbidden": staff who hold caseloads must not learn that a colleague's
// referral exists; an admin is refused patient records as a class.
func hideRefusal(u caseload.User) bool {
	return holdsCaseload(u)
}
