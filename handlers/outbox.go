package handlers

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

func (s *Server) renderOutbox(c echo.Context, status int, v views.OutboxView) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	v.Supplier, v.Merchant, v.IsAdmin, v.Events = p.member.Account.IsSupplier(), p.member.Account.IsMerchant(), p.member.IsAdmin(), store.WebhookEventsFor(p.member.Account.Kind)
	v.State, v.Kind = c.QueryParam("state"), c.QueryParam("kind")
	eps, err := s.store.WebhookEndpoints(ctx, p.accountID())
	if err != nil {
		return err
	}
	for _, e := range eps {
		v.Endpoints = append(v.Endpoints, views.EndpointRow{ID: e.ID, URL: e.URL, Events: joinEvents(e.Events)})
	}
	msgs, err := s.store.OutboxList(ctx, p.accountID(), store.OutboxFilter{Kind: v.Kind, State: v.State}, 100)
	if err != nil {
		return err
	}
	vw := p.viewer()
	now := time.Now()
	for _, m := range msgs {
		row := views.OutboxRow{Created: vw.ShortTime(m.CreatedAt), Kind: m.Kind, Topic: m.Topic, Recipient: m.Recipient,
			Subject: m.Subject, Body: m.Body, State: m.State, Reason: outboxReason(m, vw, now), HTML: m.HTML != ""}
		if t := poLinkToken.FindStringSubmatch(m.Body); m.Kind == store.OutboxEmail && t != nil {
			// An emailed PO's signed link, to open here: on this server,
			// whatever base URL the email was written with.
			id, _ := strconv.ParseInt(t[1], 10, 64)
			row.Link, row.LinkLabel, row.LinkKind = store.POLinkPath(id, t[2]), "Open the PO link in this email", "po"
		}
		if t := trackingLinkToken.FindStringSubmatch(m.Body); m.Kind == store.OutboxEmail && t != nil {
			// A customer's tracking link, as well.
			row.Link, row.LinkLabel, row.LinkKind = store.TrackingLinkPath(t[1]), "Open the customer's tracking page", "tracking"
		}
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
	if v.Count, err = s.store.OutboxFilterCount(ctx, p.accountID(), store.OutboxFilter{Kind: v.Kind, State: v.State}); err != nil {
		return err
	}
	return render(c, status, views.OutboxPage(s.frame(c, "Webhooks and outbox"), v))
}

// outboxReason says why a message waits or failed, in the page's words.
func outboxReason(m store.OutboxMessage, vw views.Viewer, now time.Time) string {
	at := m.NextAttemptAt.In(vw.Loc)
	when := at.Format("15:04")
	if y, d := at.YearDay(), now.In(vw.Loc).YearDay(); y != d || at.Year() != now.In(vw.Loc).Year() {
		when = at.Format("2 Jan 15:04")
	}
	switch {
	case m.State == "failed":
		return fmt.Sprintf("failed after %d attempts: %s", m.Attempts, m.LastError)
	case m.State != "pending":
		return ""
	case m.WaitingFor != "":
		return "waiting: " + m.LastError
	case m.Attempts > 0:
		return fmt.Sprintf("retry %d at %s: %s", m.Attempts+1, when, m.LastError)
	case m.NextAttemptAt.After(now):
		return "due at " + when
	}
	return "queued: sent on the next pass"
}

// poLinkToken finds the token of a signed PO link in an email's text.
var poLinkToken = regexp.MustCompile(`/po-link/(\d+)/([A-Za-z0-9_-]{43})\b`)

// trackingLinkToken finds the token of a customer's tracking link in an email's text.
var trackingLinkToken = regexp.MustCompile(`/track/([A-Za-z0-9_-]{43})\b`)

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
