package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// A page request whose client leaves is logged as 499 with no error line
// either: the error page is not rendered for nobody (its frame would read
// the database on the cancelled context and fail).
func TestClientGoneFromAPageIsNotAServerError(t *testing.T) {
	var logs bytes.Buffer
	e := newEnvIn(t, t.TempDir(), &logs)
	w := e.world()
	c := e.client()
	c.login(w.adminA.Email)
	u, _ := url.Parse(e.srv.URL)
	for _, path := range []string{"/", "/orders", "/purchase-orders", "/settings/outbox", "/feeds"} {
		logs.Reset()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		for _, ck := range c.http.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		e.echo.ServeHTTP(rec, req)
		if rec.Code != 499 {
			t.Errorf("%s: status %d, want 499", path, rec.Code)
		}
		if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "status=499") {
			t.Errorf("%s: log:\n%s", path, logs.String())
		}
	}
}
