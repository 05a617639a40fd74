package handlers

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
)

// channelSyncTimeout bounds "Pull orders now": a store's first pull reads
// up to 30 days of orders, a page at a time.
const channelSyncTimeout = 2 * time.Minute

// channelSync pulls a store's orders now, as the ticker does every few
// minutes, and says what came in.
func (s *Server) channelSync(c echo.Context) error {
	id, err := idParam(c, "channelID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx, cancel := context.WithTimeout(c.Request().Context(), channelSyncTimeout)
	defer cancel()
	ch, err := s.store.SalesChannel(ctx, p.accountID(), id)
	if err != nil {
		return err
	}
	fetcher, err := s.puller.Downloader(ctx)
	if err != nil {
		return err
	}
	res, syncErr := s.store.SyncChannelOrders(ctx, p.accountID(), id, fetcher.GuardedClient())
	if syncErr != nil {
		if ferr := s.flashError(c, "Pulling orders from "+ch.Name+" failed: "+store.UserChannelMessage(syncErr)); ferr != nil {
			return ferr
		}
		return redirect(c, "/settings/channels")
	}
	msg := "Pulled orders from " + ch.Name + ": " + res.Summary()
	if res.Invalid > 0 {
		if err := s.flashError(c, msg+" See the store below for why."); err != nil {
			return err
		}
		return redirect(c, "/settings/channels")
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/settings/channels")
}
