package ui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// access says who may reach a route at all; what they may do with a given
// record is decided per record in access.go.
type access int

const (
	public  access = iota // anyone: sign-in
	staff                 // a signed-in member of staff (browser session)
	api                   // a Bearer token (JSON API)
	patient               // a signed-in patient (browser session): their own records only
	admin                 // a signed-in administrator (browser session): users, teams, audit
)

// route is one row of the route table.
type route struct {
	method  string
	path    string
	handler echo.HandlerFunc
	access  access
}

// routes is the whole application, in one table: the clinical and patient
// pages, then the admin's, then the JSON API (three parts only to keep each
// function short).
func (s *Server) routes() []route {
	return slices.Concat(s.clinicalRoutes(), s.adminRoutes(), s.apiRoutes())
}

// clinicalRoutes are the staff's and patients' pages.
func (s *Server) clinicalRoutes() []route {
	return []route{
		{http.MethodGet, "/sign-in", s.handleSignInForm, public},
		{http.MethodPost, "/sign-in", s.handleSignIn, public},
		{http.MethodPost, "/sign-out", s.handleSignOut, public}, // staff and patients alike

		{http.MethodGet, "/", s.handleCaseloadShow, staff},
		{http.MethodGet, "/patients/new", s.handlePatientNew, staff},
		{http.MethodPost, "/patients/new", s.handlePatientCreate, staff},
		{http.MethodGet, "/patients", s.handlePatientSearch, staff},
		{http.MethodGet, "/patients/:id", s.handlePatientShow, staff},
		{http.MethodGet, "/patients/:id/referrals/new", s.handleReferralNew, staff},
		{http.MethodPost, "/patients/:id/referrals/new", s.handleReferralCreate, staff},
		{http.MethodGet, "/referrals/:id", s.handleReferralShow, staff},
		{http.MethodGet, "/referrals/:id/letter", s.handleReferralLetter, staff}, // handle_letter.go
		{http.MethodGet, "/referrals/:id/contacts/new", s.handleContactNew, staff},
		{http.MethodPost, "/referrals/:id/contacts/new", s.handleContactCreate, staff},
		{http.MethodGet, "/referrals/:id/end", s.handleReferralEndForm, staff},
		{http.MethodPost, "/referrals/:id/end", s.handleReferralEnd, staff},
		{http.MethodPost, "/referrals/:id/bring", s.handleReferralBring, staff},
		{http.MethodGet, "/referrals/:id/demographics", s.handleDemographicsForm, staff},
		{http.MethodPost, "/referrals/:id/demographics", s.handleDemographicsSave, staff},
		{http.MethodGet, "/referrals/:id/move", s.handleMoveForm, staff},
		{http.MethodPost, "/referrals/:id/move", s.handleMove, staff},
		{http.MethodGet, "/waiting", s.handleWaitingList, staff},
		{http.MethodGet, "/referrals/receive", s.handleReceiveForm, staff}, // handle_receive.go
		{http.MethodPost, "/referrals/receive", s.handleReceive, staff},
		{http.MethodGet, "/cover", s.handleCoverShow, staff},
		{http.MethodPost, "/cover", s.handleCoverGrant, staff},
		{http.MethodGet, "/scores/:id/correct", s.handleScoreCorrectForm, staff},
		{http.MethodPost, "/scores/:id/correct", s.handleScoreCorrect, staff},
		{http.MethodGet, "/referrals/:id/reopen", s.handleReferralReopenForm, staff},
		{http.MethodPost, "/referrals/:id/reopen", s.handleReferralReopen, staff},
		{http.MethodGet, "/duty", s.handleDutyList, staff},
		{http.MethodGet, "/risk-alerts/:id/acknowledge", s.handleRiskAlertAckForm, staff},
		{http.MethodPost, "/risk-alerts/:id/acknowledge", s.handleRiskAlertAck, staff},
		{http.MethodGet, "/referrals/:id/invitation", s.handleInvitationShow, staff},
		{http.MethodPost, "/referrals/:id/invitation", s.handleInvitationCreate, staff},
		{http.MethodPost, "/referrals/:id/invitation/revoke", s.handleInvitationRevoke, staff},

		{http.MethodGet, "/review", s.handleReviewShow, staff},
		{http.MethodGet, "/referrals/:id/reviews/new", s.handleReviewNew, staff},
		{http.MethodPost, "/referrals/:id/reviews", s.handleReviewCreate, staff},
		{http.MethodGet, "/reports/outcomes", s.handleReportShow, staff},
		{http.MethodGet, "/reports/outcomes.csv", s.handleReportCSV, staff},
		{http.MethodGet, "/reports/sections.csv", s.handleReportSectionsCSV, staff},

		{http.MethodGet, "/invitation", s.handleInvitationForm, public},
		{http.MethodPost, "/invitation", s.handleInvitationAccept, public},
		{http.MethodGet, "/my", s.handlePortalHome, patient},
		{http.MethodGet, "/my/referrals/:id", s.handlePortalProgress, patient},
		{http.MethodGet, "/my/referrals/:id/questionnaire", s.handlePortalQuestionnaireForm, patient},
		{http.MethodPost, "/my/referrals/:id/questionnaire", s.handlePortalQuestionnaireSubmit, patient},
		{http.MethodGet, "/my/referrals/:id/questionnaires/:qid", s.handlePortalQuestionnaireShow, patient},
		{http.MethodPost, "/my/referrals/:id/questionnaires/:qid/keep", s.handlePortalQuestionnaireKeep, patient},
	}
}

// adminRoutes are the administrators' pages, with the password reset and
// the staff's own tokens.
func (s *Server) adminRoutes() []route {
	return []route{
		{http.MethodGet, "/admin/users", s.handleAdminUsers, admin},
		{http.MethodGet, "/admin/users/new", s.handleAdminUserNew, admin},
		{http.MethodPost, "/admin/users/new", s.handleAdminUserCreate, admin},
		{http.MethodPost, "/admin/users/:id/disable", s.handleAdminUserDisable, admin},
		{http.MethodPost, "/admin/users/:id/enable", s.handleAdminUserEnable, admin},
		{http.MethodPost, "/admin/users/:id/tokens", s.handleAdminTokenCreate, admin},
		{http.MethodGet, "/admin/users/:id/edit", s.handleAdminUserEditForm, admin},             // handle_admin_users_edit.go
		{http.MethodPost, "/admin/users/:id/edit", s.handleAdminUserEdit, admin},                // handle_admin_users_edit.go
		{http.MethodPost, "/admin/users/:id/reset-password", s.handleAdminPasswordReset, admin}, // handle_admin_users_edit.go
		{http.MethodGet, "/reset-password", s.handlePasswordResetForm, public},
		{http.MethodPost, "/reset-password", s.handlePasswordReset, public},
		{http.MethodGet, "/admin/tokens", s.handleAdminTokens, admin},
		{http.MethodPost, "/admin/tokens/:id/revoke", s.handleAdminTokenRevoke, admin},
		{http.MethodGet, "/account/tokens", s.handleAccountTokens, staff},
		{http.MethodPost, "/account/tokens", s.handleAccountTokenCreate, staff},
		{http.MethodPost, "/account/tokens/:id/revoke", s.handleAccountTokenRevoke, staff},
		{http.MethodGet, "/admin/teams", s.handleAdminTeams, admin},
		{http.MethodGet, "/admin/audit", s.handleAuditSearch, admin},
		{http.MethodGet, "/admin/break-glass", s.handleBreakGlassForm, admin},
		{http.MethodPost, "/admin/break-glass", s.handleBreakGlass, admin},
		{http.MethodGet, "/admin/dataset", s.handleDatasetShow, admin},
		{http.MethodGet, "/admin/dataset/download", s.handleDatasetDownload, admin},
		{http.MethodGet, "/admin/qualifications", s.handleQualifications, admin},
		{http.MethodPost, "/admin/users/:id/qualification", s.handleQualificationSet, admin},
		{http.MethodGet, "/admin/care-professionals", s.handleCareProfessionals, admin}, // handle_care_professionals.go
		{http.MethodPost, "/admin/care-professionals", s.handleCareProfessionalMap, admin},
		{http.MethodGet, "/admin/urgent-contact", s.handleAdminUrgentContactForm, admin},
		{http.MethodPost, "/admin/urgent-contact", s.handleAdminUrgentContact, admin},
	}
}

// apiRoutes are the JSON API, under apiRoot.
func (s *Server) apiRoutes() []route {
	return []route{
		{http.MethodPost, "/api/v1/patients", s.apiPatientCreate, api},
		{http.MethodGet, "/api/v1/patients", s.apiPatientSearch, api},
		{http.MethodPost, "/api/v1/referrals", s.apiReferralCreate, api},
		{http.MethodGet, "/api/v1/referrals/:id", s.apiReferralShow, api},
		{http.MethodPost, "/api/v1/referrals/:id/contacts", s.apiContactCreate, api},
		{http.MethodPost, "/api/v1/referrals/:id/end", s.apiReferralEnd, api},
		{http.MethodPost, "/api/v1/referrals/:id/transfer", s.apiReferralTransfer, api},
		{http.MethodGet, "/api/v1/referrals/:id/outcome", s.apiReferralOutcome, api},
		{http.MethodGet, "/api/v1/referrals/:id/flags", s.apiReferralFlags, api},
		{http.MethodGet, "/api/v1/referrals/:id/fhir", s.apiReferralFHIR, api},
		{http.MethodPost, "/api/v1/referrals/:id/questionnaire-responses", s.apiQuestionnaireResponseCreate, api},
		{http.MethodGet, "/api/v1/reports/outcomes", s.apiReportOutcomes, api},
		{http.MethodPut, "/api/v1/referrals/:id/demographics", s.apiDemographicsUpdate, api},
		{http.MethodGet, "/api/v1/risk-alerts", s.apiRiskAlerts, api},
		{http.MethodPost, "/api/v1/risk-alerts/:id/acknowledge", s.apiRiskAlertAck, api},
	}
}

// apiRoot is where the JSON API is mounted: the table's api routes, and
// only they, lie beneath it (TestAPIRoutesUnderAPIRoot).
const apiRoot = "/api/"

// answersJSON reports whether a request is answered in JSON rather than
// HTML, errors included: the route table says so for the route it went to
// (its access level is api); a request that went to no route (404) is the
// API's when its path is beneath the API's mount.
func (s *Server) answersJSON(c echo.Context) bool {
	if p := c.Path(); p != "" {
		return s.routeAccess[p] == api
	}
	return strings.HasPrefix(c.Request().URL.Path, apiRoot)
}

// maxBody is the largest request body accepted, forms and JSON alike.
const maxBody = "1M"

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientAddress
	e.Use(
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}),
		securityHeaders,
		s.strictTransport,
		middleware.BodyLimit(maxBody),
		auditSource,
	)

	csrf := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + csrfField,
		ContextKey:     csrfField,
		CookieName:     s.csrfCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from clinic. Go back, reload the page and try again.")
		},
	})

	s.routeAccess = map[string]access{}
	for _, r := range s.routes() {
		s.routeAccess[r.path] = r.access
		var mw []echo.MiddlewareFunc
		switch r.access {
		case public:
			mw = []echo.MiddlewareFunc{s.loadSession, csrf}
		case staff:
			mw = []echo.MiddlewareFunc{s.loadSession, s.requireStaff, csrf}
		case api:
			mw = []echo.MiddlewareFunc{s.requireToken}
		case admin:
			mw = []echo.MiddlewareFunc{s.loadSession, s.requireStaff, s.requireAdmin, csrf}
		case patient:
			mw = []echo.MiddlewareFunc{s.loadSession, s.requirePatient, csrf, s.auditPatientView}
		}
		e.Add(r.method, r.path, r.handler, mw...)
	}

	static := s.serveStatic()
	e.GET("/static/*", static)
	e.HEAD("/static/*", static)
	return e
}

// serveStatic serves the embedded files under /static/. Vendored files never
// change between releases of a version; the app's own may, so they are kept
// for a shorter time.
func (s *Server) serveStatic() echo.HandlerFunc {
	files := http.StripPrefix("/static/", http.FileServer(http.FS(s.static)))
	return func(c echo.Context) error {
		p := c.Param("*")
		if p == "" || strings.HasSuffix(p, "/") {
			return echo.ErrNotFound // no directory listings
		}
		if strings.HasPrefix(p, "vendor/") {
			c.Response().Header().Set("Cache-Control", "public, max-age=604800")
		} else {
			c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
