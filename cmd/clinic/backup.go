package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"clinic/internal/backup"
)

func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic backup", flag.ContinueOnError)
	to := fs.String("to", "", "the backup file to write (must not exist)")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usageError{"usage: clinic backup --to FILE [--db F]"}
	}
	pages, err := backup.Backup(ctx, *dbPath, *to)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d pages, integrity checked)\n", *dbPath, *to, pages)
	return nil
}

func runRestore(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clinic restore", flag.ContinueOnError)
	from := fs.String("from", "", "the backup file to restore")
	dbPath := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"usage: clinic restore --from FILE [--db F]   (stop the server first)"}
	}
	kept, err := backup.Restore(ctx, *from, *dbPath, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", *dbPath, *from)
	if kept != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", kept)
	}
	return nil
}
