package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

func (s *Server) renderOutbox(c echo.Context, status int, v views.OutboxView) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	v.Supplier, v.Merchant, v.IsAdmin, v.Events = p.member.Account.IsSupplier(), p.member.Account.IsMerchant(), p.member.IsAdmin(), store.WebhookEvents
	v.State = c.QueryParam("state")
	eps, err := s.store.WebhookEndpoints(ctx, p.accountID())
	if err != nil {
		return err
	}
	for _, e := range eps {
		v.Endpoints = append(v.Endpoints, views.EndpointRow{ID: e.ID, URL: e.URL, Events: joinEvents(e.Events)})
	}
	msgs, err := s.store.Outbox(ctx, p.accountID(), v.State, 100)
	if err != nil {
		return err
	}
	loc := p.member.Account.Location()
	for _, m := range msgs {
		row := views.OutboxRow{Created: m.CreatedAt.In(loc).Format("2 Jan 15:04"), Kind: m.Kind, Topic: m.Topic, Recipient: m.Recipient,
			Subject: m.Subject, Body: m.Body, State: m.State, Attempts: m.Attempts, Error: m.LastError}
		var from []string
		if m.FromName != "" {
			from = append(from, "from "+m.FromName)
		}
		if m.ReplyTo != "" {
			from = append(from, "replies to "+m.ReplyTo)
		}
		row.From = strings.Join(from, " · ")
		v.Messages = append(v.Messages, row)
	}
	if v.Failed, err = s.store.OutboxCount(ctx, p.accountID(), "failed"); err != nil {
		return err
	}
	return render(c, status, views.OutboxPage(s.frame(c, "Webhooks and outbox"), v))
}

func joinEvents(es []string) string {
	out := ""
	for i, e := range es {
		if i > 0 {
			out += ", "
		}
		out += e
	}
	return out
}

func (s *Server) outboxShow(c echo.Context) error {
	return s.renderOutbox(c, http.StatusOK, views.OutboxView{NewSecret: s.takeFlash(c, "webhook-secret")})
}

func (s *Server) webhookAdd(c echo.Context) error {
	if err := parseBody(c); err != nil {
		return err
	}
	p := principalOf(c)
	url := c.Request().PostFormValue("url")
	_, secret, err := s.store.AddWebhookEndpoint(c.Request().Context(), p.actor(), p.accountID(), url, c.Request().PostForm["events"])
	if errs := fieldErrors(err); errs != nil {
		return s.renderOutbox(c, http.StatusUnprocessableEntity, views.OutboxView{URL: url, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.addFlash(c, secret, "webhook-secret"); err != nil {
		return err
	}
	return redirect(c, "/settings/outbox")
}

func (s *Server) webhookRemove(c echo.Context) error {
	id, err := idParam(c, "endpointID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.store.RemoveWebhookEndpoint(c.Request().Context(), p.actor(), p.accountID(), id); err != nil {
		return err
	}
	if err := s.flash(c, "Endpoint removed."); err != nil {
		return err
	}
	return redirect(c, "/settings/outbox")
}

func (s *Server) outboxRetry(c echo.Context) error {
	p := principalOf(c)
	n, err := s.store.RetryFailed(c.Request().Context(), p.actor(), p.accountID())
	if err != nil {
		return err
	}
	if err := s.flash(c, strconv.Itoa(n)+" failed messages queued again."); err != nil {
		return err
	}
	return redirect(c, "/settings/outbox")
}
