// Package clinic holds what belongs to the whole repository: the database
// schema, embedded so that the binary carries it and caseload.Open applies it.
package clinic

import _ "embed"

// Schema is the SQLite schema, applied in numbered steps by caseload.Open.
//
//go:embed schema.sql
var Schema string
