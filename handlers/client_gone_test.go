package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A client that leaves before its answer is not a server error: the
// request is logged as 499, with no error line for an operator to chase.
func TestClientGoneIsNotAServerError(t *testing.T) {
	var logs bytes.Buffer
	e := newEnvIn(t, t.TempDir(), &logs)
	w := e.world()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/orders", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+w.tokenA)
	rec := httptest.NewRecorder()
	e.echo.ServeHTTP(rec, req)
	if rec.Code != 499 {
		t.Errorf("status %d, want 499", rec.Code)
	}
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "499") {
		t.Errorf("log:\n%s", logs.String())
	}
}
