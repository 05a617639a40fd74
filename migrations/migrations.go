// Package migrations holds the numbered SQL files that build Dropline's schema.
package migrations

import "embed"

// FS holds every migration, applied in order by the store at start.
//
//go:embed *.sql
var FS embed.FS
