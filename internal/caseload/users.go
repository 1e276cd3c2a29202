package caseload

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"clinic/internal/password"
)

// validEmail is a deliberately loose check: one @, something either side, a
// dot in the domain, no spaces. The real check is that mail arrives.
func validEmail(e string) bool {
	at := strings.IndexByte(e, '@')
	if at < 1 || at != strings.LastIndexByte(e, '@') || len(e) > 254 {
		return false
	}
	domain := e[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	return !strings.ContainsAny(e, " \t\r\n<>,;\"")
}

// CreateUser adds a member of staff. A therapist joins the team named in
// in.Team and a supervisor supervises it; the team is created when new.
// Admins belong to no team (in.Team is ignored). It returns a
// *ValidationError for bad input and ErrConflict when the e-mail is in use.
func (s *Store) CreateUser(ctx context.Context, in NewUser) (User, error) {
	in, err := checkNewUser(in)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	u := User{Email: in.Email, Name: in.Name, Role: in.Role, CreatedAt: s.Now()}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var team Team
		if in.Team != "" {
			if team, err = teamNamed(ctx, tx, in.Team, u.CreatedAt); err != nil {
				return err
			}
		}
		if err := insertUser(ctx, tx, &u, team, hash); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{action: AuditCreateUser, entity: "user", entityID: u.ID, detail: string(u.Role) + " " + u.Email})
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// checkNewUser normalises a new member of staff and checks it.
func checkNewUser(in NewUser) (NewUser, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	in.Team = strings.TrimSpace(in.Team)
	v := validation{}
	if !validEmail(in.Email) {
		v.add("email", "Enter an e-mail address like name@example.nhs.uk")
	}
	if msg := nameProblem(in.Name, "Enter a name"); msg != "" {
		v.add("name", msg)
	}
	switch in.Role {
	case RoleTherapist, RoleSupervisor:
		if in.Team == "" {
			v.add("team", "Enter the team")
		} else if utf8.RuneCountInString(in.Team) > 100 {
			v.add("team", "Use at most 100 characters")
		} else if msg := nameProblem(in.Team, ""); msg != "" {
			v.add("team", msg)
		}
	case RoleAdmin:
		in.Team = ""
	default:
		v.add("role", "Choose therapist, supervisor or admin")
	}
	if msg := password.Problem(in.Password); msg != "" {
		v.add("password", msg)
	} else if password.MentionsEmail(in.Password, in.Email) {
		v.add("password", "Choose a password that does not contain your e-mail address")
	}
	return in, v.err()
}

// teamSelect lists a team's columns, scanned by scanTeam.
const teamSelect = `SELECT id, name FROM teams`

func scanTeam(row scanner) (Team, error) {
	var t Team
	err := row.Scan(&t.ID, &t.Name)
	return t, err
}

// teamNamed returns the team with this name, created when new.
func teamNamed(ctx context.Context, tx *sql.Tx, name string, now time.Time) (Team, error) {
	t, err := scanTeam(tx.QueryRowContext(ctx, teamSelect+` WHERE name = ?`, name))
	if !errors.Is(err, sql.ErrNoRows) {
		return t, err
	}
	t = Team{Name: name}
	res, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at) VALUES (?, ?)`, name, stamp(now))
	if err != nil {
		return t, err
	}
	t.ID, err = res.LastInsertId()
	return t, err
}

// insertUser writes a new member of staff: a therapist in team, a
// supervisor supervising it. ErrConflict when the e-mail is in use.
func insertUser(ctx context.Context, tx *sql.Tx, u *User, team Team, hash string) error {
	var userTeam sql.NullInt64
	if u.Role == RoleTherapist {
		userTeam = sql.NullInt64{Int64: team.ID, Valid: true}
		u.TeamID, u.TeamName = team.ID, team.Name
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO users (email, name, role, team_id, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		u.Email, u.Name, string(u.Role), userTeam, hash, stamp(u.CreatedAt))
	if isUnique(err) {
		return ErrConflict
	}
	if err != nil {
		return err
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if u.Role == RoleSupervisor {
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_supervisors (team_id, user_id) VALUES (?, ?)`, team.ID, u.ID); err != nil {
			return err
		}
		u.Teams = []int64{team.ID}
	}
	return nil
}

// Authenticate returns the active user with this e-mail and password. An
// unknown e-mail, a wrong password and a disabled account all return
// ErrBadCredentials after the same work (a password hash is always checked).
// When every hashing slot is taken it returns password.ErrBusy instead.
func (s *Store) Authenticate(ctx context.Context, email, pw string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	row, err := findUser(ctx, s.read, userFilter{Email: email})
	if errors.Is(err, ErrNotFound) {
		row, err = userRow{hash: password.DummyHash}, nil
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	ok, err := password.Check(row.hash, pw)
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err) // password.ErrBusy: nothing was checked
	}
	if !ok || row.ID == 0 || row.Disabled {
		return User{}, fmt.Errorf("authenticate: %w", ErrBadCredentials)
	}
	return row.User, nil
}

type scanner interface {
	Scan(dest ...any) error
}

// userFilter chooses the users findUsers reads; zero fields do not filter.
type userFilter struct {
	ID        int64
	IDs       []int64 // any of these; nil: no filter
	Email     string
	PatientID int64
	Role      Role
	TeamIDs   []int64 // in any of these teams; nil: no filter
	StaffOnly bool    // no patients' portal accounts
	// Text: a staff member with this in the name or email, any case, or
	// the user numbered TextID (when not 0); never a patient's name or
	// email (administrators search, and see patients' accounts by number).
	Text   string
	TextID int64
	// byRole orders staff first by role then by name; else by id.
	// patientsByID orders the patients among them by id rather than name
	// (the order administrators, who see no patient's name, can follow).
	byRole, patientsByID bool
	// limit, when above 0, reads at most limit users after skipping offset.
	limit, offset int
}

// userRow is a user as findUsers reads it, with the password hash.
type userRow struct {
	User
	hash string
}

// The user's columns, the one place they are listed. A user's supervised
// teams come as a comma-separated list.
const userSelect = `
	SELECT
		u.id,
		u.email,
		u.name,
		u.role,
		COALESCE(u.team_id, 0),
		COALESCE(t.name, ''),
		COALESCE(u.patient_id, 0),
		u.disabled,
		u.created_at,
		u.password_hash,
		COALESCE((SELECT group_concat(ts.team_id) FROM team_supervisors ts WHERE ts.user_id = u.id), '')
	FROM users u
	LEFT JOIN teams t ON t.id = u.team_id`

// query builds the filter's SELECT and its arguments.
func (f userFilter) query() (string, []any) {
	q := userSelect
	var where []string
	var args []any
	add := func(cond string, arg ...any) { where, args = append(where, cond), append(args, arg...) }
	if f.ID != 0 {
		add("u.id = ?", f.ID)
	}
	if f.IDs != nil {
		add("u.id IN (SELECT value FROM json_each(?))", jsonIDs(f.IDs))
	}
	if f.Email != "" {
		add("u.email = ?", f.Email)
	}
	if f.PatientID != 0 {
		add("u.patient_id = ?", f.PatientID)
	}
	if f.Role != "" {
		add("u.role = ?", string(f.Role))
	}
	if f.TeamIDs != nil {
		add("u.team_id IN (SELECT value FROM json_each(?))", jsonIDs(f.TeamIDs))
	}
	if f.StaffOnly {
		add("u.role <> ?", string(RolePatient))
	}
	if f.Text != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Text)) + "%"
		add(`((u.role <> ? AND (lower(u.name) LIKE ? ESCAPE '\' OR lower(u.email) LIKE ? ESCAPE '\')) OR u.id = ?)`,
			string(RolePatient), like, like, f.TextID)
	}
	if len(where) > 0 {
		q += "\n\tWHERE " + strings.Join(where, "\n\t\tAND ")
	}
	switch {
	case f.byRole && f.patientsByID:
		q += `
	ORDER BY
		CASE u.role WHEN 'admin' THEN 0 WHEN 'supervisor' THEN 1 WHEN 'therapist' THEN 2 ELSE 3 END,
		CASE u.role WHEN 'patient' THEN '' ELSE u.name END,
		u.id`
	case f.byRole:
		q += `
	ORDER BY
		CASE u.role WHEN 'admin' THEN 0 WHEN 'supervisor' THEN 1 WHEN 'therapist' THEN 2 ELSE 3 END,
		u.name,
		u.id`
	default:
		q += "\n\tORDER BY u.id"
	}
	if f.limit > 0 {
		q += "\n\tLIMIT ? OFFSET ?"
		args = append(args, f.limit, f.offset)
	}
	return q, args
}

// findUsers reads the users the filter chooses, with the teams each
// supervises.
func findUsers(ctx context.Context, q queryer, f userFilter) ([]userRow, error) {
	query, args := f.query()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []userRow
	for rows.Next() {
		var u userRow
		var role, created, teams string
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &role, &u.TeamID, &u.TeamName, &u.PatientID, &u.Disabled, &created, &u.hash, &teams); err != nil {
			return nil, err
		}
		u.Role = Role(role)
		if u.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
			return nil, err
		}
		for _, t := range strings.Split(teams, ",") {
			if id, err := strconv.ParseInt(t, 10, 64); err == nil {
				u.Teams = append(u.Teams, id)
			}
		}
		slices.Sort(u.Teams)
		users = append(users, u)
	}
	return users, rows.Err()
}

// findUser reads the one user the filter chooses, or ErrNotFound.
func findUser(ctx context.Context, q queryer, f userFilter) (userRow, error) {
	users, err := findUsers(ctx, q, f)
	if err != nil {
		return userRow{}, err
	}
	if len(users) == 0 {
		return userRow{}, ErrNotFound
	}
	return users[0], nil
}

// User returns the user with this id, or ErrNotFound.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	u, err := findUser(ctx, s.read, userFilter{ID: id})
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u.User, nil
}

// Users returns every user, staff first by role then by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := findUsers(ctx, s.read, userFilter{byRole: true})
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return usersOf(rows), nil
}

// StaffUsers returns every user but patients' portal accounts, staff first
// by role then by name: the few hundred users a page choosing among staff
// lists, however many patients have accounts.
func (s *Store) StaffUsers(ctx context.Context) ([]User, error) {
	rows, err := findUsers(ctx, s.read, userFilter{StaffOnly: true, byRole: true})
	if err != nil {
		return nil, fmt.Errorf("staff users: %w", err)
	}
	return usersOf(rows), nil
}

// UserSearch chooses a page of users for the administrator's list.
type UserSearch struct {
	// Text: staff with this in the name or email, any case, or the user
	// with this number ("123", "#123" or "patient user #123": how an
	// administrator sees a patient's account); "" for all. A patient's name
	// or email never matches: administrators see no patient's.
	Text    string
	Role    Role // "" for every role
	Page    int  // 1-based; below 1 is 1
	PerPage int  // 0 is UsersPerPage
}

// UsersPerPage is how many users a page of the administrator's list shows.
const UsersPerPage = 50

// UserPage is a page of users, and whether there are more.
type UserPage struct {
	Users []User
	Page  int
	More  bool
}

// SearchUsers returns a page of the users matching q, staff first by role
// then by name, then patients' accounts by number: a service has a portal account per patient (100,000 users
// and more), so the administrator's list is paged and searched rather than
// read whole.
func (s *Store) SearchUsers(ctx context.Context, q UserSearch) (UserPage, error) {
	q.Page = max(q.Page, 1)
	if q.PerPage <= 0 {
		q.PerPage = UsersPerPage
	}
	f := userFilter{Text: strings.TrimSpace(q.Text), Role: q.Role, byRole: true, patientsByID: true, limit: q.PerPage + 1, offset: (q.Page - 1) * q.PerPage}
	number := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(f.Text), "patient user"), " "))
	f.TextID, _ = strconv.ParseInt(strings.TrimPrefix(number, "#"), 10, 64)
	rows, err := findUsers(ctx, s.read, f)
	if err != nil {
		return UserPage{}, fmt.Errorf("search users: %w", err)
	}
	p := UserPage{Users: usersOf(rows), Page: q.Page}
	if len(p.Users) > q.PerPage {
		p.Users, p.More = p.Users[:q.PerPage], true
	}
	return p, nil
}

// TeamTherapists returns the therapists of these teams (disabled ones too,
// whose past work is still reported on), by name: what a page's choice of
// therapist lists, without reading every user.
func (s *Store) TeamTherapists(ctx context.Context, teams []int64) ([]User, error) {
	if len(teams) == 0 {
		return nil, nil
	}
	rows, err := findUsers(ctx, s.read, userFilter{Role: RoleTherapist, TeamIDs: teams, byRole: true})
	if err != nil {
		return nil, fmt.Errorf("team therapists: %w", err)
	}
	return usersOf(rows), nil
}

// usersOf drops the password hashes findUsers read.
func usersOf(rows []userRow) []User {
	var users []User
	for _, u := range rows {
		users = append(users, u.User)
	}
	return users
}

// Teams returns every team by name.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	rows, err := s.read.QueryContext(ctx, teamSelect+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	defer rows.Close()
	var teams []Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, fmt.Errorf("teams: %w", err)
		}
		teams = append(teams, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return teams, nil
}

// SessionKeys returns the 64 random bytes that sign and encrypt session
// cookies, made on first use and kept, so sessions survive a restart.
func (s *Store) SessionKeys(ctx context.Context) ([]byte, error) {
	var keys []byte
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'session_keys'`).Scan(&keys)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		keys = make([]byte, 64)
		if _, err := rand.Read(keys); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('session_keys', ?)`, keys)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("session keys: %w", err)
	}
	return keys, nil
}
