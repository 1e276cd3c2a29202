package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/password"
)

type signInPage struct {
	basePage
	Form   *form
	Next   string
	Closed bool // a patient signed out because their access closed (portal.go)
}

func (s *Server) handleSignInForm(c echo.Context) error {
	if u, ok := currentUser(c); ok {
		if u.Role == caseload.RolePatient {
			return c.Redirect(http.StatusSeeOther, "/my")
		}
		return c.Redirect(http.StatusSeeOther, "/")
	}
	p := signInPage{basePage: s.base(c, "Sign in"), Form: newForm("email", "password"), Next: safeNext(c.QueryParam("next")), Closed: c.QueryParam("closed") != ""}
	return s.render(c, http.StatusOK, "sign_in.html", &p)
}

func (s *Server) handleSignIn(c echo.Context) error {
	f := newForm("email", "password")
	f.Values["email"] = strings.TrimSpace(c.FormValue("email"))
	pw := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	if f.Values["email"] == "" {
		f.Errs["email"] = "Enter your email address"
	}
	if pw == "" {
		f.Errs["password"] = "Enter your password"
	}
	if len(f.Errs) == 0 {
		u, err := s.authenticate(c, f.Values["email"], pw)
		switch {
		case errors.Is(err, caseload.ErrThrottled):
			// Paused after too many failures, for the e-mail (whether or
			// not it has an account) or the address: the same answer
			// either way.
			f.Errs["email"] = throttledMessage
			p := signInPage{basePage: s.base(c, "Sign in"), Form: f, Next: next}
			p.setErrors(f.summary())
			return s.render(c, http.StatusTooManyRequests, "sign_in.html", &p)
		case errors.Is(err, password.ErrBusy):
			c.Response().Header().Set("Retry-After", retryAfterBusy)
			f.Errs["email"] = busyMessage
			p := signInPage{basePage: s.base(c, "Sign in"), Form: f, Next: next}
			p.setErrors(f.summary())
			return s.render(c, http.StatusServiceUnavailable, "sign_in.html", &p)
		case err == nil && isStaff(u):
			if err := s.startSession(c, u); err != nil {
				return err
			}
			if next == "" {
				next = "/"
			}
			return c.Redirect(http.StatusSeeOther, next)
		case err == nil && u.Role == caseload.RolePatient:
			if ok, err := s.signInPatient(c, u, f, next); ok || err != nil {
				return err
			}
		case err == nil, errors.Is(err, caseload.ErrBadCredentials):
			// One message whatever was wrong, so as not to reveal which
			// email addresses have accounts.
			f.Errs["email"] = "Enter a correct email address and password"
		default:
			return err
		}
	}
	p := signInPage{basePage: s.base(c, "Sign in"), Form: f, Next: next}
	return s.renderFormErrors(c, "sign_in.html", &p, f)
}

// throttledMessage answers a paused sign-in. It says nothing of whether the
// account exists, and the same whether the e-mail or the address is paused.
var throttledMessage = fmt.Sprintf("There have been too many attempts to sign in. Wait %d minutes and try again, or ask your administrator to help.",
	int(caseload.SignInWindow.Minutes()))

func (s *Server) handleSignOut(c echo.Context) error {
	s.clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/sign-in")
}

// safeNext keeps a post-sign-in destination only when it is a path on this
// site, never another host. Browsers drop tabs and line breaks from a URL
// and read a backslash as a slash, so "/\t/evil.example" would take them
// to //evil.example: any control, format or line-separator character, and
// any backslash, refuses the whole value; it must then parse as a bare path
// beginning with exactly one "/".
func safeNext(next string) string {
	if next == "" || strings.ContainsRune(next, '\\') || strings.IndexFunc(next, hiddenRune) >= 0 {
		return ""
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/sign-") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}

// hiddenRune reports characters a browser may drop or treat as a break
// inside a URL.
func hiddenRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) || r == utf8.RuneError
}
