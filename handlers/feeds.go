package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/feedfile"
	"github.com/dropline/dropline/views"
)

// feedsShow is the Feeds page: the merchant's subscriptions and the supplier's feeds.
func (s *Server) feedsShow(c echo.Context) error {
	return s.renderFeeds(c, http.StatusOK, views.FeedsView{})
}

// subscriptionRows lists the merchant's subscriptions with their last run.
func (s *Server) subscriptionRows(c echo.Context) ([]views.SubscriptionRow, error) {
	ctx := c.Request().Context()
	acc := principalOf(c).member.Account
	vw := viewerOf(acc)
	loc := vw.Loc
	subs, err := s.store.Subscriptions(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []views.SubscriptionRow
	for _, sub := range subs {
		row := views.SubscriptionRow{ID: sub.ID, Name: sub.Name, Source: subscriptionSource(sub), Schedule: scheduleText(sub, loc),
			Stale: sub.Stale(now), Paused: sub.Paused, NextRun: "—"}
		if sub.NextRunAt != nil && !sub.Paused {
			row.NextRun = vw.ShortTime(*sub.NextRunAt)
		}
		runs, err := s.store.FeedRuns(ctx, acc.ID, sub.ID, 1)
		if err != nil {
			return nil, err
		}
		if len(runs) > 0 {
			row.LastRun, row.LastState = vw.ShortTime(runs[0].StartedAt), runs[0].State
		}
		out = append(out, row)
	}
	return out, nil
}

// needingAttention keeps the stale or held subscriptions.
func needingAttention(rows []views.SubscriptionRow) []views.SubscriptionRow {
	var out []views.SubscriptionRow
	for _, r := range rows {
		if r.NeedsAttention() {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) renderFeeds(c echo.Context, status int, v views.FeedsView) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	acc := p.member.Account
	v.Supplier, v.Merchant, v.IsAdmin = acc.IsSupplier(), acc.IsMerchant(), p.member.IsAdmin()
	if v.Merchant {
		rows, err := s.subscriptionRows(c)
		if err != nil {
			return err
		}
		// ?attention=1 lists what the dashboard counts: stale or held feeds.
		v.Attention = c.QueryParam("attention") == "1"
		v.Subscriptions = rows
		if v.Attention {
			v.Subscriptions = needingAttention(rows)
		}
		feeds, err := s.store.AvailableFeeds(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, f := range feeds {
			v.Available = append(v.Available, views.Option{Value: strconv.FormatInt(f.ID, 10), Label: f.SupplierName + ": " + f.Name})
		}
	}
	if v.Supplier {
		feeds, err := s.store.Feeds(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, f := range feeds {
			row := views.FeedRow{ID: f.ID, Name: f.Name, Fields: strings.ReplaceAll(strings.Join(f.Fields, ", "), "lead_time", "lead time"), HasToken: f.TokenPrefix != "", Archived: f.Archived}
			switch f.Selection {
			case store.SelectTag:
				row.Selection = "tag " + f.SelectionValue
			case store.SelectSKUs:
				row.Selection = strconv.Itoa(len(strings.Split(f.SelectionValue, "\n"))) + " SKUs"
			default:
				row.Selection = "all active"
			}
			row.Merchants = "all linked"
			if !f.AllMerchants {
				row.Merchants = strconv.Itoa(len(f.MerchantIDs)) + " chosen"
			}
			v.Feeds = append(v.Feeds, row)
		}
	}
	return render(c, status, views.FeedsPage(s.frame(c, "Feeds"), v))
}

func subscriptionSource(sub store.Subscription) string {
	if sub.External() {
		return sub.URL
	}
	return "Linked supplier " + sub.SupplierName
}

func scheduleText(sub store.Subscription, loc *time.Location) string {
	if sub.Schedule == store.ScheduleDaily {
		return "daily at " + sub.DailyAt + " " + loc.String()
	}
	return "every " + strconv.Itoa(sub.IntervalMinutes) + " min"
}

// ---- Supplier: feeds ----

func (s *Server) linkedMerchants(c echo.Context, checked []int64) ([]views.MerchantChoice, error) {
	p := principalOf(c)
	links, err := s.store.AccountLinks(c.Request().Context(), p.accountID())
	if err != nil {
		return nil, err
	}
	var out []views.MerchantChoice
	for _, l := range links {
		if l.SupplierID != p.accountID() || !l.Live() {
			continue
		}
		ch := views.MerchantChoice{ID: l.MerchantID, Name: l.MerchantName + " (" + l.MerchantPID + ")"}
		for _, id := range checked {
			ch.Checked = ch.Checked || id == l.MerchantID
		}
		out = append(out, ch)
	}
	return out, nil
}

func (s *Server) renderFeed(c echo.Context, status int, v views.FeedView) error {
	p := principalOf(c)
	v.IsAdmin = p.member.IsAdmin()
	v.AllFields = store.FeedFields
	var err error
	if v.Merchants, err = s.linkedMerchants(c, v.Form.MerchantIDs); err != nil {
		return err
	}
	if !v.New {
		f, err := s.store.Feed(c.Request().Context(), p.accountID(), v.ID)
		if err != nil {
			return err
		}
		v.HasToken, v.TokenPrefix = f.TokenPrefix != "", f.TokenPrefix
		n := 0
		if err := s.store.FeedRows(c.Request().Context(), f, func(feedfile.Row) error { n++; return nil }); err != nil {
			return err
		}
		v.Count = n
	}
	title := "New feed"
	if !v.New {
		title = "Feed: " + v.Form.Name
	}
	return render(c, status, views.FeedPage(s.frame(c, title), v))
}

func (s *Server) feedNew(c echo.Context) error {
	return s.renderFeed(c, http.StatusOK, views.FeedView{New: true, Form: views.FeedForm{Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true}})
}

func (s *Server) feedShow(c echo.Context) error {
	id, err := idParam(c, "feedID")
	if err != nil {
		return err
	}
	f, err := s.store.Feed(c.Request().Context(), principalOf(c).accountID(), id)
	if err != nil {
		return err
	}
	v := views.FeedView{ID: f.ID, Form: views.FeedForm{Name: f.Name, Selection: f.Selection, SelectionValue: f.SelectionValue, Fields: f.Fields,
		AllMerchants: f.AllMerchants, MerchantIDs: f.MerchantIDs}}
	if t := s.takeFlash(c, "feed-token"); t != "" {
		base := c.Scheme() + "://" + c.Request().Host + "/feed/" + t
		v.NewCSVURL, v.NewJSONURL = base+"/products.csv", base+"/products.json"
	}
	return s.renderFeed(c, http.StatusOK, v)
}

func (s *Server) feedSave(c echo.Context) error {
	id, err := optionalIDParam(c, "feedID")
	if err != nil {
		return err
	}
	var in views.FeedForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	switch in.Selection {
	case store.SelectTag:
		in.SelectionValue = in.SelectionTag
	case store.SelectSKUs:
		in.SelectionValue = in.SelectionSKUs
	}
	p := principalOf(c)
	f, err := s.store.SaveFeed(c.Request().Context(), p.actor(), p.accountID(), id, store.FeedInput{Name: in.Name, Selection: in.Selection,
		SelectionValue: in.SelectionValue, Fields: in.Fields, AllMerchants: in.AllMerchants, MerchantIDs: in.MerchantIDs})
	if errs := fieldErrors(err); errs != nil {
		return s.renderFeed(c, http.StatusUnprocessableEntity, views.FeedView{ID: id, New: id == 0, Form: in, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Feed saved."); err != nil {
		return err
	}
	return redirect(c, "/feeds/"+strconv.FormatInt(f.ID, 10))
}

func (s *Server) feedToken(revoke bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "feedID")
		if err != nil {
			return err
		}
		p := principalOf(c)
		ctx := c.Request().Context()
		if revoke {
			if err := s.store.RevokeFeedToken(ctx, p.actor(), p.accountID(), id); err != nil {
				return err
			}
			if err := s.flash(c, "The external URL is off."); err != nil {
				return err
			}
		} else {
			secret, err := s.store.RotateFeedToken(ctx, p.actor(), p.accountID(), id)
			if err != nil {
				return err
			}
			if err := s.addFlash(c, secret, "feed-token"); err != nil {
				return err
			}
		}
		return redirect(c, "/feeds/"+c.Param("feedID")+"#feed-url")
	}
}

// feedExport serves a feed at its secret URL, as CSV or JSON, for merchants outside Dropline.
func (s *Server) feedExport(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := s.store.FeedByToken(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set("Cache-Control", "no-store")
	if c.Param("format") == "products.json" {
		w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		w.WriteHeader(http.StatusOK)
		enc := json.NewEncoder(w)
		w.Write([]byte("[\n"))
		first := true
		err := s.store.FeedRows(ctx, f, func(r feedfile.Row) error {
			if !first {
				w.Write([]byte(","))
			}
			first = false
			return enc.Encode(exportJSON(f, r))
		})
		w.Write([]byte("]\n"))
		return err
	}
	if c.Param("format") != "products.csv" {
		return echo.ErrNotFound
	}
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	header := []string{"sku", "title", "options", "gtin", "mpn", "url"}
	for _, fld := range f.Fields {
		switch fld {
		case "price", "cost", "quantity", "description":
			header = append(header, fld)
		case "lead_time":
			header = append(header, "lead_time_days")
		case "images":
			header = append(header, "image_url")
		}
	}
	cw.Write(header)
	err = s.store.FeedRows(ctx, f, func(r feedfile.Row) error {
		// GTINs are digits when typed in Dropline, but a pulled feed's are as the feed had them.
		rec := []string{store.CSVSafe(r.SKU), store.CSVSafe(r.Title), store.CSVSafe(r.Options), store.CSVSafe(r.GTIN), store.CSVSafe(r.MPN), store.CSVSafe(r.URL)}
		for _, fld := range f.Fields {
			switch fld {
			case "price":
				rec = append(rec, money(r.PriceCents, r.HasPrice))
			case "cost":
				rec = append(rec, money(r.CostCents, r.HasCost))
			case "quantity":
				rec = append(rec, strconv.Itoa(r.Quantity))
			case "lead_time":
				rec = append(rec, strconv.Itoa(r.LeadTimeDays))
			case "description":
				rec = append(rec, store.CSVSafe(r.Description))
			case "images":
				rec = append(rec, store.CSVSafe(r.ImageURL))
			}
		}
		return cw.Write(rec)
	})
	cw.Flush()
	return err
}

// exportJSON is a feed row as the JSON feed shows it; money is a decimal string.
func exportJSON(f store.Feed, r feedfile.Row) map[string]any {
	m := map[string]any{"sku": r.SKU, "title": r.Title, "options": r.Options, "gtin": r.GTIN, "mpn": r.MPN, "url": r.URL}
	if f.Has("price") && r.HasPrice {
		m["price"] = store.FormatMoney(r.PriceCents)
	}
	if f.Has("cost") && r.HasCost {
		m["cost"] = store.FormatMoney(r.CostCents)
	}
	if f.Has("price") || f.Has("cost") {
		m["currency"] = r.Currency
	}
	if f.Has("quantity") {
		m["quantity"] = r.Quantity
	}
	if f.Has("lead_time") {
		m["lead_time_days"] = r.LeadTimeDays
	}
	if f.Has("description") {
		m["description"] = r.Description
	}
	if f.Has("images") {
		m["image_url"] = r.ImageURL
	}
	return m
}

// ---- Merchant: subscriptions ----

// subscriptionForm reads the settings form, with messages for values that are not numbers.
func subscriptionInput(f views.SubscriptionForm) (store.SubscriptionInput, views.FieldErrors) {
	errs := views.FieldErrors{}
	num := func(field, raw string, def int) int { return wholeNumber(errs, field, raw, def) }
	in := store.SubscriptionInput{Name: f.Name, Schedule: f.Schedule, DailyAt: strings.TrimSpace(f.DailyAt), InventoryMode: f.InventoryMode,
		StaleAsZero: f.StaleAsZero, Paused: f.Paused}
	in.IntervalMinutes = num("interval_minutes", f.IntervalMinutes, 60)
	in.Buffer = num("buffer", f.Buffer, 0)
	in.DropThresholdPct = num("drop_threshold_pct", f.DropThresholdPct, 30)
	in.StaleAfterHours = num("stale_after_hours", f.StaleAfterHours, 26)
	if f.ReadOptions {
		if strings.TrimSpace(f.InStockQuantity) != "" {
			n := num("in_stock_quantity", f.InStockQuantity, 0)
			if n < 0 {
				errs["in_stock_quantity"] = "Enter a whole number, 0 or more."
			}
			in.InStockQuantity = &n
		}
		in.BuildSKUs = &f.BuildSKUs
	}
	if len(errs) > 0 {
		return in, errs
	}
	return in, nil
}

// defaultSubscription is a new subscription's settings.
var defaultSubscription = store.SubscriptionInput{Schedule: store.ScheduleInterval, IntervalMinutes: 60, DailyAt: "06:00",
	InventoryMode: store.InventoryPassive, DropThresholdPct: 30, StaleAfterHours: 26}

func (s *Server) subscriptionCreate(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	if err := parseBody(c); err != nil {
		return err
	}
	in := defaultSubscription
	form := c.Request().PostForm
	if fid := form.Get("feed_id"); fid != "" {
		id, err := strconv.ParseInt(fid, 10, 64)
		if err != nil {
			return s.renderFeeds(c, http.StatusUnprocessableEntity, views.FeedsView{FeedErrors: views.FieldErrors{"feed_id": "Choose a feed."}})
		}
		in.FeedID = id
		sub, err := s.store.SaveSubscription(ctx, p.actor(), p.accountID(), 0, in)
		if errs := fieldErrors(err); errs != nil {
			return s.renderFeeds(c, http.StatusUnprocessableEntity, views.FeedsView{FeedErrors: errs})
		}
		if err != nil {
			return err
		}
		return s.startPull(c, sub.ID, "Subscribed to "+sub.Name+". The first pull is running.")
	}
	in.URL = strings.TrimSpace(form.Get("url"))
	in.Format = form.Get("format")
	ch := readImportChoices(form)
	if in.Format == string(feedfile.FormatMapped) {
		in.Mapping = ch.opt.Mapping
		if in.Mapping["sku"] == "" {
			v := s.previewView(c, in.URL, form)
			v.Errors = views.FieldErrors{"map_sku": "Choose the column that holds the SKU."}
			return render(c, http.StatusUnprocessableEntity, views.SubscriptionPreviewPage(s.frame(c, "Subscribe"), v))
		}
	}
	in.InStockQuantity, in.BuildSKUs = &ch.opt.InStockQuantity, &ch.opt.BuildSKUs
	if len(ch.errs) > 0 || !ch.opt.Acknowledged {
		// The first megabyte is read again as the pulls will read it: a
		// file that would lose every title or quantity needs the user's
		// word first. A feed that cannot be read now is left to the pull,
		// whose run says what went wrong.
		v := s.previewView(c, in.URL, form)
		if len(ch.errs) > 0 || (v.Error == "" && len(v.Loses.Messages) > 0) {
			if len(ch.errs) == 0 {
				v.AckError = "Tick “Subscribe anyway” to pull this feed without " + strings.Join(v.Loses.Fields, " and ") + ", or choose the columns that hold them."
			}
			return render(c, http.StatusUnprocessableEntity, views.SubscriptionPreviewPage(s.frame(c, "Subscribe"), v))
		}
	}
	sub, err := s.store.SaveSubscription(ctx, p.actor(), p.accountID(), 0, in)
	if errs := fieldErrors(err); errs != nil {
		return s.renderFeeds(c, http.StatusUnprocessableEntity, views.FeedsView{URL: in.URL, URLErrors: errs})
	}
	if err != nil {
		return err
	}
	return s.startPull(c, sub.ID, "Subscribed. The first pull is running.")
}

// startPull starts a pull and shows its run page.
func (s *Server) startPull(c echo.Context, subID int64, msg string) error {
	p := principalOf(c)
	run, err := s.puller.PullNowAs(c.Request().Context(), p.actor(), p.accountID(), subID)
	if err != nil {
		return s.conflictToFlash(c, err, "/subscriptions/"+strconv.FormatInt(subID, 10))
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/runs/"+strconv.FormatInt(run.ID, 10))
}

// previewHead is how much of an external feed the preview reads: plenty to
// recognise the file, show its first rows and say what it holds.
const previewHead = 1 << 20

// previewView downloads the first megabyte of an external feed for the
// preview page, and reads it with the mapping and options in form (as the
// preview page posts them; empty: detected, defaults) as pulls would.
func (s *Server) previewView(c echo.Context, rawURL string, form url.Values) views.PreviewView {
	ch := readImportChoices(form)
	v := views.PreviewView{URL: rawURL, Fields: feedfile.Fields(), Mapping: map[string]string{}}
	v.InStockQuantity, v.BuildSKUs, v.OptionErrors = strconv.Itoa(ch.opt.InStockQuantity), ch.opt.BuildSKUs, ch.errs
	if _, bad := ch.errs["in_stock_quantity"]; bad {
		v.InStockQuantity = ch.inStock
	}
	v.Acknowledged = ch.opt.Acknowledged
	fetcher, err := s.puller.Downloader(c.Request().Context())
	if err != nil {
		v.Error = "The feed could not be checked right now."
		return v
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 30*time.Second)
	defer cancel()
	body, _, err := fetcher.Open(ctx, rawURL)
	if err != nil {
		v.Error = store.UserMessage(err)
		return v
	}
	defer body.Close()
	head, err := io.ReadAll(io.LimitReader(body, previewHead))
	if err != nil {
		v.Error = store.UserMessage(err)
		return v
	}
	v.Partial = len(head) == previewHead
	opt := feedfile.Options{InStockQuantity: ch.opt.InStockQuantity, BuildSKUs: ch.opt.BuildSKUs}
	// A Google Merchant XML feed has no columns to map: show its first
	// products as a pull reads them.
	if format, _, err := feedfile.Detect(head); err == nil && format == feedfile.FormatGoogleXML {
		v = xmlPreview(v, head, principalOf(c).viewer())
		opt.Format = feedfile.FormatGoogleXML
		s.previewNotes(&v, head, opt)
		return v
	}
	header, records, err := feedfile.Preview(bytes.NewReader(head), feedfile.Options{}, 5)
	if err != nil {
		v.Error = store.UserMessage(err)
		return v
	}
	v.Header, v.Records = header, records
	fr, err := feedfile.NewReader(bytes.NewReader(head), feedfile.Options{})
	switch {
	case needsMapping(err) || ch.mapped:
		v.NeedsMap = true
		v.MapReason = fileProblem(err)
		if err == nil {
			v.Format = string(fr.Format()) // recognised, but the user asked to map it
		}
		v.Mapping = feedfile.GuessMapping(header)
		if ch.mapped && len(ch.opt.Mapping) > 0 {
			v.Mapping = ch.opt.Mapping
		}
		if v.Mapping["sku"] != "" {
			opt.Mapping = v.Mapping
			s.previewNotes(&v, head, opt)
		}
	case err != nil:
		v.Error = store.UserMessage(err)
	default:
		v.Format = string(fr.Format())
		opt.Format = fr.Format()
		v = readPreview(v, head, opt, principalOf(c).viewer())
		s.previewNotes(&v, head, opt)
	}
	return v
}

// readPreview shows a recognised file's first products as a pull reads
// them (a Magento child with its parent's name and options, a built SKU),
// not its raw cells, which for such exports run to dozens of columns.
func readPreview(v views.PreviewView, head []byte, opt feedfile.Options, vw views.Viewer) views.PreviewView {
	fr, err := feedfile.NewReader(bytes.NewReader(head), opt)
	if err != nil {
		return v // the raw rows stay
	}
	v.Header = []string{"SKU", "Title", "Options", "Group", "Price", "Sale price", "Quantity"}
	v.Records = nil
	for len(v.Records) < 5 {
		row, _, err := fr.Next()
		if err != nil {
			break // the end, or the first megabyte cut a row: what was read stands
		}
		if !row.Usable() {
			continue
		}
		money := func(cents int64, ok bool) string {
			if !ok {
				return ""
			}
			return vw.Money(cents, row.Currency)
		}
		qty := ""
		if row.HasQuantity {
			qty = strconv.Itoa(row.Quantity)
		}
		v.Records = append(v.Records, []string{row.SKU, row.Title, row.Options, row.GroupKey, money(row.PriceCents, row.HasPrice),
			money(row.SalePriceCents, row.HasSalePrice), qty})
	}
	return v
}

// previewNotes reads the first megabyte to the end with opt and says what
// a pull would not import, and whether every row would lose its title or
// quantity. A row cut off where the megabyte ends counts as a row error.
func (s *Server) previewNotes(v *views.PreviewView, head []byte, opt feedfile.Options) {
	fr, err := feedfile.NewReader(bytes.NewReader(head), opt)
	if err != nil {
		if msg := fileProblem(err); msg != "" {
			v.NotesError = msg
		}
		return
	}
	for {
		if _, _, err := fr.Next(); err != nil {
			// io.EOF, or a file error where the megabyte was cut: what was read stands.
			break
		}
	}
	sum := fr.Summary()
	v.Loses = losesText(sum.Loses())
	v.Notes = withoutWarned(store.SummaryNotes(sum), v.Loses)
}

// xmlPreview reads the first products of a Google Merchant XML feed with
// the reader pulls use, one row per product in Dropline's fields.
func xmlPreview(v views.PreviewView, head []byte, vw views.Viewer) views.PreviewView {
	fr, err := feedfile.NewReader(bytes.NewReader(head), feedfile.Options{Format: feedfile.FormatGoogleXML})
	if err != nil {
		v.Error = store.UserMessage(err)
		return v
	}
	v.Format = string(fr.Format())
	v.Header = []string{"SKU", "Title", "Options", "GTIN", "Price", "Availability", "Link"}
	for len(v.Records) < 5 {
		row, _, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// The first megabyte may end inside an item: what was read stands.
			if len(v.Records) == 0 && len(head) < 1<<20 {
				v.Error = store.UserMessage(err)
			}
			break
		}
		if !row.Usable() {
			continue
		}
		price := ""
		if row.HasPrice {
			price = vw.Money(row.PriceCents, row.Currency)
		}
		v.Records = append(v.Records, []string{row.SKU, row.Title, row.Options, row.GTIN, price, strings.ReplaceAll(row.Availability, "_", " "), row.URL})
	}
	if v.Error == "" && len(v.Records) == 0 {
		v.Error = "This Google Merchant feed has no products with an ID (g:id) in its first megabyte."
	}
	return v
}

func (s *Server) subscriptionPreview(c echo.Context) error {
	rawURL := strings.TrimSpace(c.FormValue("url"))
	if rawURL == "" {
		return s.renderFeeds(c, http.StatusUnprocessableEntity, views.FeedsView{URL: rawURL, URLErrors: views.FieldErrors{"url": "Enter the feed's address."}})
	}
	if err := parseBody(c); err != nil {
		return err
	}
	v := s.previewView(c, rawURL, c.Request().PostForm)
	if v.Error != "" {
		return s.renderFeeds(c, http.StatusUnprocessableEntity, views.FeedsView{URL: rawURL, URLErrors: views.FieldErrors{"url": v.Error}})
	}
	return render(c, http.StatusOK, views.SubscriptionPreviewPage(s.frame(c, "Subscribe to a feed URL"), v))
}

// subscriptionMapping shows (GET) and saves (POST) the column mapping of a
// URL subscription: how the merchant maps a file Dropline does not
// recognise, changes the mapping when the supplier's columns change, or
// lets Dropline recognise the file again (remove=1). Saving starts a pull.
func (s *Server) subscriptionMapping(c echo.Context) error {
	id, err := idParam(c, "subID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	sub, err := s.store.Subscription(ctx, p.accountID(), id)
	if err != nil {
		return err
	}
	if err := parseBody(c); err != nil {
		return err
	}
	if !sub.External() {
		v := views.PreviewView{SubID: sub.ID, SubName: sub.Name, Error: "This subscription pulls a linked supplier's feed: Dropline reads it directly, and it has no columns to map."}
		status := http.StatusOK
		if c.Request().Method == http.MethodPost {
			status = http.StatusUnprocessableEntity
		}
		return render(c, status, views.SubscriptionPreviewPage(s.frame(c, "Columns of "+sub.Name), v))
	}
	form := c.Request().PostForm
	if c.Request().Method == http.MethodGet {
		form = url.Values{"mapped": {"1"}, "opts": {"1"}, "in_stock_quantity": {strconv.Itoa(sub.InStockQuantity)}}
		if sub.BuildSKUs {
			form.Set("build_skus", "true")
		}
		for f, col := range sub.Mapping {
			form.Set("map_"+f, col)
		}
	}
	save := c.Request().Method == http.MethodPost && form.Get("preview") == ""
	ch := readImportChoices(form)
	if save && (form.Get("remove") == "1" || ch.opt.Mapping["sku"] != "") && len(ch.errs) == 0 {
		in, _ := subscriptionInput(subscriptionForm(sub))
		in.Mapping = map[string]string{}
		if form.Get("remove") != "1" {
			in.Mapping = ch.opt.Mapping
		}
		in.InStockQuantity, in.BuildSKUs = &ch.opt.InStockQuantity, &ch.opt.BuildSKUs
		if _, err := s.store.SaveSubscription(ctx, p.actor(), p.accountID(), id, in); err != nil {
			return err
		}
		msg := "Column mapping saved. A pull is running with it."
		if form.Get("remove") == "1" {
			msg = "Dropline recognises the file by its columns again. A pull is running."
		}
		return s.startPull(c, id, msg)
	}
	form.Set("mapped", "1") // the mapping step, with Dropline's guesses where nothing is chosen
	v := s.previewView(c, sub.URL, form)
	v.SubID, v.SubName, v.HasMapping = sub.ID, sub.Name, len(sub.Mapping) > 0
	status := http.StatusOK
	if save {
		status = http.StatusUnprocessableEntity
		v.Errors = views.FieldErrors{"map_sku": "Choose the column that holds the SKU."}
	}
	return render(c, status, views.SubscriptionPreviewPage(s.frame(c, "Columns of "+sub.Name), v))
}

func subscriptionForm(sub store.Subscription) views.SubscriptionForm {
	return views.SubscriptionForm{Name: sub.Name, Schedule: sub.Schedule, IntervalMinutes: strconv.Itoa(sub.IntervalMinutes), DailyAt: sub.DailyAt,
		Buffer: strconv.Itoa(sub.Buffer), InventoryMode: sub.InventoryMode, DropThresholdPct: strconv.Itoa(sub.DropThresholdPct),
		StaleAfterHours: strconv.Itoa(sub.StaleAfterHours), StaleAsZero: sub.StaleAsZero, Paused: sub.Paused,
		ReadOptions: sub.External(), InStockQuantity: strconv.Itoa(sub.InStockQuantity), BuildSKUs: sub.BuildSKUs}
}

func (s *Server) renderSubscription(c echo.Context, status int, id int64, form *views.SubscriptionForm, errs views.FieldErrors) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	sub, err := s.store.Subscription(ctx, p.accountID(), id)
	if err != nil {
		return err
	}
	vw := p.viewer()
	loc := vw.Loc
	v := views.SubscriptionView{ID: sub.ID, Name: sub.Name, Source: subscriptionSource(sub), IsAdmin: p.member.IsAdmin(), Form: subscriptionForm(sub),
		Errors: errs, Running: sub.RunningSince != nil, Stale: sub.Stale(s.now()), LastGood: "never", NextRun: "—", ZoneName: loc.String(),
		External: sub.External(), Shopify: sub.Format == string(feedfile.FormatShopify), Mapped: len(sub.Mapping) > 0}
	if form != nil {
		v.Form = *form
	}
	if sub.LastSuccessAt != nil {
		v.LastGood = vw.Time(*sub.LastSuccessAt)
	}
	if sub.NextRunAt != nil && !sub.Paused {
		v.NextRun = vw.Time(*sub.NextRunAt)
	}
	runs, err := s.store.FeedRuns(ctx, p.accountID(), sub.ID, 20)
	if err != nil {
		return err
	}
	for _, r := range runs {
		v.Runs = append(v.Runs, runRow(r, vw))
	}
	return render(c, status, views.SubscriptionPage(s.frame(c, sub.Name), v))
}

func runRow(r store.FeedRun, vw views.Viewer) views.RunRow {
	return views.RunRow{ID: r.ID, Started: r.StartedAt.In(vw.Loc).Format("2 Jan 2006 15:04:05"), Trigger: r.Trigger, State: r.State, Rows: r.Rows,
		Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged, Missing: r.Missing, Errors: r.Errors}
}

func (s *Server) subscriptionShow(c echo.Context) error {
	id, err := idParam(c, "subID")
	if err != nil {
		return err
	}
	return s.renderSubscription(c, http.StatusOK, id, nil, nil)
}

func (s *Server) subscriptionSave(c echo.Context) error {
	id, err := idParam(c, "subID")
	if err != nil {
		return err
	}
	var f views.SubscriptionForm
	if err := s.decodeForm(c, &f); err != nil {
		return err
	}
	p := principalOf(c)
	if _, err := s.store.Subscription(c.Request().Context(), p.accountID(), id); err != nil {
		return err
	}
	in, errs := subscriptionInput(f)
	if errs == nil {
		_, err = s.store.SaveSubscription(c.Request().Context(), p.actor(), p.accountID(), id, in)
		errs = fieldErrors(err)
		if errs == nil && err != nil {
			return err
		}
	}
	if errs != nil {
		return s.renderSubscription(c, http.StatusUnprocessableEntity, id, &f, errs)
	}
	if err := s.flash(c, "Subscription saved."); err != nil {
		return err
	}
	return redirect(c, "/subscriptions/"+c.Param("subID"))
}

func (s *Server) subscriptionPull(c echo.Context) error {
	id, err := idParam(c, "subID")
	if err != nil {
		return err
	}
	if _, err := s.store.Subscription(c.Request().Context(), principalOf(c).accountID(), id); err != nil {
		return err
	}
	return s.startPull(c, id, "Pull started: this page updates itself until it is done.")
}

// ---- Runs ----

func (s *Server) runView(c echo.Context) (views.RunView, error) {
	id, err := idParam(c, "runID")
	if err != nil {
		return views.RunView{}, err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	run, err := s.store.FeedRun(ctx, p.accountID(), id)
	if err != nil {
		return views.RunView{}, err
	}
	sub, err := s.store.Subscription(ctx, p.accountID(), run.SubscriptionID)
	if err != nil {
		return views.RunView{}, err
	}
	vw := p.viewer()
	v := views.RunView{ID: run.ID, SubscriptionID: sub.ID, Subscription: sub.Name, IsAdmin: p.member.IsAdmin(), Run: runRow(run, vw),
		Message: run.Message, Running: run.State == store.RunRunning, Held: run.State == store.RunHeld, Notes: run.Notes}
	if run.FinishedAt != nil {
		v.Finished = run.FinishedAt.In(vw.Loc).Format("15:04:05")
	}
	errs, err := s.store.FeedRunErrors(ctx, p.accountID(), run.ID, 200)
	if err != nil {
		return v, err
	}
	for _, e := range errs {
		v.Errors = append(v.Errors, views.RunErrorRow{Line: e.Line, Column: e.Column, Message: e.Message, Skipped: e.Skipped})
	}
	return v, nil
}

func (s *Server) runShow(c echo.Context) error {
	v, err := s.runView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RunPage(s.frame(c, "Pull of "+v.Subscription), v))
}

// runStatus is the partial the run page polls while the pull runs.
func (s *Server) runStatus(c echo.Context) error {
	v, err := s.runView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RunStatus(csrfOf(c), v))
}

func (s *Server) runResolve(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "runID")
		if err != nil {
			return err
		}
		p := principalOf(c)
		run, err := s.store.ResolveHeldRun(c.Request().Context(), p.actor(), p.accountID(), id, approve)
		if err != nil {
			return s.conflictToFlash(c, err, "/runs/"+c.Param("runID"))
		}
		msg := fmt.Sprintf("Applied: %d created, %d updated, %d missing.", run.Created, run.Updated, run.Missing)
		if !approve {
			msg = "Discarded: nothing was applied."
		}
		if err := s.flash(c, msg); err != nil {
			return err
		}
		return redirect(c, "/runs/"+c.Param("runID"))
	}
}
