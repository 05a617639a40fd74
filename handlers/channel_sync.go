package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
)

// channelSyncTimeout bounds "Pull orders now": a store's first pull reads
// up to 30 days of orders, a page at a time.
const channelSyncTimeout = 2 * time.Minute

// storeCall opens the merchant's store named by :channelID for a call to
// it: the store, a context bounded by timeout (cancel it when done), and the
// guarded client feed downloads use. Another merchant's store is not found.
func (s *Server) storeCall(c echo.Context, timeout time.Duration) (store.SalesChannel, context.Context, context.CancelFunc, *http.Client, error) {
	id, err := idParam(c, "channelID")
	if err != nil {
		return store.SalesChannel{}, nil, nil, nil, err
	}
	return s.storeCallTo(c, id, timeout)
}

// storeCallTo is storeCall for the merchant's store id.
func (s *Server) storeCallTo(c echo.Context, id int64, timeout time.Duration) (store.SalesChannel, context.Context, context.CancelFunc, *http.Client, error) {
	ctx, cancel := context.WithTimeout(c.Request().Context(), timeout)
	ch, err := s.store.SalesChannel(ctx, principalOf(c).accountID(), id)
	if err != nil {
		cancel()
		return store.SalesChannel{}, nil, nil, nil, err
	}
	fetcher, err := s.puller.Downloader(ctx)
	if err != nil {
		cancel()
		return store.SalesChannel{}, nil, nil, nil, err
	}
	return ch, ctx, cancel, fetcher.GuardedClient(), nil
}

// backToChannels says msg (as a problem when bad) on Settings → Sales
// channels.
func (s *Server) backToChannels(c echo.Context, msg string, bad bool) error {
	say := s.flash
	if bad {
		say = s.flashError
	}
	if err := say(c, msg); err != nil {
		return err
	}
	return redirect(c, "/settings/channels")
}

// channelSync pulls a store's orders now, as the ticker does every few
// minutes, and says what came in.
func (s *Server) channelSync(c echo.Context) error {
	ch, ctx, cancel, client, err := s.storeCall(c, channelSyncTimeout)
	if err != nil {
		return err
	}
	defer cancel()
	res, syncErr := s.store.SyncChannelOrders(ctx, ch.AccountID, ch.ID, client)
	if syncErr != nil {
		return s.backToChannels(c, "Pulling orders from "+ch.Name+" failed: "+store.UserChannelMessage(syncErr), true)
	}
	msg := "Pulled orders from " + ch.Name + ": " + res.Summary()
	if res.Invalid > 0 {
		return s.backToChannels(c, msg+" See the store below for why.", true)
	}
	return s.backToChannels(c, msg, false)
}
