package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// contentSecurityPolicy allows nothing inline: every script and style comes
// from clinic's own embedded files, which is why charts start from
// static/charts.js with their options in JSON data blocks. ECharts sets
// element styles from script (CSSOM), which style-src does not restrict.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

// context keys
const (
	userKey   = "clinic.user"
	csrfField = "_csrf"
)

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
		return next(c)
	}
}

// requireToken authenticates an API request by its Bearer token.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		auth := c.Request().Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		token = strings.TrimSpace(token)
		if !ok || token == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="clinic"`)
			return apiErr(http.StatusUnauthorized, "a Bearer token is required", "")
		}
		u, tok, err := s.store.UserByToken(c.Request().Context(), token)
		if errors.Is(err, caseload.ErrNotFound) || errors.Is(err, caseload.ErrBadCredentials) || (err == nil && u.Disabled) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="clinic", error="invalid_token"`)
			return apiErr(http.StatusUnauthorized, "the token is not valid", "")
		}
		if err != nil {
			return err
		}
		setUser(c, u)
		setToken(c, tok)
		return next(c)
	}
}
