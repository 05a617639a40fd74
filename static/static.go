// Package static holds the CSS, scripts and images the portal serves, embedded
// so the binary works offline with no CDN.
package static

import "embed"

// FS holds the static files, served under /static/.
//
//go:embed *.css *.js *.svg
var FS embed.FS
