package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// apiError is the REST API's error body.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// handleError is Echo's one error handler: it maps store errors to statuses,
// logs 500s with the request ID, and renders a page or a JSON error.
// statusClientClosed is logged for requests whose client left first.
const statusClientClosed = 499

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code, msg := http.StatusInternalServerError, "internal", "Something went wrong on our side. It has been logged; try again in a moment."
	var fields map[string]string
	var he *echo.HTTPError
	var ve *store.ValidationError
	var se *sqlite.Error
	switch {
	case errors.As(err, &he):
		status = he.Code
		code = strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
		msg = fmt.Sprint(he.Message)
		if status == http.StatusNotFound {
			msg = "There is nothing here. It may have been removed, or the address is wrong."
		}
	case errors.Is(err, store.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "There is nothing here. It may have been removed, or the address is wrong."
	case errors.Is(err, store.ErrConflict):
		status, code, msg = http.StatusConflict, "conflict", store.Message(err)
		if msg == "" {
			msg = "This clashes with a change made meanwhile. Reload and try again."
		}
	case errors.As(err, &ve):
		status, code, msg, fields = http.StatusUnprocessableEntity, "invalid", "Some fields need attention.", ve.Fields
	case errors.As(err, &se) && diskErrors[se.Code()&0xff].status != 0:
		d := diskErrors[se.Code()&0xff] // by the primary part of an extended code
		status, code, msg = d.status, d.code, d.msg
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		// The client went away (closed the tab, gave up): not a server
		// error. 499 is nginx's "client closed request"; nobody reads it
		// but the request log.
		status, code, msg = statusClientClosed, "client_closed", "The request was cancelled."
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "request_id", reqID, "method", c.Request().Method, "path", redactURI(c.Request().URL.Path), "err", err)
	}
	// Nobody is there to read an answer to a client that left, and building
	// a page (its frame reads the database) would only fail on the same
	// cancelled context.
	if c.Request().Method == http.MethodHead || status == statusClientClosed {
		_ = c.NoContent(status)
		return
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		_ = c.JSON(status, apiError{Error: apiErrorBody{Code: code, Message: msg, Fields: fields}})
		return
	}
	info := views.ErrorInfo{Status: status, Title: http.StatusText(status), Message: msg}
	if status >= 500 {
		info.RequestID = reqID
	}
	if rerr := render(c, status, views.ErrorPage(s.frame(c, info.Title), info)); rerr != nil {
		s.log.Error("render error page", "request_id", reqID, "err", rerr)
		_ = c.String(status, msg)
	}
}

// diskErrors are the SQLite result codes that mean the disk, not the request,
// is at fault. The store's transaction that met one was rolled back, so
// nothing was saved; the single writer connection takes the next write.
var diskErrors = map[int]struct {
	status    int
	code, msg string
}{
	sqlite3.SQLITE_FULL:     {http.StatusInsufficientStorage, "insufficient_storage", "The server is out of disk space: nothing was saved. Try again later."},
	sqlite3.SQLITE_READONLY: {http.StatusServiceUnavailable, "read_only", "The database is read-only right now: nothing was saved. Try again later."},
	sqlite3.SQLITE_IOERR:    {http.StatusServiceUnavailable, "storage_unavailable", "The server cannot read or write its database right now: nothing was saved. Try again later."},
	sqlite3.SQLITE_CANTOPEN: {http.StatusServiceUnavailable, "storage_unavailable", "The server cannot read or write its database right now: nothing was saved. Try again later."},
}
