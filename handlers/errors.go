package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

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
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code, msg := http.StatusInternalServerError, "internal", "Something went wrong on our side. It has been logged; try again in a moment."
	var fields map[string]string
	var he *echo.HTTPError
	var ve *store.ValidationError
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
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "request_id", reqID, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
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
