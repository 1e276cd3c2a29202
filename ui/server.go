// Package ui is clinic's HTTP layer: the route table, handlers (one file per
// resource), middleware, sessions, CSRF, the JSON API, templates and static
// files (embedded), and chart building.
//
// Handlers parse the request, ask internal/caseload for data, take clinical
// judgements from internal/measures, fill a typed page struct and render it.
// They return errors to one HTTPErrorHandler (errors.go). Nothing here writes
// SQL or re-implements a clinical rule.
package ui

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"
	_ "time/tzdata" // Europe/London on machines without a zoneinfo database

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

//go:embed static templates
var assets embed.FS

// Options configure a Server.
type Options struct {
	// SecureCookies marks the session and CSRF cookies Secure (served over
	// TLS directly or behind a TLS-terminating proxy).
	SecureCookies bool
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
	// BaseURL is the address patients reach clinic at
	// ("https://clinic.example.nhs.uk"), for the invitation link; when empty
	// the page names the address only as "/invitation" on this site. The
	// request's Host header is never used: a client chooses it.
	BaseURL string
}

// Server is the web application.
type Server struct {
	store    *caseload.Store
	clock    func() time.Time
	log      *slog.Logger
	secure   bool
	baseURL  string
	sessions *sessions.CookieStore
	// cookie names: __Host- prefixed when Secure (hardening.go)
	sessionCookie, csrfCookie string
	pages                     map[string]*pageTemplate
	static                    fs.FS
	echo                      *echo.Echo
	// routeAccess is each route path's access level, from the route table.
	routeAccess map[string]access
	// referrals keeps the API's encoded referrals (api_referral_cache.go).
	referrals *referralCache
}

// New builds the server on an open store.
func New(store *caseload.Store, opts Options) (*Server, error) {
	if store == nil {
		return nil, errors.New("ui: nil store")
	}
	s := &Server{
		store:  store,
		clock:  store.Now,
		log:    opts.Logger,
		secure: opts.SecureCookies,

		referrals: newReferralCache(),
	}
	var err error
	if s.baseURL, err = normaliseBaseURL(opts.BaseURL); err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	s.sessionCookie, s.csrfCookie = cookieName(sessionName, s.secure), cookieName(csrfCookieName, s.secure)
	if s.log == nil {
		s.log = slog.Default()
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, fmt.Errorf("ui: static files: %w", err)
	}
	s.static = static
	if s.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("ui: templates: %w", err)
	}
	if s.sessions, err = s.newSessionStore(); err != nil {
		return nil, fmt.Errorf("ui: sessions: %w", err)
	}
	s.echo = s.newEcho()
	return s, nil
}

// Handler returns the HTTP handler serving the whole application.
func (s *Server) Handler() http.Handler { return s.echo }

// london is the clinic's calendar, the store's: instants are shown in it,
// and "today" is the store's (s.store.Today).
var london = caseload.England()
