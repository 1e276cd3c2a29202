package caseload

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	email := strings.ToLower(strings.TrimSpace(in.Email))
	name := strings.TrimSpace(in.Name)
	team := strings.TrimSpace(in.Team)
	v := validation{}
	if !validEmail(email) {
		v.add("email", "Enter an e-mail address like name@example.nhs.uk")
	}
	if msg := nameProblem(name, "Enter a name"); msg != "" {
		v.add("name", msg)
	}
	switch in.Role {
	case RoleTherapist, RoleSupervisor:
		if team == "" {
			v.add("team", "Enter the team")
		} else if utf8.RuneCountInString(team) > 100 {
			v.add("team", "Use at most 100 characters")
		} else if msg := nameProblem(team, ""); msg != "" {
			v.add("team", msg)
		}
	case RoleAdmin:
		team = ""
	default:
		v.add("role", "Choose therapist, supervisor or admin")
	}
	if msg := password.Problem(in.Password); msg != "" {
		v.add("password", msg)
	} else if password.MentionsEmail(in.Password, email) {
		v.add("password", "Choose a password that does not contain your e-mail address")
	}
	if err := v.err(); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	now := s.Now()
	u := User{Email: email, Name: name, Role: in.Role, CreatedAt: now}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var teamID int64
		if team != "" {
			err := tx.QueryRowContext(ctx, `SELECT id, name FROM teams WHERE name = ?`, team).Scan(&teamID, &team)
			if errors.Is(err, sql.ErrNoRows) {
				res, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at) VALUES (?, ?)`, team, stamp(now))
				if err != nil {
					return err
				}
				if teamID, err = res.LastInsertId(); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		}
		var userTeam sql.NullInt64
		if in.Role == RoleTherapist {
			userTeam = sql.NullInt64{Int64: teamID, Valid: true}
			u.TeamID, u.TeamName = teamID, team
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO users (email, name, role, team_id, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
			email, name, string(in.Role), userTeam, hash, stamp(now))
		if isUnique(err) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if in.Role == RoleSupervisor {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_supervisors (team_id, user_id) VALUES (?, ?)`, teamID, u.ID); err != nil {
				return err
			}
			u.Teams = []int64{teamID}
		}
		return s.audit(ctx, tx, auditRow{action: AuditCreateUser, entity: "user", entityID: u.ID, detail: string(in.Role) + " " + email})
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// Authenticate returns the active user with this e-mail and password. An
// unknown e-mail, a wrong password and a disabled account all return
// ErrBadCredentials after the same work (a password hash is always checked).
// When every hashing slot is taken it returns password.ErrBusy instead.
func (s *Store) Authenticate(ctx context.Context, email, pw string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var hash string
	var u User
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, userSelect+` WHERE u.email = ?`, email)
		var err error
		u, hash, err = scanUser(row)
		if err != nil {
			return err
		}
		u.Teams, err = supervisedTeams(ctx, tx, u.ID)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		u, hash = User{}, password.DummyHash
	} else if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	ok, err := password.Check(hash, pw)
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err) // password.ErrBusy: nothing was checked
	}
	if !ok || u.ID == 0 || u.Disabled {
		return User{}, fmt.Errorf("authenticate: %w", ErrBadCredentials)
	}
	return u, nil
}

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
		u.password_hash
	FROM users u
	LEFT JOIN teams t ON t.id = u.team_id`

type scanner interface {
	Scan(dest ...any) error
}

func scanUser(row scanner) (User, string, error) {
	var u User
	var role, created, hash string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &role, &u.TeamID, &u.TeamName, &u.PatientID, &u.Disabled, &created, &hash); err != nil {
		return User{}, "", err
	}
	u.Role = Role(role)
	var err error
	u.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true})
	return u, hash, err
}

func supervisedTeams(ctx context.Context, tx *sql.Tx, userID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT team_id FROM team_supervisors WHERE user_id = ? ORDER BY team_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var teams []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		teams = append(teams, id)
	}
	return teams, rows.Err()
}

// User returns the user with this id, or ErrNotFound.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		u, _, err = scanUser(tx.QueryRowContext(ctx, userSelect+` WHERE u.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		u.Teams, err = supervisedTeams(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// Users returns every user, staff first by role then by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.read.QueryContext(ctx, `
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
		LEFT JOIN teams t ON t.id = u.team_id
		ORDER BY
			CASE u.role WHEN 'admin' THEN 0 WHEN 'supervisor' THEN 1 WHEN 'therapist' THEN 2 ELSE 3 END,
			u.name,
			u.id`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		var u User
		var role, created, hash, teams string
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &role, &u.TeamID, &u.TeamName, &u.PatientID, &u.Disabled, &created, &hash, &teams); err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		u.Role = Role(role)
		if u.CreatedAt, err = parseStamp(sql.NullString{String: created, Valid: true}); err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		for _, t := range strings.Split(teams, ",") {
			if id, err := strconv.ParseInt(t, 10, 64); err == nil {
				u.Teams = append(u.Teams, id)
			}
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return users, nil
}

// Teams returns every team by name.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name FROM teams ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	defer rows.Close()
	var teams []Team
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Name); err != nil {
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
