package handlers

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// CSV exports of the lists that have filters: each writes what its list
// shows under the same filters (every page), or only the rows ticked on
// the page when the request names them. Cells a spreadsheet would run as a
// formula are defused (store.CSVSafe); amounts are plain decimals with
// their currency in a column of its own, times in the account's zone.

// maxExportRows is the most rows one export writes; a larger list asks
// for narrower filters instead of holding the server for minutes.
const maxExportRows = 50000

// exportPageSize is how many rows each read of an export fetches.
const exportPageSize = 200

// csvExport is a CSV download under way.
type csvExport struct {
	w   *csv.Writer
	ids map[int64]bool // the rows ticked, or nil for every row
}

// startCSV checks the row count and starts the download; it writes the
// header row.
func startCSV(c echo.Context, name string, total int, idParam string, header []string) (*csvExport, error) {
	if total > maxExportRows {
		return nil, echo.NewHTTPError(http.StatusUnprocessableEntity,
			fmt.Sprintf("This list has %d rows; an export writes at most %d. Narrow the filters (a date range, a status) and export again.", total, maxExportRows))
	}
	e := &csvExport{}
	for _, raw := range c.QueryParams()[idParam] {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
			if e.ids == nil {
				e.ids = map[int64]bool{}
			}
			e.ids[id] = true
		}
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	e.w = csv.NewWriter(c.Response())
	return e, e.w.Write(header)
}

// row writes one row if it is exported (ticked, or no row was ticked).
func (e *csvExport) row(id int64, cells ...string) error {
	if e.ids != nil && !e.ids[id] {
		return nil
	}
	return e.w.Write(cells)
}

func (e *csvExport) finish() error {
	e.w.Flush()
	return e.w.Error()
}

// ordersExport is the order list as CSV, under its filters and tab.
func (s *Server) ordersExport(c echo.Context) error {
	p := principalOf(c)
	vw := p.viewer()
	f := orderFilter(c, vw.Loc)
	f.Summary, f.PerPage, f.Page = true, exportPageSize, 1
	ctx := c.Request().Context()
	pg, err := s.store.Orders(ctx, p.accountID(), f)
	if err != nil {
		return err
	}
	out, err := startCSV(c, "orders-"+f.Tab+".csv", pg.Total, "order_ids",
		[]string{"order", "channel", "placed", "customer", "status", "total", "currency", "dropship", "suppliers"})
	if err != nil {
		return err
	}
	safe := store.CSVSafe
	for {
		for _, o := range pg.Orders {
			if err := out.row(o.ID, safe(o.ChannelOrderID), channelLabel(o.Channel), o.PlacedAt.In(vw.Loc).Format("2006-01-02 15:04"), safe(o.Customer.Name),
				views.BadgeLabel(o.Status), store.FormatMoney(o.TotalCents), o.Currency, yesNo(o.Dropship), safe(strings.Join(o.Suppliers, ", "))); err != nil {
				return err
			}
		}
		if f.Page*f.PerPage >= pg.Total {
			return out.finish()
		}
		f.Page++
		if pg, err = s.store.Orders(ctx, p.accountID(), f); err != nil {
			return err
		}
	}
}

// purchaseOrdersExport is the merchant's PO list as CSV, under its filters.
func (s *Server) purchaseOrdersExport(c echo.Context) error {
	p := principalOf(c)
	vw := p.viewer()
	f := poFilter(c)
	f.PerPage, f.Page = exportPageSize, 1
	ctx := c.Request().Context()
	pg, err := s.store.PurchaseOrders(ctx, p.accountID(), f)
	if err != nil {
		return err
	}
	out, err := startCSV(c, "purchase-orders.csv", pg.Total, "po_ids",
		[]string{"po_number", "order", "supplier", "status", "cancellation", "late", "stale", "cost", "currency", "created"})
	if err != nil {
		return err
	}
	safe := store.CSVSafe
	for {
		for _, po := range pg.POs {
			if err := out.row(po.ID, safe(po.PONumber), safe(po.ChannelOrderID), safe(po.SupplierName), views.BadgeLabel(po.Status), po.CancelState,
				safe(po.LateReason), yesNo(po.Stale), store.FormatMoney(po.TotalCostCents), po.Currency, po.CreatedAt.In(vw.Loc).Format("2006-01-02 15:04")); err != nil {
				return err
			}
		}
		if f.Page*f.PerPage >= pg.Total {
			return out.finish()
		}
		f.Page++
		if pg, err = s.store.PurchaseOrders(ctx, p.accountID(), f); err != nil {
			return err
		}
	}
}

// dropshipOrdersExport is the supplier's queue as CSV, under its tab and
// filters, or the POs ticked on the page.
func (s *Server) dropshipOrdersExport(c echo.Context) error {
	p := principalOf(c)
	vw := p.viewer()
	f := queueFilter(c)
	f.PerPage, f.Page = exportPageSize, 1
	ctx := c.Request().Context()
	pg, err := s.store.SupplierQueue(ctx, p.accountID(), f)
	if err != nil {
		return err
	}
	out, err := startCSV(c, "dropship-orders-"+f.Tab+".csv", pg.Total, "id",
		[]string{"po_number", "merchant", "merchant_id", "customer", "status", "your_status", "cancellation", "late", "stale", "received"})
	if err != nil {
		return err
	}
	safe := store.CSVSafe
	for {
		for _, po := range pg.POs {
			if err := out.row(po.ID, safe(po.PONumber), safe(po.MerchantName), po.MerchantPID, safe(po.ShipTo.Name), views.BadgeLabel(po.Status),
				safe(ownStatus(po.PurchaseOrder)), po.CancelState, safe(po.LateReason), yesNo(po.Stale), po.ReleaseAt.In(vw.Loc).Format("2006-01-02 15:04")); err != nil {
				return err
			}
		}
		if f.Page*f.PerPage >= pg.Total {
			return out.finish()
		}
		f.Page++
		if pg, err = s.store.SupplierQueue(ctx, p.accountID(), f); err != nil {
			return err
		}
	}
}

// productsExport is the product list as CSV, under its filters.
func (s *Server) productsExport(c echo.Context) error {
	p := principalOf(c)
	acc := p.member.Account
	f := productFilter(c, acc)
	f.PerPage, f.Page = exportPageSize, 1
	ctx := c.Request().Context()
	pg, linked, err := s.store.LinkedProducts(ctx, p.accountID(), f)
	if err != nil {
		return err
	}
	out, err := startCSV(c, "products.csv", pg.Total, "product_ids",
		[]string{"sku", "title", "options", "price", "sale_price", "cost", "currency", "quantity", "lead_time_days", "archived", "sources"})
	if err != nil {
		return err
	}
	safe := store.CSVSafe
	amount := func(cents int64, has bool) string {
		if !has {
			return ""
		}
		return store.FormatMoney(cents)
	}
	for {
		for _, lp := range linked {
			qty, cost, hasCost := lp.Quantity, lp.CostCents, lp.HasCost
			var sources []string
			if len(lp.Sources) > 0 {
				qty = lp.Sellable()
				if !hasCost && lp.Sources[0].HasCost {
					cost, hasCost = lp.Sources[0].CostCents, true
				}
				for _, src := range lp.Sources {
					sources = append(sources, fmt.Sprintf("%s (%d)", src.SupplierName, src.Sellable()))
				}
			}
			if err := out.row(lp.ID, safe(lp.SKU), safe(lp.Title), safe(lp.Options), amount(lp.PriceCents, lp.HasPrice), amount(lp.SalePriceCents, lp.HasSalePrice),
				amount(cost, hasCost), productCurrency(lp.Product, acc), strconv.Itoa(qty), strconv.Itoa(lp.LeadTimeDays), yesNo(lp.Archived),
				safe(strings.Join(sources, ", "))); err != nil {
				return err
			}
		}
		if f.Page*f.PerPage >= pg.Total {
			return out.finish()
		}
		f.Page++
		if pg, linked, err = s.store.LinkedProducts(ctx, p.accountID(), f); err != nil {
			return err
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// exportHref is the export URL of a list: its path with the list's own
// query (filters, tab), without the page.
func exportHref(path string, q url.Values) string {
	e := cloneValues(q)
	e.Del("page")
	if len(e) == 0 {
		return path
	}
	return path + "?" + e.Encode()
}

// maxExportRuns is how many of a subscription's pulls its export holds,
// newest first.
const maxExportRuns = 5000

// feedRunsExport is a subscription's pulls as CSV, newest first.
func (s *Server) feedRunsExport(c echo.Context) error {
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
	runs, err := s.store.FeedRuns(ctx, p.accountID(), sub.ID, maxExportRuns)
	if err != nil {
		return err
	}
	out, err := startCSV(c, "pulls-"+strconv.FormatInt(sub.ID, 10)+".csv", len(runs), "",
		[]string{"started", "finished", "trigger", "state", "rows", "created", "updated", "unchanged", "missing", "errors", "message"})
	if err != nil {
		return err
	}
	loc := p.member.Account.Location()
	for _, r := range runs {
		finished := ""
		if r.FinishedAt != nil {
			finished = r.FinishedAt.In(loc).Format("2006-01-02 15:04:05")
		}
		if err := out.row(r.ID, r.StartedAt.In(loc).Format("2006-01-02 15:04:05"), finished, r.Trigger, views.BadgeLabel(r.State), strconv.Itoa(r.Rows),
			strconv.Itoa(r.Created), strconv.Itoa(r.Updated), strconv.Itoa(r.Unchanged), strconv.Itoa(r.Missing), strconv.Itoa(r.Errors), store.CSVSafe(r.Message)); err != nil {
			return err
		}
	}
	return out.finish()
}
