package handlers

import (
	_ "embed"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
)

const (
	ctxAPIAccount = "dl.api_account"
	ctxAPIToken   = "dl.api_token"
)

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) apiOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}

// requireToken authenticates an API request by its bearer token.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return echo.NewHTTPError(http.StatusUnauthorized, "Send an API token as 'Authorization: Bearer TOKEN'.")
		}
		tok, acc, err := s.store.TokenAccount(c.Request().Context(), strings.TrimSpace(token))
		if errors.Is(err, store.ErrNotFound) {
			return echo.NewHTTPError(http.StatusUnauthorized, "This API token is unknown or revoked.")
		}
		if err != nil {
			return err
		}
		c.Set(ctxAPIAccount, acc)
		c.Set(ctxAPIToken, tok)
		return next(c)
	}
}

// apiActor is who the audit log and timelines name for an API request: the token.
func apiActor(c echo.Context) store.Actor {
	t, _ := c.Get(ctxAPIToken).(store.APIToken)
	return store.TokenActor(t)
}

func apiAccountOf(c echo.Context) store.Account {
	a, _ := c.Get(ctxAPIAccount).(store.Account)
	return a
}

// apiAccountBody is the account as the API shows it.
type apiAccountBody struct {
	ID              int64  `json:"id"`
	PublicID        string `json:"public_id"`
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	TimeZone        string `json:"time_zone"`
	DropshipEnabled bool   `json:"dropship_enabled"`
}

func (s *Server) apiAccount(c echo.Context) error {
	a := apiAccountOf(c)
	return c.JSON(http.StatusOK, apiAccountBody{ID: a.ID, PublicID: a.PublicID, Name: a.Name, Kind: a.Kind, TimeZone: a.TimeZone, DropshipEnabled: a.DropshipEnabled})
}
