package handlers

import (
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/dropline/dropline/store"
)

// requestLogger logs one line per request with its request ID.
func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus:    true,
		LogURI:       true,
		LogMethod:    true,
		LogLatency:   true,
		LogRequestID: true,
		LogError:     true,
		HandleError:  true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("uri", redactURI(v.URI)), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

// redactURI keeps secrets out of the logs: a feed's public URL is its secret
// (/feed/TOKEN/...), as an emailed PO link is (/po-link/TOKEN/...), a
// store's webhook address names it, and upload and other tokens travel as
// ?token=.
func redactURI(uri string) string {
	path, query, hasQuery := strings.Cut(uri, "?")
	if rest, ok := strings.CutPrefix(path, "/po-link/"); ok {
		// An emailed PO link's token opens its PO to whoever holds it.
		po, rest, _ := strings.Cut(rest, "/")
		if _, err := strconv.ParseInt(po, 10, 64); err != nil {
			po = "[redacted]" // not a PO's ID: it may be a token pasted alone
		}
		path = "/po-link/" + po + "/[redacted]"
		if _, action, ok := strings.Cut(rest, "/"); ok {
			path += "/" + action
		}
	}
	if strings.HasPrefix(path, "/track/") {
		// A customer's tracking link opens the order's page to whoever holds it.
		path = "/track/[redacted]"
	}
	if rest, ok := strings.CutPrefix(path, "/feed/"); ok {
		if _, format, ok := strings.Cut(rest, "/"); ok {
			path = "/feed/[redacted]/" + format
		} else {
			path = "/feed/[redacted]"
		}
	}
	if strings.HasPrefix(path, store.ChannelWebhookPath) {
		// A store's webhook token says which store it is: not for logs.
		path = store.ChannelWebhookPath + "[redacted]"
	}
	if strings.HasPrefix(path, store.TrackingWebhookPath) {
		// As an account's tracking webhook token says which account.
		path = store.TrackingWebhookPath + "[redacted]"
	}
	if !hasQuery {
		return path
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return path + "?[unreadable query]"
	}
	if q.Has("token") {
		q.Set("token", "[redacted]")
	}
	return path + "?" + q.Encode()
}
