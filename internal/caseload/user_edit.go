package caseload

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// UserEdit is an admin's change to a user: name, email, role and team (a
// team name, created when new, as NewUser's). A patient user's role stays
// patient and has no team.
type UserEdit struct {
	Name  string
	Email string
	Role  Role
	Team  string
}

// Validate checks an edit of a user whose role is now was, in place: it
// trims and lower-cases as the store keeps them.
func (e *UserEdit) Validate(was Role) error {
	e.Email = strings.ToLower(strings.TrimSpace(e.Email))
	e.Name = strings.TrimSpace(e.Name)
	e.Team = strings.TrimSpace(e.Team)
	v := validation{}
	if !validEmail(e.Email) {
		v.add("email", "Enter an email address like name@example.nhs.uk")
	}
	if e.Name == "" {
		v.add("name", "Enter a name")
	} else if utf8.RuneCountInString(e.Name) > 200 {
		v.add("name", "Use at most 200 characters")
	}
	switch {
	case was == RolePatient || e.Role == RolePatient:
		if e.Role != was {
			v.add("role", "A patient's account stays a patient's account")
		}
		e.Team = ""
	case e.Role == RoleTherapist || e.Role == RoleSupervisor:
		if e.Team == "" {
			v.add("team", "Enter the team")
		} else if utf8.RuneCountInString(e.Team) > 100 {
			v.add("team", "Use at most 100 characters")
		}
	case e.Role == RoleAdmin:
		e.Team = ""
	default:
		v.add("role", "Choose therapist, supervisor or admin")
	}
	return v.err()
}

// UpdateUser changes a user's name, email, role and team, recording in the
// audit log what each changed from and to. It returns a *ValidationError
// for bad input, ErrConflict when the email is another user's and
// ErrNotFound for no such user.
func (s *Store) UpdateUser(ctx context.Context, actor User, userID int64, in UserEdit) (User, error) {
	var u User
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		wasRow, err := findUser(ctx, tx, userFilter{ID: userID})
		if err != nil {
			return err
		}
		was := wasRow.User
		if err := in.Validate(was.Role); err != nil {
			return err
		}
		wasTeam, err := userTeamName(ctx, tx, was)
		if err != nil {
			return err
		}
		var teamID int64
		if in.Team != "" {
			if teamID, in.Team, err = teamByName(ctx, tx, in.Team, s.Now()); err != nil {
				return err
			}
		}
		var userTeam sql.NullInt64
		if in.Role == RoleTherapist {
			userTeam = sql.NullInt64{Int64: teamID, Valid: true}
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, role = ?, team_id = ? WHERE id = ?`,
			in.Name, in.Email, string(in.Role), userTeam, userID)
		if isUnique(err) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_supervisors WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if in.Role == RoleSupervisor {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_supervisors (team_id, user_id) VALUES (?, ?)`, teamID, userID); err != nil {
				return err
			}
		}
		if changes := editChanges(was, wasTeam, in); changes != "" {
			if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditEditUser, entity: "user", entityID: userID, detail: changes}); err != nil {
				return err
			}
		}
		after, err := findUser(ctx, tx, userFilter{ID: userID})
		u = after.User
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("edit user %d: %w", userID, err)
	}
	return u, nil
}

// userTeamName is the team a user works in (a therapist) or supervises
// (a supervisor's first), "" for none.
func userTeamName(ctx context.Context, tx *sql.Tx, u User) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, `
		SELECT t.name FROM teams t
		WHERE t.id = (SELECT team_id FROM users WHERE id = ?)
		   OR t.id = (SELECT min(team_id) FROM team_supervisors WHERE user_id = ?)
		ORDER BY t.id LIMIT 1`, u.ID, u.ID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// teamByName finds a team by name, creating it when new, and returns its
// id and name as stored.
func teamByName(ctx context.Context, tx *sql.Tx, name string, now time.Time) (int64, string, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id, name FROM teams WHERE name = ?`, name).Scan(&id, &name)
	if !errors.Is(err, sql.ErrNoRows) {
		return id, name, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at) VALUES (?, ?)`, name, stamp(now))
	if err != nil {
		return 0, "", err
	}
	id, err = res.LastInsertId()
	return id, name, err
}

// editChanges says what an edit changed, "name: A → B; role: ...", for the
// audit log; "" when nothing did.
func editChanges(was User, wasTeam string, in UserEdit) string {
	var out []string
	add := func(what, from, to string) {
		if from != to {
			out = append(out, fmt.Sprintf("%s: %q → %q", what, from, to))
		}
	}
	add("name", was.Name, in.Name)
	add("email", was.Email, in.Email)
	add("role", string(was.Role), string(in.Role))
	add("team", wasTeam, in.Team)
	return strings.Join(out, "; ")
}

// DisabledHolder is a disabled account that still holds open referrals.
type DisabledHolder struct {
	User User
	Open int
}

// DisabledHolders lists the disabled accounts that still hold open
// referrals, with how many each: cases nobody is seeing.
func (s *Store) DisabledHolders(ctx context.Context) ([]DisabledHolder, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT rs.therapist_id, count(*)
		FROM referral_summary rs
		JOIN users u ON u.id = rs.therapist_id
		WHERE rs.is_open = 1 AND u.disabled = 1
		GROUP BY rs.therapist_id`)
	if err != nil {
		return nil, fmt.Errorf("disabled holders: %w", err)
	}
	defer rows.Close()
	open := map[int64]int{}
	ids := []int64{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("disabled holders: %w", err)
		}
		open[id] = n
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("disabled holders: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	users, err := findUsers(ctx, s.read, userFilter{IDs: ids})
	if err != nil {
		return nil, fmt.Errorf("disabled holders: %w", err)
	}
	out := make([]DisabledHolder, 0, len(users))
	for _, u := range users {
		out = append(out, DisabledHolder{User: u.User, Open: open[u.ID]})
	}
	slices.SortFunc(out, func(a, b DisabledHolder) int {
		return cmp.Or(strings.Compare(a.User.Name, b.User.Name), cmp.Compare(a.User.ID, b.User.ID))
	})
	return out, nil
}
