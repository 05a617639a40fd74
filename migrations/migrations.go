// Package migrations holds the numbered migrations that build Dropline's
// schema: SQL files, and one in Go (16, which edits constraints' text), for
// SQLite; and in postgres/ the same history for PostgreSQL, version for
// version, in its types (BIGINT, TIMESTAMPTZ, BYTEA).
package migrations

import "embed"

// FS holds every migration's file, applied in order by the store at start;
// a Go migration's file is there so that goose reports it by name.
//
//go:embed *.sql 0016_check_lists.go
var FS embed.FS

// Postgres holds the PostgreSQL history, under postgres/.
//
//go:embed postgres/*.sql
var Postgres embed.FS
