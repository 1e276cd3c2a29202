package ui

import (
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

// auditSource puts the client's address in the request's context for the
// store's audit rows, before anyone is known to be signed in.
func auditSource(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		c.SetRequest(req.WithContext(caseload.WithAudit(req.Context(), 0, c.RealIP())))
		return next(c)
	}
}

// setUser makes u the request's user, for handlers and for the store's audit
// rows.
func setUser(c echo.Context, u caseload.User) {
	c.Set(userKey, u)
	req := c.Request()
	c.SetRequest(req.WithContext(caseload.WithAudit(req.Context(), u.ID, c.RealIP())))
}

// setRequestUser is setUser for an API request made with token t: its audit
// rows also name the token (issue 15).
func setRequestUser(c echo.Context, u caseload.User, t caseload.Token) {
	c.Set(userKey, u)
	req := c.Request()
	c.SetRequest(req.WithContext(caseload.WithAuditToken(caseload.WithAudit(req.Context(), u.ID, c.RealIP()), t.ID)))
}

// clientAddress says where a request came from. The peer's address is
// believed; an X-Forwarded-For header only when the peer is this machine (a
// reverse proxy terminating TLS on the same host, as with --secure-cookies),
// so that a client cannot choose the address its sign-in failures are
// counted against or that the audit log records.
var clientAddress = echo.ExtractIPFromXFFHeader(
	echo.TrustLoopback(true),
	echo.TrustLinkLocal(false),
	echo.TrustPrivateNet(false),
)
