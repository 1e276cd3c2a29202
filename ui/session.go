package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

const (
	sessionName = "clinic_session"
	// idleTimeout signs a member of staff out after this long without a
	// request (issue 6 asks for 30 minutes).
	idleTimeout = 30 * time.Minute
	// seenEvery limits how often the cookie is rewritten just to move the
	// idle clock on.
	seenEvery = time.Minute
)

// newSessionStore keys the cookie store with the keys kept in the database, so
// that sessions survive a restart: the first half signs, the second encrypts.
func (s *Server) newSessionStore() (*sessions.CookieStore, error) {
	keys, err := s.store.SessionKeys(context.Background())
	if err != nil {
		return nil, err
	}
	if len(keys) < 64 {
		return nil, fmt.Errorf("session keys: want 64 bytes, got %d", len(keys))
	}
	cs := sessions.NewCookieStore(keys[:32], keys[32:64])
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int((12 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	}
	cs.MaxAge(cs.Options.MaxAge)
	return cs, nil
}

// loadSession puts the signed-in user, if any, in the context. A session that
// has been idle too long, or whose user is gone or disabled, counts as none.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		sess, err := s.sessions.Get(c.Request(), sessionName)
		if err != nil {
			// A cookie that no longer decodes (keys changed) is simply no session.
			return next(c)
		}
		uid, _ := sess.Values["uid"].(int64)
		seen, _ := sess.Values["seen"].(int64)
		if uid == 0 {
			return next(c)
		}
		now := s.clock()
		if now.Sub(time.Unix(seen, 0)) > idleTimeout {
			s.clearSession(c)
			return next(c)
		}
		u, err := s.store.User(c.Request().Context(), uid)
		if errors.Is(err, caseload.ErrNotFound) || (err == nil && u.Disabled) {
			s.clearSession(c)
			return next(c)
		}
		if err != nil {
			return err
		}
		if now.Sub(time.Unix(seen, 0)) > seenEvery {
			sess.Values["seen"] = now.Unix()
			if err := sess.Save(c.Request(), c.Response()); err != nil {
				return fmt.Errorf("save session: %w", err)
			}
		}
		c.Set(userKey, u)
		return next(c)
	}
}

// startSession issues a brand-new session for the user: nothing from an
// earlier cookie is carried over (session fixation).
func (s *Server) startSession(c echo.Context, u caseload.User) error {
	sess := sessions.NewSession(s.sessions, sessionName)
	opts := *s.sessions.Options
	sess.Options = &opts
	sess.IsNew = true
	sess.Values["uid"] = u.ID
	sess.Values["seen"] = s.clock().Unix()
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	return nil
}

// clearSession expires the session cookie.
func (s *Server) clearSession(c echo.Context) {
	sess := sessions.NewSession(s.sessions, sessionName)
	opts := *s.sessions.Options
	opts.MaxAge = -1
	sess.Options = &opts
	_ = sess.Save(c.Request(), c.Response())
}
