package caseload

import (
	"context"
	"errors"
)

// ErrNotEmpty is returned by LoadDemo when the database already has data.
var ErrNotEmpty = errors.New("database is not empty")

// DemoAccount is a demo sign-in, printed for whoever runs the demo.
type DemoAccount struct {
	Email, Password, Role, Name string
}

// Demo is what LoadDemo created.
type Demo struct {
	Loaded    bool
	Accounts  []DemoAccount
	Patients  int
	Referrals int
	Contacts  int
}

// LoadDemo fills an empty database with a demo service.
func LoadDemo(ctx context.Context, s *Store) (Demo, error) {
	return Demo{}, errors.New("load demo: not written yet")
}
