package caseload

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mattn/go-sqlite3"
)

// The administrator's pseudonymised outcome CSV (issue 15) comes in the
// pseudonyms' order, so that the order of its rows says nothing of the
// referral ids (nor of the audit rows of the download, which carry them).
// The order is SQLite's (ORDER BY export_pseudonym(key, id), a function the
// reader connections have), so the export streams a row at a time like
// everyone else's rather than holding every row to sort it (issue 17):
// SQLite's sorter spills to temporary files, not the server's memory.

// ExportPseudonym is a referral's pseudonym in one export: the start of
// HMAC-SHA-256 of its id under a key made for that export and then
// forgotten, so the same referral gets another pseudonym in the next
// export and none can be turned back into an id.
func ExportPseudonym(key []byte, referralID int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(referralID, 10)))
	return "X" + hex.EncodeToString(m.Sum(nil))[:12]
}

// readerDriver is the driver of the reader connections: SQLite with
// export_pseudonym(key, id), which is ExportPseudonym.
const readerDriver = "sqlite3_clinic_reader"

func init() {
	sql.Register(readerDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			return c.RegisterFunc("export_pseudonym", ExportPseudonym, true)
		},
	})
}

// EachReportRowByPseudonym calls fn with each of ReportRows' rows and its
// pseudonym under key (ExportPseudonym), in the pseudonyms' order, one row
// at a time into the same ReportRow (fn must not keep it).
func (s *Store) EachReportRowByPseudonym(ctx context.Context, f ReportFilter, key []byte, fn func(r *ReportRow, pseudonym string) error) error {
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return fmt.Errorf("report rows: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	if len(key) < 16 {
		return fmt.Errorf("report rows: a pseudonym key of %d bytes is too short", len(key))
	}
	teams, err := json.Marshal(nonNil(f.Teams))
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	// The rows of EachReportRow's query, ordered again by pseudonym; the
	// pseudonym is worked out again in Go, with the same key, for the row.
	rows, err := s.read.QueryContext(ctx, `SELECT * FROM (`+reportRowsQuery+`) ORDER BY export_pseudonym(?, referral_id)`,
		f.From, f.To, f.From, f.To, f.From, f.To,
		f.WholeService, string(teams),
		f.TherapistID, f.TherapistID,
		f.Descriptor, f.Descriptor, descriptorBeneath(f.Descriptor),
		key)
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	defer rows.Close()
	return eachReportRow(rows, "report rows", withPseudonym(key, fn))
}

// EachSectionRowByPseudonym is EachSectionRow for an administrator's
// section CSV: the same rows, ordered by their pseudonym under key (SQLite
// sorts them, so one row at a time is held), each given with it.
func (s *Store) EachSectionRowByPseudonym(ctx context.Context, f ReportFilter, key []byte, fn func(r *ReportRow, pseudonym string) error) error {
	if !validDate(f.From) || !validDate(f.To) || f.From > f.To {
		return fmt.Errorf("section rows: %w", &ValidationError{Fields: map[string]string{"from": "The period must run from one real date to a later one"}})
	}
	if len(key) < 16 {
		return fmt.Errorf("section rows: a pseudonym key of %d bytes is too short", len(key))
	}
	args, err := aggregateArgs(f)
	if err != nil {
		return fmt.Errorf("section rows: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT * FROM (`+sectionRowsQuery+`) ORDER BY export_pseudonym(:pseudonym_key, referral_id)`, append(args, sql.Named("pseudonym_key", key))...)
	if err != nil {
		return fmt.Errorf("section rows: %w", err)
	}
	defer rows.Close()
	return eachReportRow(rows, "section rows", withPseudonym(key, fn))
}

// withPseudonym gives fn each row with its pseudonym under key.
func withPseudonym(key []byte, fn func(r *ReportRow, pseudonym string) error) func(*ReportRow) error {
	return func(r *ReportRow) error { return fn(r, ExportPseudonym(key, r.ReferralID)) }
}
