package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// Requests beyond the limit wait for a turn, in order; a waiting request
// whose client leaves gives up its place; uploads do not take a turn.
func TestInTurnBoundsRequestsRunningAtOnce(t *testing.T) {
	s := &Server{slots: make(chan struct{}, 1)}
	e := echo.New()
	release := make(chan struct{})
	running := make(chan string, 4)
	h := func(c echo.Context) error {
		running <- c.Request().URL.Path
		<-release
		return c.NoContent(http.StatusNoContent)
	}
	e.Use(s.inTurn)
	e.GET("/a", h)
	e.GET("/b", h)
	e.POST("/dropship-orders/upload", h)
	serve := func(ctx context.Context, method, path string) chan int {
		done := make(chan int, 1)
		go func() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(method, path, nil).WithContext(ctx))
			done <- rec.Code
		}()
		return done
	}
	a := serve(context.Background(), http.MethodGet, "/a")
	if got := <-running; got != "/a" {
		t.Fatalf("first to run: %s", got)
	}
	b := serve(context.Background(), http.MethodGet, "/b")
	gone, leave := context.WithCancel(context.Background())
	c := serve(gone, http.MethodGet, "/b")
	up := serve(context.Background(), http.MethodPost, "/dropship-orders/upload")
	if got := <-running; got != "/dropship-orders/upload" {
		t.Fatalf("an upload waited for a turn; ran %s", got)
	}
	select {
	case p := <-running:
		t.Fatalf("%s ran while /a held the only turn", p)
	case <-time.After(50 * time.Millisecond):
	}
	leave()
	if code := <-c; code == http.StatusNoContent {
		t.Fatal("a request whose client left still ran")
	}
	release <- struct{}{} // /a or the upload finishes
	release <- struct{}{}
	if got := <-running; got != "/b" {
		t.Fatalf("next to run: %s", got)
	}
	close(release)
	for _, done := range []chan int{a, b, up} {
		if code := <-done; code != http.StatusNoContent {
			t.Errorf("status %d", code)
		}
	}
}
