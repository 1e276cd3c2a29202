package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Administration (issue 3's "the same can be done by an admin in the web
// app", issue 6's disabling of accounts): users, their API tokens and
// teams. Every route here is admin-only in the route table; handlers check
// canAdminister again, so that a route moved to another access level by
// mistake still refuses.

type adminUsersPage struct {
	basePage
	Users []adminUserRow
	// The search (name or email, role) and its page: a service has a portal
	// account per patient, so the list is paged, UsersPerPage at a time.
	Form       *form
	Roles      []option
	Prev, Next string // links to the neighbouring pages, "" when none
	Done       string // what the last action did, for the notification banner
	// Held: disabled accounts still holding open cases (issue 16), and
	// how many cases in all.
	Held     []caseload.DisabledHolder
	HeldOpen int
}

type adminUserRow struct {
	caseload.User
	Teams      string // team names, for display
	CanDisable bool
}

func (s *Server) handleAdminUsers(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := newForm(userSearchFields...)
	for _, k := range userSearchFields {
		f.Values[k] = strings.TrimSpace(c.QueryParam(k))
	}
	q := caseload.UserSearch{Text: f.Values["q"]}
	if r := f.Values["role"]; r != "" {
		if !slices.ContainsFunc(userRoleFilters, func(o option) bool { return o.Value == r }) {
			f.Errs["role"] = "Choose a role from the list"
		}
		q.Role = caseload.Role(r)
	}
	q.Page, _ = strconv.Atoi(c.QueryParam("page"))
	q.Page = max(q.Page, 1)
	var res caseload.UserPage
	if len(f.Errs) == 0 {
		if res, err = s.store.SearchUsers(ctx, q); err != nil {
			return err
		}
	}
	users := res.Users
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(teams))
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	p := adminUsersPage{basePage: s.base(c, "Users"), Done: doneMessages[c.QueryParam("done")], Form: f, Roles: userRoleFilters}
	if res.Page > 1 {
		p.Prev = userPageQuery(f, res.Page-1)
	}
	if res.More {
		p.Next = userPageQuery(f, res.Page+1)
	}
	if p.Held, err = s.store.DisabledHolders(ctx); err != nil {
		return err
	}
	for _, h := range p.Held {
		p.HeldOpen += h.Open
	}
	p.Nav = "admin"
	for _, x := range users {
		row := adminUserRow{User: maskPatientUser(u, x), CanDisable: canDisableUser(u, x)}
		var tn []string
		if x.TeamName != "" {
			tn = append(tn, x.TeamName)
		}
		for _, id := range x.Teams {
			tn = append(tn, names[id]+" (supervises)")
		}
		row.Teams = strings.Join(tn, ", ")
		p.Users = append(p.Users, row)
	}
	return s.render(c, http.StatusOK, "admin_users.html", &p)
}

// userSearchFields are the administrator's user list's search fields.
var userSearchFields = []string{"q", "role"}

// userRoleFilters are the roles the user list can be narrowed to.
var userRoleFilters = []option{
	{string(caseload.RoleAdmin), "Administrators"},
	{string(caseload.RoleSupervisor), "Supervisors"},
	{string(caseload.RoleTherapist), "Therapists"},
	{string(caseload.RolePatient), "Patients (portal accounts)"},
}

// userPageQuery is the link to a page of the same user search.
func userPageQuery(f *form, page int) string {
	q := url.Values{}
	for _, k := range userSearchFields {
		if v := f.Values[k]; v != "" {
			q.Set(k, v)
		}
	}
	q.Set("page", strconv.Itoa(page))
	return "/admin/users?" + q.Encode()
}

// doneMessages are the banners after an action; the query names one, so
// that nothing a visitor types is echoed.
var doneMessages = map[string]string{
	"added":    "User added.",
	"disabled": "Account disabled: the user is signed out and their API tokens stop working.",
	"enabled":  "Account enabled again.",
}

var userFields = []string{"email", "name", "role", "team", "password"}

type adminUserNewPage struct {
	basePage
	Form  *form
	Roles []option
	Teams []caseload.Team
}

var roleOptions = []option{
	{string(caseload.RoleTherapist), "Therapist (in the team)"},
	{string(caseload.RoleSupervisor), "Supervisor (of the team)"},
	{string(caseload.RoleAdmin), "Administrator (no team, no patient records)"},
}

func (s *Server) adminUserNewPage(c echo.Context, f *form) (*adminUserNewPage, error) {
	teams, err := s.store.Teams(c.Request().Context())
	if err != nil {
		return nil, err
	}
	p := &adminUserNewPage{basePage: s.base(c, "Add a user"), Form: f, Roles: roleOptions, Teams: teams}
	p.Nav = "admin"
	return p, nil
}

func (s *Server) handleAdminUserNew(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	p, err := s.adminUserNewPage(c, newForm(userFields...))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_user_new.html", p)
}

// handleAdminUserCreate adds a user as `clinic user add` does.
func (s *Server) handleAdminUserCreate(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	f := newForm(userFields...)
	for _, k := range []string{"email", "name", "role", "team"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	password := c.FormValue("password")
	_, err := s.store.CreateUser(c.Request().Context(), caseload.NewUser{
		Email:    f.Values["email"],
		Name:     f.Values["name"],
		Role:     caseload.Role(f.Values["role"]),
		Team:     f.Values["team"],
		Password: password,
	})
	var ve *caseload.ValidationError
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/admin/users?done=added")
	case errors.As(err, &ve):
		copyFieldErrors(f, ve, nil)
	case errors.Is(err, caseload.ErrConflict):
		f.Errs["email"] = "A user with this email address already exists"
	default:
		return err
	}
	p, err := s.adminUserNewPage(c, f)
	if err != nil {
		return err
	}
	return s.renderFormErrors(c, "admin_user_new.html", p, f)
}

// targetUser is the user named by the path's :id.
func (s *Server) targetUser(c echo.Context) (caseload.User, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return caseload.User{}, err
	}
	return s.store.User(c.Request().Context(), id)
}

func (s *Server) handleAdminUserDisable(c echo.Context) error { return s.setDisabled(c, true) }
func (s *Server) handleAdminUserEnable(c echo.Context) error  { return s.setDisabled(c, false) }

func (s *Server) setDisabled(c echo.Context, disabled bool) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	if !canDisableUser(u, target) {
		return apiErr(http.StatusForbidden, "You cannot disable or enable your own account: ask another administrator.", "")
	}
	if err := s.store.SetUserDisabled(c.Request().Context(), u, target.ID, disabled); err != nil {
		return err
	}
	if disabled {
		return c.Redirect(http.StatusSeeOther, "/admin/users?done=disabled")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?done=enabled")
}

// handleAdminTokenCreate is kept for the old button's address: an admin
// may not make a token for another user (with it they would read patients'
// records in that user's name, issue 15); their own tokens are made on
// their own tokens page.
func (s *Server) handleAdminTokenCreate(c echo.Context) error {
	u, err := adminOnly(c)
	if err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	if target.ID != u.ID {
		return &apiError{Status: http.StatusForbidden, Message: "Administrators cannot make API tokens for other users: each user makes their own, under Your API tokens. You can revoke tokens.",
			Href: "/admin/tokens", HrefText: "API tokens"}
	}
	return c.Redirect(http.StatusSeeOther, "/account/tokens")
}

type adminTeamsPage struct {
	basePage
	Teams []adminTeamRow
}

type adminTeamRow struct {
	caseload.Team
	Therapists  []string
	Supervisors []string
}

func (s *Server) handleAdminTeams(c echo.Context) error {
	if _, err := adminOnly(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	// Staff only: teams list their therapists and supervisors, never the
	// patients' portal accounts (one per patient).
	users, err := s.store.StaffUsers(ctx)
	if err != nil {
		return err
	}
	p := adminTeamsPage{basePage: s.base(c, "Teams")}
	p.Nav = "admin"
	for _, t := range teams {
		row := adminTeamRow{Team: t}
		for _, u := range users {
			if u.Disabled {
				continue
			}
			if u.Role == caseload.RoleTherapist && u.TeamID == t.ID {
				row.Therapists = append(row.Therapists, u.Name)
			}
			if slices.Contains(u.Teams, t.ID) {
				row.Supervisors = append(row.Supervisors, u.Name)
			}
		}
		p.Teams = append(p.Teams, row)
	}
	return s.render(c, http.StatusOK, "admin_teams.html", &p)
}
