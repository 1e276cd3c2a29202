package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"clinic/internal/caseload"
)

const tokenUsage = "usage: clinic token create --email E [--name N] [--db F] | clinic token list [--email E] [--db F] | clinic token revoke --id N [--db F]"

// runToken runs `clinic token create|list|revoke`. Making a token here is
// a server operator's act for a member of staff (patients get none); the
// web app lets each user make their own.
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{tokenUsage}
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], stdout)
	case "list":
		return runTokenList(ctx, args[1:], stdout)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], stdout)
	}
	return usageError{tokenUsage}
}

func runTokenCreate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic token create", flag.ContinueOnError)
	email := fs.String("email", "", "the member of staff the token acts as")
	name := fs.String("name", "", "what the token is for")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	secret, _, err := store.CreateToken(ctx, *email, *name)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func runTokenList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic token list", flag.ContinueOnError)
	email := fs.String("email", "", "only this user's tokens")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	tokens, err := store.Tokens(ctx, 0)
	if err != nil {
		return err
	}
	now := store.Now()
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSER\tNAME\tMADE\tLAST USED\tSTATUS")
	for _, t := range tokens {
		if *email != "" && !strings.EqualFold(t.UserEmail, strings.TrimSpace(*email)) {
			continue
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.UserEmail, t.Name, t.CreatedAt.Format(time.DateOnly), lastUsed(t), tokenStatus(t, now))
	}
	return w.Flush()
}

func lastUsed(t caseload.Token) string {
	if t.LastUsedAt.IsZero() {
		return "never"
	}
	return t.LastUsedAt.Format("2006-01-02 15:04")
}

func tokenStatus(t caseload.Token, now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked " + t.RevokedAt.Format(time.DateOnly)
	case !t.Active(now):
		return "expired " + t.ExpiresAt.Format(time.DateOnly)
	}
	return "works until " + t.ExpiresAt.Format(time.DateOnly)
}

func runTokenRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic token revoke", flag.ContinueOnError)
	id := fs.Int64("id", 0, "the token's id (clinic token list)")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		return usageError{"--id: give the token's id (see clinic token list)"}
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.RevokeToken(ctx, *id, 0); err != nil {
		if errors.Is(err, caseload.ErrNotFound) {
			return usageError{"no such token"}
		}
		return err
	}
	fmt.Fprintf(stdout, "revoked token %d\n", *id)
	return nil
}
