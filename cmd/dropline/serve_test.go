package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// One process serves a database: a second serve on the same file stops at
// once (it would otherwise close the first one's running pulls as
// interrupted), and the file is free again when the first stops.
func TestSecondServerOnTheSameDatabaseIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "one.db")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, err := startApp(context.Background(), serveConfig{Addr: "127.0.0.1:0", DB: db}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := startApp(context.Background(), serveConfig{Addr: "127.0.0.1:0", DB: db}, logger); err == nil || !strings.Contains(err.Error(), "another dropline is serving") {
		t.Fatalf("second serve on the same database: %v, want a refusal", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := startApp(context.Background(), serveConfig{Addr: "127.0.0.1:0", DB: db}, logger)
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	again.Close(ctx)
}
