package handlers

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/channel"
)

// channelWebhookTimeout bounds "Register webhooks": a few requests to the
// store, and WooCommerce pings Dropline back before it answers.
const channelWebhookTimeout = time.Minute

// channelWebhook takes a connected store's webhook delivery. The token in
// the address says which store; only the signature with the store's secret
// says it came from there: without it the answer is 401 and nothing is
// kept. Every delivery Dropline read, whatever became of it, is answered
// 200, since the platforms retry anything else and in the end switch the
// webhook off.
func (s *Server) channelWebhook(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, channel.MaxWebhookBody+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(body) > channel.MaxWebhookBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The webhook body is too large.")
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The webhook body could not be read.")
	}
	out, err := s.store.ReceiveChannelWebhook(c.Request().Context(), c.Param("token"), c.Request().Header, body)
	if errors.Is(err, store.ErrWebhookSignature) {
		return echo.NewHTTPError(http.StatusUnauthorized, "The webhook's signature does not match the store's secret.")
	}
	if err != nil {
		return err
	}
	answer := map[string]any{"result": out.Result}
	if out.OrderID != 0 {
		answer["order_id"] = out.OrderID
	}
	if out.Problem != "" {
		answer["problem"] = out.Problem
	}
	return c.JSON(http.StatusOK, answer)
}

// channelWebhooksRegister subscribes Dropline to a store's new and changed
// orders, at this Dropline's address as the merchant reaches it (the same
// way Settings → Orders builds its webhook address).
func (s *Server) channelWebhooksRegister(c echo.Context) error {
	ch, ctx, cancel, client, err := s.storeCall(c, channelWebhookTimeout)
	if err != nil {
		return err
	}
	defer cancel()
	p, id := principalOf(c), ch.ID
	subs, regErr := s.store.RegisterChannelWebhooks(ctx, p.actor(), p.accountID(), id, c.Scheme()+"://"+c.Request().Host, client)
	if errors.Is(regErr, store.ErrNotFound) {
		return regErr
	}
	if regErr != nil {
		return s.backToChannels(c, "Registering the webhooks of "+ch.Name+" failed: "+store.WebhookMessage(regErr), true)
	}
	var made, kept []string
	for _, sub := range subs {
		if sub.Existed {
			kept = append(kept, sub.Topic)
		} else {
			made = append(made, sub.Topic)
		}
	}
	msg := "Webhooks of " + ch.Name + " registered"
	if len(made) > 0 {
		msg += ": " + strings.Join(made, ", ") + " made"
	}
	if len(kept) > 0 {
		msg += "; " + strings.Join(kept, ", ") + " were there already"
	}
	return s.backToChannels(c, msg+". New orders now come in the moment they are placed.", false)
}
