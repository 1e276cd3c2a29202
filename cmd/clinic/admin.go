package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"clinic/internal/caseload"
)

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic user add", flag.ContinueOnError)
	email := fs.String("email", "", "sign-in e-mail address")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "therapist, supervisor or admin")
	team := fs.String("team", "", "a therapist's team, or the team a supervisor supervises (created if new)")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// The password comes from standard input so it never shows in the
	// process list or the shell history.
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from standard input: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")

	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.CreateUser(ctx, caseload.NewUser{
		Email:    *email,
		Name:     *name,
		Role:     caseload.Role(*role),
		Team:     *team,
		Password: password,
	})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "added %s %s (%s), id %d\n", u.Role, u.Name, u.Email, u.ID)
	return nil
}

func runRebuild(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic rebuild-summaries", flag.ContinueOnError)
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.RebuildSummaries(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt %d referral summaries\n", n)
	return nil
}

// describe turns a store error into words for the terminal: validation
// messages field by field, a missing user plainly.
func describe(err error) error {
	var ve *caseload.ValidationError
	if errors.As(err, &ve) {
		keys := make([]string, 0, len(ve.Fields))
		for k := range ve.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "\n  --%s: %s", strings.ReplaceAll(k, "_", "-"), ve.Fields[k])
		}
		return usageError{"not saved:" + b.String()}
	}
	if errors.Is(err, caseload.ErrNotFound) {
		return usageError{"no such user"}
	}
	if errors.Is(err, caseload.ErrConflict) {
		return usageError{"a user with that e-mail address already exists"}
	}
	return err
}
