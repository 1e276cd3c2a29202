package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ValidationColumns are the columns of validation.csv, the problems of a
// submission.
var ValidationColumns = []string{"table", "record_id", "field", "problem"}

// WriteTable writes a table as CSV: a header of its column names, then the
// rows (which must have one value per column).
func WriteTable(w io.Writer, columns []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	for i, r := range rows {
		if len(r) != len(columns) {
			return fmt.Errorf("row %d has %d values for %d columns", i+1, len(r), len(columns))
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteDir writes every IDS table to dir as TABLE.csv (present even when
// empty) and the problems as validation.csv. Files are written whole or
// not at all: each goes to a temporary file first.
func WriteDir(dir string, tables map[string][][]string, problems [][]string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	write := func(name string, columns []string, rows [][]string) error {
		path := filepath.Join(dir, name)
		f, err := os.CreateTemp(dir, "."+name+"-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		if err := WriteTable(f, columns, rows); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(f.Name(), path)
	}
	for _, t := range Tables() {
		if err := write(t.Name+".csv", t.Columns, tables[t.Name]); err != nil {
			return err
		}
	}
	return write("validation.csv", ValidationColumns, problems)
}

// ReadTable reads TABLE.csv from dir as written by WriteDir or exported
// from an IDB with mdb-export: each row as a map from column name to value.
// Columns may come in any order; columns clinic does not know are ignored.
// A missing file is an error wrapping os.ErrNotExist.
func ReadTable(dir string, t Table) ([]map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, t.Name+".csv")) // #nosec G304 -- the directory is the operator's own
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s.csv: no header row", t.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s.csv: %w", t.Name, err)
	}
	var out []map[string]string
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s.csv: %w", t.Name, err)
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s.csv line %d: %d values for %d columns", t.Name, line, len(rec), len(header))
		}
		row := make(map[string]string, len(header))
		for i, c := range header {
			row[c] = rec[i]
		}
		out = append(out, row)
	}
}
