package handlers

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/channel"
	"github.com/dropline/dropline/views"
)

// Settings → Sales channels: a merchant's Shopify and WooCommerce stores.

func (s *Server) channelsShow(c echo.Context) error {
	return s.renderChannels(c, http.StatusOK, views.ChannelsView{})
}

func (s *Server) renderChannels(c echo.Context, status int, v views.ChannelsView) error {
	p := principalOf(c)
	list, err := s.store.SalesChannels(c.Request().Context(), p.accountID())
	if err != nil {
		return err
	}
	stock, err := s.store.ChannelStockReports(c.Request().Context(), p.accountID())
	if err != nil {
		return err
	}
	vw := p.viewer()
	v.Supplier, v.IsAdmin = p.member.Account.IsSupplier(), p.member.IsAdmin()
	for _, ch := range list {
		row := views.ChannelRow{ID: ch.ID, Kind: ch.Kind, Name: ch.Name, BaseURL: ch.BaseURL, CredentialHint: ch.CredentialHint,
			NotifyCustomer: ch.NotifyCustomer, PushStock: ch.PushStock, Paused: ch.Paused, ShopName: ch.ShopName, TestError: ch.TestError}
		if ch.TestedAt != nil {
			row.Tested = vw.Time(*ch.TestedAt)
		}
		if ch.OrdersSyncedAt != nil {
			row.Synced, row.OrdersCreated, row.SyncError = vw.Time(*ch.OrdersSyncedAt), ch.OrdersCreated, ch.SyncError
		}
		row.Stock = channelStockRow(stock[ch.ID], vw)
		if v.Locations.ChannelID == ch.ID {
			v.Locations.Current = stock[ch.ID].LocationID
		}
		row.Webhooks = channelWebhooksRow(ch, vw)
		v.Channels = append(v.Channels, row)
	}
	return render(c, status, views.ChannelsPage(s.frame(c, "Sales channels"), v))
}

// channelInput reads the connect and edit forms. The store's address is
// base_url, or by its platform's own word: shop (Shopify's
// name.myshopify.com) or site_url (WooCommerce), the pinned field names.
func channelInput(c echo.Context) store.SalesChannelInput {
	return store.SalesChannelInput{Kind: cmp.Or(c.FormValue("kind"), c.FormValue("platform")), Name: c.FormValue("name"),
		BaseURL:     cmp.Or(c.FormValue("base_url"), c.FormValue("shop"), c.FormValue("site_url")),
		AccessToken: c.FormValue("access_token"), APISecretKey: c.FormValue("api_secret_key"), ConsumerKey: c.FormValue("consumer_key"), ConsumerSecret: c.FormValue("consumer_secret"),
		NotifyCustomer: c.FormValue("notify_customer") == "true", PushStock: c.FormValue("push_stock") == "true"}
}

func (s *Server) channelSave(c echo.Context) error {
	var id int64
	if c.Param("channelID") != "" {
		n, err := idParam(c, "channelID")
		if err != nil {
			return err
		}
		id = n
	}
	p := principalOf(c)
	in := channelInput(c)
	ch, err := s.store.SaveSalesChannel(c.Request().Context(), p.actor(), p.accountID(), id, in)
	if errs := fieldErrors(err); errs != nil {
		return s.renderChannels(c, http.StatusUnprocessableEntity, views.ChannelsView{EditID: id, Errors: errs,
			Form: views.ChannelForm{Kind: in.Kind, Name: in.Name, BaseURL: in.BaseURL, NotifyCustomer: in.NotifyCustomer, PushStock: in.PushStock}})
	}
	if err != nil {
		return err
	}
	if id == 0 {
		// A new store is tested at once: the merchant learns now, not at the
		// first order, that a token or scope is wrong.
		return s.testChannel(c, ch.ID, "Connected "+ch.Name+".")
	}
	if err := s.flash(c, "Saved "+ch.Name+"."); err != nil {
		return err
	}
	return redirect(c, "/settings/channels")
}

// channelPause pauses a store or resumes it.
func (s *Server) channelPause(c echo.Context) error {
	id, err := idParam(c, "channelID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	paused := c.FormValue("paused") == "true"
	ch, err := s.store.PauseSalesChannel(c.Request().Context(), p.actor(), p.accountID(), id, paused)
	if err != nil {
		return err
	}
	msg := "Paused " + ch.Name + ": its orders are not pulled and tracking for it waits until you resume it."
	if !paused {
		msg = "Resumed " + ch.Name + ": waiting tracking updates are sent now and its orders are pulled again."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/settings/channels")
}

func (s *Server) channelRemove(c echo.Context) error {
	id, err := idParam(c, "channelID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ch, ctx, cancel, client, err := s.storeCallTo(c, id, channelWebhookTimeout)
	if err != nil {
		return err
	}
	defer cancel()
	// Its webhooks on the platform go first: once the store is removed,
	// Dropline no longer has the credentials to delete them.
	removed, hookErr := s.store.RemoveChannelWebhooks(ctx, p.accountID(), id, client)
	if err := s.store.RemoveSalesChannel(c.Request().Context(), p.actor(), p.accountID(), id); err != nil {
		return err
	}
	platform := channelLabel(ch.Kind)
	msg := "Store removed: its credentials are deleted."
	switch {
	case hookErr != nil:
		msg += " Dropline could not delete its webhooks on " + platform + " (" + store.WebhookMessage(hookErr) +
			"): delete them there (Shopify admin: Settings → Notifications → Webhooks; WooCommerce: Settings → Advanced → Webhooks)."
	case removed > 0:
		msg += " Its " + count(removed, "webhook", "webhooks") + " on " + platform + " were deleted."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/settings/channels")
}

func (s *Server) channelTest(c echo.Context) error {
	id, err := idParam(c, "channelID")
	if err != nil {
		return err
	}
	return s.testChannel(c, id, "")
}

// testChannel reads the store's name through its adapter, over the guarded
// client feed downloads use, and says what happened.
func (s *Server) testChannel(c echo.Context, id int64, prefix string) error {
	ch, ctx, cancel, client, err := s.storeCallTo(c, id, 30*time.Second)
	if err != nil {
		return err
	}
	defer cancel()
	shop, testErr := s.store.TestSalesChannel(ctx, ch.AccountID, ch.ID, client)
	msg := prefix
	if msg != "" {
		msg += " "
	}
	if testErr != nil {
		return s.backToChannels(c, msg+"The connection test failed: "+store.UserChannelMessage(testErr), true)
	}
	return s.backToChannels(c, msg+"The connection works: "+strconv.Quote(shop.Name)+" answered.", false)
}

// channelWebhooksRow is where a store's webhooks stand, for its row.
func channelWebhooksRow(ch store.SalesChannel, vw views.Viewer) views.ChannelWebhooks {
	w := views.ChannelWebhooks{Available: channel.HasWebhooks(channel.Kind(ch.Kind)), NeedSecret: ch.Kind == string(channel.Shopify) && !ch.HasWebhookSecret,
		Topics: strings.Join(ch.WebhookTopics, ", "), URL: ch.WebhookURL, Error: ch.WebhookError}
	if ch.WebhooksRegisteredAt != nil {
		w.Registered = vw.Time(*ch.WebhooksRegisteredAt)
	}
	if ch.WebhookReceivedAt != nil {
		w.Received = vw.Time(*ch.WebhookReceivedAt)
	}
	return w
}
