package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// API tokens (issue 15, 1 and 5). A member of staff makes their own tokens,
// from their own session (or `clinic token create` at the server), sees
// them with when each was last used and when it expires, and revokes them.
// An admin may revoke anyone's token but make one only for themselves: a
// token for another user would let the admin read patients' records in
// that user's name.

type accountTokensPage struct {
	basePage
	Form   *form
	Tokens []tokenRow
	Secret string          // a token just made, shown once
	Made   *caseload.Token // its record
	Done   string
}

type tokenRow struct {
	caseload.Token
	Active bool
}

func (s *Server) tokenRows(tokens []caseload.Token) []tokenRow {
	now := s.clock()
	rows := make([]tokenRow, len(tokens))
	for i, t := range tokens {
		rows[i] = tokenRow{Token: t, Active: t.Active(now)}
	}
	return rows
}

// staffOnly returns the signed-in member of staff, or refuses.
func staffOnly(c echo.Context) (caseload.User, error) {
	u, ok := currentUser(c)
	if !ok || !isStaff(u) {
		return u, echo.ErrForbidden
	}
	return u, nil
}

func (s *Server) accountTokensPage(c echo.Context, u caseload.User, f *form) (*accountTokensPage, error) {
	tokens, err := s.store.Tokens(c.Request().Context(), u.ID)
	if err != nil {
		return nil, err
	}
	p := &accountTokensPage{basePage: s.base(c, "Your API tokens"), Form: f, Tokens: s.tokenRows(tokens)}
	p.Nav = "tokens"
	return p, nil
}

func (s *Server) handleAccountTokens(c echo.Context) error {
	u, err := staffOnly(c)
	if err != nil {
		return err
	}
	p, err := s.accountTokensPage(c, u, newForm("name"))
	if err != nil {
		return err
	}
	p.Done = tokenDone[c.QueryParam("done")]
	return s.render(c, http.StatusOK, "account_tokens.html", p)
}

var tokenDone = map[string]string{"revoked": "Token revoked: it stopped working at once."}

// handleAccountTokenCreate makes a token for the signed-in user and shows it
// once, answered directly (no redirect) so that it is never in a URL.
func (s *Server) handleAccountTokenCreate(c echo.Context) error {
	u, err := staffOnly(c)
	if err != nil {
		return err
	}
	f := newForm("name")
	f.Values["name"] = strings.TrimSpace(c.FormValue("name"))
	secret, tok, err := s.store.CreateToken(c.Request().Context(), u.Email, f.Values["name"])
	var ve *caseload.ValidationError
	switch {
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
		p, perr := s.accountTokensPage(c, u, f)
		if perr != nil {
			return perr
		}
		return s.renderFormErrors(c, "account_tokens.html", p, f)
	case err != nil:
		return err
	}
	p, err := s.accountTokensPage(c, u, newForm("name"))
	if err != nil {
		return err
	}
	p.Secret, p.Made = secret, &tok
	return s.render(c, http.StatusOK, "account_tokens.html", p)
}

// handleAccountTokenRevoke revokes one of the user's own tokens; another's
// is not found.
func (s *Server) handleAccountTokenRevoke(c echo.Context) error {
	u, err := staffOnly(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(c.Request().Context(), id, u.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account/tokens?done=revoked")
}

type adminTokensPage struct {
	basePage
	Tokens []tokenRow
	Done   string
}

// handleAdminTokens lists every token, with revoke buttons.
func (s *Server) handleAdminTokens(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	tokens, err := s.store.Tokens(c.Request().Context(), 0)
	if err != nil {
		return err
	}
	p := adminTokensPage{basePage: s.base(c, "API tokens"), Tokens: s.tokenRows(tokens), Done: tokenDone[c.QueryParam("done")]}
	p.Nav = "admin"
	return s.render(c, http.StatusOK, "admin_tokens.html", &p)
}

// handleAdminTokenRevoke lets an admin revoke anyone's token.
func (s *Server) handleAdminTokenRevoke(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(c.Request().Context(), id, 0); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/tokens?done=revoked")
}
