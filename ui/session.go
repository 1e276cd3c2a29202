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
	// sessionLifetime ends a session however active, as the cookie's own
	// expiry does in the browser.
	sessionLifetime = 12 * time.Hour
	// seenEvery limits how often a session's last-seen time is written
	// just to move the idle clock on.
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
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	}
	// The signed value is refused after the session's lifetime; the cookie
	// itself has no Max-Age, so it ends when the browser closes, on a
	// shared workstation too (issue 15). The server's idle and lifetime
	// limits are what end a session.
	cs.MaxAge(int(sessionLifetime.Seconds()))
	cs.Options.MaxAge = 0
	return cs, nil
}

// loadSession puts the signed-in user, if any, in the context. The cookie
// carries only a random session id; the session itself is kept by the store,
// so signing out, disabling the account or half an hour without a request
// (measured on the server, from the session's last-seen time) ends it for
// every copy of the cookie.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		sess, err := s.sessions.Get(c.Request(), s.sessionCookie)
		if err != nil {
			// A cookie that no longer decodes (keys changed) is simply no session.
			return next(c)
		}
		sid, _ := sess.Values["sid"].(string)
		if sid == "" {
			return next(c)
		}
		ctx := c.Request().Context()
		u, session, err := s.store.SessionUser(ctx, sid)
		if errors.Is(err, caseload.ErrNotFound) {
			// Ended, or the user disabled or gone.
			s.expireCookie(c)
			return next(c)
		}
		if err != nil {
			return err
		}
		now := s.clock()
		why := ""
		switch {
		case now.Sub(session.LastSeen) > idleTimeout:
			why = "idle for 30 minutes"
		case now.Sub(session.CreatedAt) > sessionLifetime:
			why = "12 hours since signing in"
		}
		if why != "" {
			if err := s.store.EndSession(ctx, sid, why); err != nil {
				return err
			}
			s.expireCookie(c)
			return next(c)
		}
		if now.Sub(session.LastSeen) > seenEvery {
			if err := s.store.TouchSession(ctx, sid, now); err != nil {
				return err
			}
		}
		c.Set(sessionIDKey, sid)
		setUser(c, u)
		return next(c)
	}
}

// sessionIDKey holds the current request's session id.
const sessionIDKey = "clinic.session_id"

// startSession issues a brand-new session for the user, with a new id
// (session fixation): a session the browser had before is ended.
func (s *Server) startSession(c echo.Context, u caseload.User) error {
	s.endSession(c, "replaced by a new sign-in")
	ctx := caseload.WithAudit(c.Request().Context(), u.ID, c.RealIP())
	sid, err := s.store.StartSession(ctx, u)
	if err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	sess := sessions.NewSession(s.sessions, s.sessionCookie)
	opts := *s.sessions.Options
	sess.Options = &opts
	sess.IsNew = true
	sess.Values["sid"] = sid
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	return nil
}

// clearSession signs the browser out: the session ends on the server and
// the cookie is expired.
func (s *Server) clearSession(c echo.Context) {
	s.endSession(c, "signed out")
	s.expireCookie(c)
}

// endSession ends the server-side session the request's cookie names, if
// any, saying why. A failure is logged: the cookie is expired all the same, and an
// unended session still times out.
func (s *Server) endSession(c echo.Context, why string) {
	sid, _ := c.Get(sessionIDKey).(string)
	if sid == "" {
		if sess, err := s.sessions.Get(c.Request(), s.sessionCookie); err == nil {
			sid, _ = sess.Values["sid"].(string)
		}
	}
	if sid == "" {
		return
	}
	if err := s.store.EndSession(c.Request().Context(), sid, why); err != nil {
		s.log.Error("end session", "err", err)
	}
}

// expireCookie tells the browser to drop its session cookie.
func (s *Server) expireCookie(c echo.Context) {
	sess := sessions.NewSession(s.sessions, s.sessionCookie)
	opts := *s.sessions.Options
	opts.MaxAge = -1
	sess.Options = &opts
	_ = sess.Save(c.Request(), c.Response())
}
