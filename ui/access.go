package ui

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"clinic/internal/caseload"

	"github.com/labstack/echo/v4"
)

// This file answers "who may see or change this?": first the policy (plain
// functions of a user and a record), then the gate that applies it to a
// request (the require* middleware for staff, tokens, patients and admins,
// referralFor, the break-glass grant and the refusals). Every handler and
// API endpoint asks here; nothing else decides access.

func isStaff(u caseload.User) bool {
	switch u.Role {
	case caseload.RoleTherapist, caseload.RoleSupervisor, caseload.RoleAdmin:
		return true
	}
	return false
}

// Administrators (issue 6) manage users, teams and tokens and search the
// audit log. They see no patient records, except through "break glass": an
// admin gives a reason and gets caseload.BreakGlassFor of read-only access
// to one patient's records, every view audited with the reason.

// canAdminister: users, teams, tokens and the audit log are admins' alone.
func canAdminister(u caseload.User) bool {
	return u.Role == caseload.RoleAdmin
}

// canBreakGlass: only admins ask for emergency access; everyone else who
// needs a record is given it through the caseload.
func canBreakGlass(u caseload.User) bool {
	return u.Role == caseload.RoleAdmin
}

// canReadUnderGrant: an admin with a live grant for the referral's patient
// may read (never change) the patient's referrals.
func canReadUnderGrant(u caseload.User, r caseload.Referral, g caseload.Grant, now time.Time) bool {
	return canBreakGlass(u) && g.UserID == u.ID && g.PatientID == r.PatientID && now.Before(g.ExpiresAt)
}

// canDisableUser: an admin may disable anyone but themself (so that the
// last admin cannot lock everyone out by accident).
func canDisableUser(u, target caseload.User) bool {
	return canAdminister(u) && u.ID != target.ID
}

// canSeeRecordViewers: staff who can see a record see who else has viewed
// it (the record page's "Who has viewed this record"); patients do not.
func canSeeRecordViewers(u caseload.User) bool {
	return isStaff(u)
}

// addsReferrals reports whether the user carries referrals of their own and
// so adds patients and referrals: therapists only, as the store puts every
// referral on a therapist's caseload in their team. Supervisors see their
// teams' cases but hold none themselves.
func addsReferrals(u caseload.User) bool {
	return u.Role == caseload.RoleTherapist
}

// holdsCaseload reports whether the user works with patients' records by
// caseload (their own, or their teams'): such staff are answered "not found"
// for records that are not theirs.
func holdsCaseload(u caseload.User) bool {
	return u.Role == caseload.RoleTherapist || u.Role == caseload.RoleSupervisor
}

// canSeeReferral: a therapist sees their own referrals and, while covering
// a colleague (issue 14), the colleague's; a supervisor their own and those
// of the teams they supervise; an admin no patient records.
func canSeeReferral(u caseload.User, r caseload.Referral) bool {
	switch u.Role {
	case caseload.RoleTherapist:
		return r.TherapistID == u.ID || slices.Contains(u.Covering, r.TherapistID)
	case caseload.RoleSupervisor:
		return r.TherapistID == u.ID || slices.Contains(u.Teams, r.TeamID)
	}
	return false
}

// canReferPatient: a new referral for an existing patient may be opened by
// whoever added the patient or may see one of their referrals (a therapist,
// or a supervisor receiving it for their team, issue 14). Anyone else
// is answered as if the patient did not exist, so that patient ids cannot be
// tried one by one to learn names.
func canReferPatient(u caseload.User, pc caseload.PatientCare) bool {
	if !addsReferrals(u) && !canSeeWaitingList(u) {
		return false
	}
	if pc.AddedBy == u.ID {
		return true
	}
	return slices.ContainsFunc(pc.Referrals, func(r caseload.Referral) bool { return canSeeReferral(u, r) })
}

// canChangeReferral: whoever may see a referral may record on it (a
// supervisor covering a colleague's session), while it is open.
func canChangeReferral(u caseload.User, r caseload.Referral) bool {
	return canSeeReferral(u, r) && r.Open()
}

// canEditDemographics: whoever may see a referral may record its
// patient's demographics, after it has ended too (a data set problem found
// at the monthly submission is put right on the record).
func canEditDemographics(u caseload.User, r caseload.Referral) bool {
	return canSeeReferral(u, r)
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

// Patients (issue 5). A patient reaches only the referrals whose invitation
// they accepted (caseload.PatientAccess); staff pages refuse them (403), and
// patient pages answer "not found" for any referral not theirs.

// patientReadDaysAfterEnd: when a referral ends, its patient can still read
// their progress for this many days after the end date, then access closes
// (issue 5). Checked at sign-in and on every request.
const patientReadDaysAfterEnd = 90

// patientReadUntil is the last day a patient can read an ended referral,
// YYYY-MM-DD; "" while it is open.
func patientReadUntil(r caseload.Referral) string {
	end, err := parseDate(r.EndedOn)
	if err != nil {
		return ""
	}
	return end.AddDate(0, 0, patientReadDaysAfterEnd).Format(dateLayout)
}

// patientCanRead: an open referral, or one ended no more than
// patientReadDaysAfterEnd days before today (YYYY-MM-DD, England).
func patientCanRead(a caseload.PatientAccess, today string) bool {
	return a.Referral.Open() || today <= patientReadUntil(a.Referral)
}

// patientCanSubmit: questionnaires go only to an open referral.
func patientCanSubmit(a caseload.PatientAccess) bool {
	return a.Referral.Open()
}

// canInvitePatient: whoever may record on an open referral may invite its
// patient.
func canInvitePatient(u caseload.User, r caseload.Referral) bool {
	return canChangeReferral(u, r)
}

// canRevokePatientAccess: whoever may see the referral may end its
// patient's access, at any time, ended or not.
func canRevokePatientAccess(u caseload.User, r caseload.Referral) bool {
	return canSeeReferral(u, r)
}

// Supervision and outcome reports (issue 4).
//
// The weekly review and recording reviews are a supervisor's, for the teams
// they supervise. Outcome reports: a supervisor reports on the teams they
// supervise (any of their therapists); an admin on the whole service, as
// aggregate figures and pseudonymous rows (the CSV carries referral ids and
// staff names, never a patient's name, NHS number or date of birth, and an
// admin still cannot open the records behind them); a therapist on their own
// referrals only.

// canSeeWeeklyReview: supervisors hold the weekly review.
func canSeeWeeklyReview(u caseload.User) bool {
	return u.Role == caseload.RoleSupervisor
}

// reviewTeams are the teams whose cases a user's weekly review lists.
func reviewTeams(u caseload.User) []int64 {
	if !canSeeWeeklyReview(u) {
		return nil
	}
	return u.Teams
}

// canReviewReferral: a supervisor of the referral's team records reviews.
func canReviewReferral(u caseload.User, r caseload.Referral) bool {
	return u.Role == caseload.RoleSupervisor && slices.Contains(u.Teams, r.TeamID)
}

// canSeeReviews: whoever may see a referral sees its reviews.
func canSeeReviews(u caseload.User, r caseload.Referral) bool {
	return canSeeReferral(u, r)
}

// reportTeams are the teams a user may report on as a whole: every team
// for an admin (nil with all true), the supervised ones for a supervisor,
// none for a therapist (who reports on their own referrals only).
func reportTeams(u caseload.User) (teams []int64, all bool) {
	switch u.Role {
	case caseload.RoleAdmin:
		return nil, true
	case caseload.RoleSupervisor:
		return u.Teams, false
	}
	return nil, false
}

// canReportOnTeam: an admin on any team, a supervisor on theirs.
func canReportOnTeam(u caseload.User, teamID int64) bool {
	teams, all := reportTeams(u)
	return all || slices.Contains(teams, teamID)
}

// canReportOnTherapist: a therapist on themself; a supervisor on the
// therapists of their teams and on themself; an admin on anyone.
func canReportOnTherapist(u caseload.User, therapist caseload.User) bool {
	if therapist.ID == u.ID {
		return holdsCaseload(u)
	}
	teams, all := reportTeams(u)
	return all || (therapist.TeamID != 0 && slices.Contains(teams, therapist.TeamID))
}

// canSeeReports: staff who hold caseloads or run the service.
func canSeeReports(u caseload.User) bool {
	return isStaff(u)
}

// Clinical safety (issue 11): risk alerts, the duty list, reopening.
//
// A risk alert belongs to its referral: whoever may see the referral sees
// its alerts, and the clinicians among them (its therapist, a supervisor of
// its team) acknowledge them, whether or not the referral is still open (an
// answer is never left unread because the case ended). An admin under break
// glass reads alerts on the record but acknowledges none.

// alertReferral is the part of a referral an alert carries, for the policy.
func alertReferral(a caseload.RiskAlert) caseload.Referral {
	r := caseload.Referral{ID: a.ReferralID, TherapistID: a.TherapistID, TeamID: a.TeamID}
	if !a.ReferralOpen {
		r.EndedOn = "ended"
	}
	return r
}

// canSeeRiskAlert: as for its referral.
func canSeeRiskAlert(u caseload.User, a caseload.RiskAlert) bool {
	return canSeeReferral(u, alertReferral(a))
}

// canAcknowledgeRiskAlert: a clinician who may see the referral.
func canAcknowledgeRiskAlert(u caseload.User, a caseload.RiskAlert) bool {
	return holdsCaseload(u) && canSeeRiskAlert(u, a)
}

// canSeeDutyList: the clinicians who hold or supervise caseloads.
func canSeeDutyList(u caseload.User) bool {
	return holdsCaseload(u)
}

// dutyScope selects the alerts a user's duty list (and the API's list)
// shows: exactly the referrals canSeeReferral lets them see (seeScope), a
// therapist's own and those they cover, a supervisor's own and their
// teams'. ok is false for anyone else.
func dutyScope(u caseload.User) (f caseload.RiskAlertFilter, ok bool) {
	if !canSeeDutyList(u) {
		return caseload.RiskAlertFilter{}, false
	}
	sc := seeScope(u, nil)
	return caseload.RiskAlertFilter{TherapistIDs: sc.TherapistIDs, Teams: sc.Teams}, true
}

// canReopenReferral: the referral's therapist or a supervisor of its team
// (the store keeps the 28-day limit and wants a reason).
func canReopenReferral(u caseload.User, r caseload.Referral) bool {
	return (u.Role == caseload.RoleTherapist && r.TherapistID == u.ID) || canReviewReferral(u, r)
}

// canSetUrgentContact: the service's urgent number is an admin's setting.
func canSetUrgentContact(u caseload.User) bool {
	return canAdminister(u)
}

// The gate: the policy applied to a request.

// currentUser is the signed-in user (session or token), if any.
func currentUser(c echo.Context) (caseload.User, bool) {
	u, ok := c.Get(userKey).(caseload.User)
	return u, ok
}

// requireStaff sends anyone not signed in to the sign-in page, and refuses
// users who are not staff.
func (s *Server) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, ok := currentUser(c)
		if !ok {
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/sign-in?next="+c.Request().URL.RequestURI())
			}
			return c.Redirect(http.StatusSeeOther, "/sign-in")
		}
		if !isStaff(u) {
			return echo.ErrForbidden
		}
		if err := s.withCover(c, u); err != nil {
			return err
		}
		return next(c)
	}
}

// withCover adds to a therapist the colleagues whose caseloads they cover
// today, for the policy to read.
func (s *Server) withCover(c echo.Context, u caseload.User) error {
	if u.Role != caseload.RoleTherapist {
		return nil
	}
	covering, err := s.store.Covering(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	u.Covering = covering
	setUser(c, u)
	return nil
}

// requireToken authenticates an API request by its Bearer token, checked
// in the database (UserByToken), but for the two routes that check it again
// before they answer (keptTokenAllowed).
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		token, err := bearerToken(c)
		if err != nil {
			return err
		}
		if keptTokenAllowed(c) {
			if u, tok, v, ok := s.store.KeptTokenUser(token); ok {
				c.Set(keptTokenKey, v)
				setRequestUser(c, u, tok)
				return next(c)
			}
		}
		u, tok, err := s.checkToken(c, token)
		if err != nil {
			return err
		}
		setRequestUser(c, u, tok)
		return next(c)
	}
}

// bearerToken is the request's Bearer token, or the 401 that asks for one.
func bearerToken(c echo.Context) (string, error) {
	token, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="clinic"`)
		return "", apiErr(http.StatusUnauthorized, "a Bearer token is required", "")
	}
	return token, nil
}

// checkToken is the user a token belongs to (with their cover: UserByToken
// reads it) and the token, checked in the database, or the 401 refusing it.
func (s *Server) checkToken(c echo.Context, token string) (caseload.User, caseload.Token, error) {
	u, tok, err := s.store.UserByToken(c.Request().Context(), token)
	if errors.Is(err, caseload.ErrNotFound) || errors.Is(err, caseload.ErrBadCredentials) || (err == nil && u.Disabled) {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="clinic", error="invalid_token"`)
		return u, tok, apiErr(http.StatusUnauthorized, "the token is not valid", "")
	}
	return u, tok, err
}

// Tokens kept between writes (issue 17). The API's GET of a referral is its
// most frequent request, and checking its token in the database was a
// fifth of its cost. While nothing has been written, the store can answer
// from the token and user an earlier check found (KeptTokenUser), but
// another process's commit (a token revoked at the command line) is noticed
// only by the store's next write. That route writes one before it answers
// (its view's audit row), so it, and only it, takes the kept answer and
// confirms it with confirmKeptToken after the audit row and before sending
// anything: if the store's AccessVersion has moved since, by a write of
// this process that may change access (anything but a save of a session)
// or a commit of another's, the token is checked in the database
// again and access decided again for the user of that moment. A token
// revoked or a user disabled anywhere is so refused on the next request, as
// with a check of every request.
//
// A save of a session (keptSaveRoute), the API's most frequent write, takes
// the kept answer too, and has the store confirm it in the save's own turn
// on the committer, before anything is written (RecordContactKept): if
// AccessVersion has moved, nothing is saved, the token is checked in the
// database and the save made, or refused, for the user of that moment.
const ( // #nosec G101 -- routes and a context key, not credentials
	keptTokenRoute = "/api/v1/referrals/:id"
	keptSaveRoute  = "/api/v1/referrals/:id/contacts"
	keptTokenKey   = "clinic.kept_token_version"
)

// keptTokenAllowed says whether the request may be authenticated by a kept
// token: a GET of a referral or a save of a session, each of which confirms
// it before it answers.
func keptTokenAllowed(c echo.Context) bool {
	switch c.Path() {
	case keptTokenRoute:
		return isRead(c)
	case keptSaveRoute:
		return c.Request().Method == http.MethodPost
	}
	return false
}

// confirmKeptToken, called once the request's audit row is written, returns
// the request's user: as it was when the kept token still holds, or as the
// database says now (rechecked reports that), or the 401 refusing the token.
func (s *Server) confirmKeptToken(c echo.Context) (u caseload.User, rechecked bool, err error) {
	u, _ = currentUser(c)
	v, ok := c.Get(keptTokenKey).(uint64)
	if !ok {
		return u, false, nil
	}
	if now, _ := s.store.AccessVersion(); now == v {
		return u, false, nil
	}
	u, err = s.recheckToken(c)
	return u, err == nil, err
}

// recheckToken checks the request's token in the database, as requireToken
// does on every route that takes no kept token, and makes the user it names
// now the request's; or returns the 401 refusing it.
func (s *Server) recheckToken(c echo.Context) (caseload.User, error) {
	c.Set(keptTokenKey, nil)
	token, err := bearerToken(c)
	if err != nil {
		return caseload.User{}, err
	}
	u, tok, err := s.checkToken(c, token)
	if err != nil {
		return u, err
	}
	setRequestUser(c, u, tok)
	return u, nil
}

// adminOnly returns the signed-in admin, or refuses.
func adminOnly(c echo.Context) (caseload.User, error) {
	u, _ := currentUser(c)
	if !canAdminister(u) {
		return u, echo.ErrForbidden
	}
	return u, nil
}

// requireAdmin refuses anyone but an administrator (after requireStaff has
// sent the signed-out to sign in).
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, err := adminOnly(c); err != nil {
			return err
		}
		return next(c)
	}
}

const patientAccessKey = "clinic.patient_access"

// readableAccess keeps the referrals a patient may still read today.
func readableAccess(all []caseload.PatientAccess, today string) []caseload.PatientAccess {
	var out []caseload.PatientAccess
	for _, a := range all {
		if patientCanRead(a, today) {
			out = append(out, a)
		}
	}
	return out
}

// requirePatient sends anyone not signed in to the sign-in page, refuses
// staff, and signs out a patient who has nothing left to read (access
// revoked, or every referral ended more than patientReadDaysAfterEnd ago),
// checked on every request with the server's clock.
func (s *Server) requirePatient(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, ok := currentUser(c)
		if !ok {
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/sign-in?next="+c.Request().URL.RequestURI())
			}
			return c.Redirect(http.StatusSeeOther, "/sign-in")
		}
		if u.Role != caseload.RolePatient {
			return echo.ErrForbidden
		}
		all, err := s.store.PatientAccess(c.Request().Context(), u.ID)
		if err != nil {
			return err
		}
		readable := readableAccess(all, s.store.Today())
		if len(readable) == 0 {
			s.clearSession(c)
			return c.Redirect(http.StatusSeeOther, "/sign-in?closed=1")
		}
		c.Set(patientAccessKey, readable)
		return next(c)
	}
}

// patientReferral is the signed-in patient's referral named by the path's
// :id, or ErrNotFound for any referral that is not theirs to read.
func patientReferral(c echo.Context) (caseload.User, caseload.PatientAccess, error) {
	u, _ := currentUser(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return u, caseload.PatientAccess{}, caseload.ErrNotFound
	}
	readable, _ := c.Get(patientAccessKey).([]caseload.PatientAccess)
	i := slices.IndexFunc(readable, func(a caseload.PatientAccess) bool { return a.Referral.ID == id })
	if i < 0 {
		return u, caseload.PatientAccess{}, caseload.ErrNotFound
	}
	return u, readable[i], nil
}

// refuse answers a refused request: "not found" to those who must not learn
// that the record exists, "forbidden" to the others.
func refuse(u caseload.User) error {
	if hideRefusal(u) {
		return caseload.ErrNotFound
	}
	return echo.ErrForbidden
}

// referralFor loads the referral named in the path when the signed-in user
// may see it and, where allowed is given, do the thing asked. An admin sees
// it only under a live break-glass grant, and only to read. A read is
// audited as a view before the handler sends anything.
func (s *Server) referralFor(c echo.Context, allowed func(caseload.User, caseload.Referral) bool) (caseload.User, caseload.Referral, error) {
	u, _ := currentUser(c)
	id, err := idParam(c, "id")
	if err != nil {
		return u, caseload.Referral{}, err
	}
	r, err := s.store.Referral(c.Request().Context(), id)
	if err != nil {
		return u, r, err
	}
	return u, r, s.admitReferral(c, u, r, allowed)
}

// admitReferral is referralFor's decision on a referral already read: nil
// when u may see it (and do what allowed asks), a read audited as a view
// before the handler sends anything.
func (s *Server) admitReferral(c echo.Context, u caseload.User, r caseload.Referral, allowed func(caseload.User, caseload.Referral) bool) error {
	grant, underGrant, err := s.decideReferral(c, u, r, allowed)
	if err != nil {
		return err
	}
	if underGrant {
		c.Set(grantKey, grant)
	}
	if isRead(c) {
		if err := s.recordView(c, u, r, grant); err != nil {
			return err
		}
	}
	noteFormView(c, u, r.ID)
	return nil
}

// decideReferral is the decision alone: nil when u may see r (and do what
// allowed asks); the admin's break-glass grant for r's patient, if any, and
// whether u sees r only under it.
func (s *Server) decideReferral(c echo.Context, u caseload.User, r caseload.Referral, allowed func(caseload.User, caseload.Referral) bool) (caseload.Grant, bool, error) {
	grant, err := s.grantFor(c, u, r)
	if err != nil {
		return grant, false, err
	}
	underGrant := !canSeeReferral(u, r) && canReadUnderGrant(u, r, grant, s.clock())
	if !canSeeReferral(u, r) && !underGrant {
		return grant, false, refuseReferral(u, r)
	}
	if underGrant && !isRead(c) {
		return grant, true, echo.ErrForbidden // break glass is for reading
	}
	if allowed != nil && (underGrant || !allowed(u, r)) {
		if !r.Open() {
			return grant, underGrant, errEnded
		}
		return grant, underGrant, echo.ErrForbidden
	}
	return grant, underGrant, nil
}

// grantFor is the admin's live break-glass grant for the referral's
// patient; the zero Grant for anyone else, or when there is none.
func (s *Server) grantFor(c echo.Context, u caseload.User, r caseload.Referral) (caseload.Grant, error) {
	if !canBreakGlass(u) {
		return caseload.Grant{}, nil
	}
	g, err := s.store.ActiveGrant(c.Request().Context(), u.ID, r.PatientID)
	if errors.Is(err, caseload.ErrNotFound) {
		return caseload.Grant{}, nil
	}
	return g, err
}

// refuseReferral answers a refused request for a referral: "not found" to
// those who must not learn that it exists, and to an admin a way in
// through break glass.
func refuseReferral(u caseload.User, r caseload.Referral) error {
	if canBreakGlass(u) {
		href := fmt.Sprintf("/admin/break-glass?referral=%d", r.ID)
		return &apiError{
			Status: http.StatusForbidden,
			Message: "Patient records are closed to administrators. If you need to see this one, break glass " +
				"(" + href + ") and give your reason: your reading is then recorded with it.",
			Href:     href,
			HrefText: fmt.Sprintf("Break glass for referral %d", r.ID),
		}
	}
	return refuse(u)
}

// isRead reports whether the request only reads.
func isRead(c echo.Context) bool {
	m := c.Request().Method
	return m == "GET" || m == "HEAD"
}

// Finding patients (issue 14). A search, a patient's page and the API's
// patient list read only what canSeeReferral allows, applied by the store
// in SQL through the scope below; an admin finds only the patients they
// broke glass for.

// canSearchPatients: staff search; patients do not.
func canSearchPatients(u caseload.User) bool {
	return isStaff(u)
}

// seeScope is canSeeReferral (and canReadUnderGrant, for the granted
// patients of an admin) as a caseload.Scope: the referrals a therapist
// holds, those of a supervisor and of the teams they supervise, every
// referral of an admin's granted patients. TestSeeScopeAgreesWithPolicy
// keeps the two in step.
func seeScope(u caseload.User, granted []int64) caseload.Scope {
	switch u.Role {
	case caseload.RoleTherapist:
		return caseload.Scope{TherapistIDs: append([]int64{u.ID}, u.Covering...)}
	case caseload.RoleSupervisor:
		return caseload.Scope{TherapistIDs: []int64{u.ID}, Teams: slices.Clone(u.Teams)}
	case caseload.RoleAdmin:
		return caseload.Scope{PatientIDs: granted}
	}
	return caseload.Scope{}
}

// scopeFor is the signed-in user's seeScope, with an admin's live grants.
func (s *Server) scopeFor(c echo.Context, u caseload.User) (caseload.Scope, error) {
	var granted []int64
	if canBreakGlass(u) {
		var err error
		if granted, err = s.store.GrantedPatients(c.Request().Context(), u.ID); err != nil {
			return caseload.Scope{}, err
		}
	}
	return seeScope(u, granted), nil
}

// patientFor loads the patient named in the path with their referrals the
// user may see, or "not found" when they may see none; the read is
// audited (with the break-glass reason for an admin) before it is shown.
func (s *Server) patientFor(c echo.Context) (caseload.User, caseload.PatientRecord, error) {
	u, _ := currentUser(c)
	id, err := idParam(c, "id")
	if err != nil {
		return u, caseload.PatientRecord{}, err
	}
	scope, err := s.scopeFor(c, u)
	if err != nil {
		return u, caseload.PatientRecord{}, err
	}
	rec, err := s.store.PatientRecord(c.Request().Context(), id, scope)
	if errors.Is(err, caseload.ErrNotFound) && canBreakGlass(u) {
		return u, rec, &apiError{Status: http.StatusForbidden,
			Message: "Patient records are closed to administrators. To see one, break glass for one of the patient's referrals and give your reason."}
	}
	if err != nil {
		return u, rec, err
	}
	detail := viewLabel(c)
	if canBreakGlass(u) {
		if g, err := s.store.ActiveGrant(c.Request().Context(), u.ID, id); err == nil {
			detail += " (break glass: " + g.Reason + ")"
		}
	}
	if err := s.store.RecordView(c.Request().Context(), u, "patient", id, detail); err != nil {
		return u, rec, err
	}
	return u, rec, nil
}

// Waiting list and movements of care (issue 14). Supervisors hold their
// teams' waiting lists, receive referrals onto them and allocate them; a
// supervisor moves any open referral of their teams (step up, step down,
// transfer) to a therapist of their teams; a therapist may move their own
// open case to a colleague in their team. Nobody moves an ended referral.

// canSeeWaitingList: supervisors hold their teams' waiting lists.
func canSeeWaitingList(u caseload.User) bool {
	return u.Role == caseload.RoleSupervisor
}

// canReceiveReferrals: supervisors and admins (the service's front desk)
// receive referrals without a therapist onto a waiting list through the
// receive form. An admin still sees no patient record afterwards.
func canReceiveReferrals(u caseload.User) bool {
	return u.Role == caseload.RoleSupervisor || u.Role == caseload.RoleAdmin
}

// canReceiveInto: a supervisor receives unallocated referrals onto the
// waiting lists of the teams they supervise; an admin onto any team's.
func canReceiveInto(u caseload.User, teamID int64) bool {
	if teamID == 0 {
		return false
	}
	return u.Role == caseload.RoleAdmin || u.Role == caseload.RoleSupervisor && slices.Contains(u.Teams, teamID)
}

// canMoveReferral: the team's supervisor (allocation included), or the
// referral's own therapist, while it is open.
func canMoveReferral(u caseload.User, r caseload.Referral) bool {
	if !r.Open() {
		return false
	}
	if u.Role == caseload.RoleSupervisor && slices.Contains(u.Teams, r.TeamID) {
		return true
	}
	return u.Role == caseload.RoleTherapist && !r.Waiting && r.TherapistID == u.ID
}

// moveTeams are the teams whose therapists u may move a referral to: a
// supervisor's teams, a therapist's own.
func moveTeams(u caseload.User) []int64 {
	switch u.Role {
	case caseload.RoleSupervisor:
		return u.Teams
	case caseload.RoleTherapist:
		return []int64{u.TeamID}
	}
	return nil
}

// canMoveTo: an active therapist of one of moveTeams(u).
func canMoveTo(u caseload.User, target caseload.User) bool {
	return target.Role == caseload.RoleTherapist && !target.Disabled && target.TeamID != 0 && slices.Contains(moveTeams(u), target.TeamID)
}

// Cover (issue 14): a supervisor lets a therapist of their teams cover a
// colleague's caseload (also of their teams) for a date range; while it
// lasts, canSeeReferral lets the covering therapist see and record on the
// colleague's referrals. Both see the cover; it ends by itself.

// canGrantCover: a supervisor of both therapists' teams.
func canGrantCover(u, therapist, colleague caseload.User) bool {
	return u.Role == caseload.RoleSupervisor && therapist.TeamID != 0 && colleague.TeamID != 0 &&
		slices.Contains(u.Teams, therapist.TeamID) && slices.Contains(u.Teams, colleague.TeamID)
}

// coverTeams are the teams whose covers a user sees besides their own: a
// supervisor's.
func coverTeams(u caseload.User) []int64 {
	if u.Role == caseload.RoleSupervisor {
		return u.Teams
	}
	return nil
}
