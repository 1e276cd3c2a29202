package ui

import (
	"errors"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// Hardening (issue 15, 13): HSTS under TLS, __Host- cookie names, and an
// invitation link from configuration rather than the request.

// csrfCookieName is the CSRF cookie's name before any prefix.
const csrfCookieName = "clinic_csrf"

// cookieName prefixes a cookie's name with __Host- when it is Secure: the
// browser then accepts it only from a secure origin, for the whole host
// (Path=/, no Domain), so a sibling subdomain or a plain-HTTP page on the
// network cannot plant one.
func cookieName(name string, secure bool) string {
	if secure {
		return "__Host-" + name
	}
	return name
}

// hstsValue tells browsers to use HTTPS only for a year.
const hstsValue = "max-age=31536000"

// strictTransport sends Strict-Transport-Security on every answer given
// over TLS, directly or behind a TLS-terminating proxy (--secure-cookies
// says there is one).
func (s *Server) strictTransport(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.secure || c.IsTLS() {
			c.Response().Header().Set("Strict-Transport-Security", hstsValue)
		}
		return next(c)
	}
}

// normaliseBaseURL checks the configured address patients reach clinic at:
// http or https, a host, no path beyond "/", no query. "" stays "" (the
// link is then relative to the page's own site).
func normaliseBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("base URL: want http(s)://host[:port], for example https://clinic.example.nhs.uk")
	}
	return u.Scheme + "://" + u.Host, nil
}
