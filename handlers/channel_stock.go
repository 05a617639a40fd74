package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/channel"
	"github.com/dropline/dropline/views"
)

// Stock out on Settings → Sales channels: Push stock now, and the Shopify
// location a store's stock is set at.

// channelStockTimeout bounds "Push stock now" and reading a shop's
// locations; a push that runs out of time keeps what it sent, and the rest
// goes with the ticker's next push.
const channelStockTimeout = 2 * time.Minute

// channelStockRow is what the stock report of a store shows.
func channelStockRow(r store.ChannelStock, vw views.Viewer) views.ChannelStockRow {
	row := views.ChannelStockRow{Location: r.LocationName, Sent: r.Sent, InStep: r.InStep, Waiting: r.Waiting, Missing: r.Missing,
		MissingSKUs: r.MissingSKUs, Error: r.Error}
	if r.LocationID != "" && row.Location == "" {
		row.Location = r.LocationID
	}
	if r.CheckedAt != nil {
		row.Checked = vw.Time(*r.CheckedAt)
	}
	return row
}

// channelProblem is the message of a store's own answer (a refusal, the
// network), and false for any other error, which is the server's.
func channelProblem(err error) (string, bool) {
	var ce *channel.Error
	if errors.As(err, &ce) {
		return ce.Message, true
	}
	return "", false
}

// channelStockPush pushes a store's stock now, as the ticker does every few
// minutes, asking the store again for the SKUs it did not have, and says
// what happened.
func (s *Server) channelStockPush(c echo.Context) error {
	ch, ctx, cancel, client, err := s.storeCall(c, channelStockTimeout)
	if err != nil {
		return err
	}
	defer cancel()
	p, id := principalOf(c), ch.ID
	res, err := s.store.PushChannelStock(ctx, p.accountID(), id, client, true)
	if msg := store.Message(err); msg != "" {
		return s.backToChannels(c, msg, true)
	}
	if err != nil {
		return err
	}
	msg := "Pushed stock to " + ch.Name + ": " + res.Summary()
	if res.Error != "" {
		return s.backToChannels(c, msg+" "+ch.Name+" answered: "+res.Error, true)
	}
	return s.backToChannels(c, msg, false)
}

// channelLocations reads a Shopify store's active locations and shows the
// page with the choice of where its stock is set.
func (s *Server) channelLocations(c echo.Context) error {
	ch, ctx, cancel, client, err := s.storeCall(c, channelStockTimeout)
	if err != nil {
		return err
	}
	defer cancel()
	p, id := principalOf(c), ch.ID
	locs, err := s.store.ChannelLocations(ctx, p.accountID(), id, client)
	if err != nil {
		msg := store.Message(err)
		if problem, ok := channelProblem(err); ok {
			msg = "Reading the locations of " + ch.Name + " failed: " + problem
		}
		if msg == "" {
			return err
		}
		return s.backToChannels(c, msg, true)
	}
	v := views.ChannelsView{Locations: views.ChannelLocations{ChannelID: id}}
	for _, l := range locs {
		v.Locations.Options = append(v.Locations.Options, views.LocationOption{ID: l.ID, Name: l.Name, Primary: l.Primary, Online: l.FulfillsOnlineOrders})
	}
	return s.renderChannels(c, http.StatusOK, v)
}

// channelLocationSave sets where a Shopify store's stock is set; another
// location gets every quantity with the next push.
func (s *Server) channelLocationSave(c echo.Context) error {
	ch, ctx, cancel, client, err := s.storeCall(c, channelStockTimeout)
	if err != nil {
		return err
	}
	defer cancel()
	p, id := principalOf(c), ch.ID
	loc, err := s.store.SetStockLocation(ctx, p.actor(), p.accountID(), id, c.FormValue("location_id"), client)
	if err != nil {
		msg := store.Message(err)
		if errs := fieldErrors(err); errs != nil {
			msg = errs["location_id"]
		}
		if problem, ok := channelProblem(err); ok {
			msg = "Reading the locations of " + ch.Name + " failed: " + problem
		}
		if msg == "" {
			return err
		}
		return s.backToChannels(c, msg, true)
	}
	where := "the shop's primary location"
	if loc.ID != "" {
		where = loc.Name
	}
	return s.backToChannels(c, ch.Name+"'s stock is set at "+where+"; the next push sends every quantity there.", false)
}
