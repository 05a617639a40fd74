package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/feedfile"
	"github.com/dropline/dropline/views"
)

// wholeNumber reads a whole-number form field: def when it is empty, and a
// message in errs when it is not a number.
func wholeNumber(errs views.FieldErrors, field, raw string, def int) int {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		errs[field] = "Enter a whole number."
	}
	return n
}

// productCurrency is the currency of a product's prices: its own, else its
// account's catalog currency.
func productCurrency(p store.Product, acc store.Account) string {
	if p.Currency != "" {
		return p.Currency
	}
	return acc.Currency
}

// salePrice is a product's sale price as its account reads it, "" when it has none.
func salePrice(vw views.Viewer, p store.Product, currency string) string {
	if !p.HasSalePrice {
		return ""
	}
	return vw.Money(p.SalePriceCents, currency)
}

// money writes an amount as a form field holds it: "1299.00", "" when unknown.
func money(cents int64, ok bool) string {
	if !ok {
		return ""
	}
	return store.FormatMoney(cents)
}

// productFilter reads the product list's query string.
func productFilter(c echo.Context, acc store.Account) store.ProductFilter {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	return store.ProductFilter{Query: c.QueryParam("q"), Status: c.QueryParam("status"), NeedsSync: c.QueryParam("needs_sync") == "true" && acc.IsSupplier(), Page: page}
}

func (s *Server) productsList(c echo.Context) error {
	p := principalOf(c)
	acc := p.member.Account
	f := productFilter(c, acc)
	v := views.ProductListView{Merchant: acc.IsMerchant(), Supplier: acc.IsSupplier(), Query: f.Query, Status: f.Status, NeedsSync: f.NeedsSync,
		ExportURL: exportHref("/products/export.csv", c.QueryParams())}
	pg, linked, err := s.store.LinkedProducts(c.Request().Context(), p.accountID(), f)
	if err != nil {
		return err
	}
	vw := p.viewer()
	for _, lp := range linked {
		cur := productCurrency(lp.Product, acc)
		row := views.ProductRow{ID: lp.ID, SKU: lp.SKU, Title: lp.Title, Options: lp.Options, Archived: lp.Archived,
			Cost: vw.MoneyIf(lp.CostCents, lp.HasCost, cur), Price: vw.MoneyIf(lp.PriceCents, lp.HasPrice, cur), LeadTime: strconv.Itoa(lp.LeadTimeDays) + " d",
			Pending: strings.Join(lp.PendingMerchants, ", "), Quantity: strconv.Itoa(lp.Quantity), HasSource: len(lp.Sources) > 0, Stale: lp.AnyStale(),
			SalePrice: salePrice(vw, lp.Product, cur), Group: lp.GroupKey}
		if len(lp.Sources) > 0 {
			// A linked product's stock is what its sources let it sell.
			row.Quantity = strconv.Itoa(lp.Sellable())
			var parts []string
			for _, src := range lp.Sources {
				parts = append(parts, fmt.Sprintf("%s (%d)", src.SupplierName, src.Sellable()))
			}
			row.Sources = strings.Join(parts, ", ")
			if !lp.HasCost && lp.Sources[0].HasCost {
				row.Cost = vw.Money(lp.Sources[0].CostCents, lp.Sources[0].Currency)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	v.Total, v.Page = pg.Total, pg.Page
	v.Pages = max(1, int(math.Ceil(float64(pg.Total)/float64(pg.PerPage))))
	q := c.QueryParams()
	pageURL := func(n int) string {
		q.Set("page", strconv.Itoa(n))
		return "/products?" + q.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = pageURL(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = pageURL(v.Page + 1)
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, views.ProductTable(v))
	}
	return render(c, http.StatusOK, views.ProductListPage(s.frame(c, "Products"), v))
}

func productForm(p store.Product) views.ProductForm {
	return views.ProductForm{SKU: p.SKU, Title: p.Title, Options: p.Options, GTIN: p.GTIN, MPN: p.MPN,
		Cost: money(p.CostCents, p.HasCost), Price: money(p.PriceCents, p.HasPrice), Quantity: strconv.Itoa(p.Quantity),
		LeadTimeDays: strconv.Itoa(p.LeadTimeDays), URL: p.URL, ImageURL: p.ImageURL, Description: p.Description,
		Tags: strings.Join(p.Tags, ", "), Active: p.Active}
}

// parseProductForm turns the typed form into store input, collecting messages for values that are not numbers.
func parseProductForm(f views.ProductForm) (store.ProductInput, views.FieldErrors) {
	in := store.ProductInput{SKU: f.SKU, Title: f.Title, Options: f.Options, GTIN: f.GTIN, MPN: f.MPN, URL: f.URL, ImageURL: f.ImageURL,
		Description: f.Description, Active: f.Active}
	errs := views.FieldErrors{}
	in.Tags = strings.Split(f.Tags, ",")
	if strings.TrimSpace(f.Cost) != "" {
		v, err := store.ParseMoney(f.Cost)
		if err != nil {
			errs["cost"] = "Enter an amount like 12.50."
		}
		in.CostCents, in.HasCost = v, err == nil
	}
	if strings.TrimSpace(f.Price) != "" {
		v, err := store.ParseMoney(f.Price)
		if err != nil {
			errs["price"] = "Enter an amount like 19.99."
		}
		in.PriceCents, in.HasPrice = v, err == nil
	}
	num := func(field, raw string, def int) int { return wholeNumber(errs, field, raw, def) }
	in.Quantity = num("quantity", f.Quantity, 0)
	in.LeadTimeDays = num("lead_time_days", f.LeadTimeDays, 1)
	if len(errs) == 0 {
		return in, nil
	}
	return in, errs
}

func (s *Server) renderProduct(c echo.Context, status int, v views.ProductView) error {
	p := principalOf(c)
	v.Merchant = p.member.Account.IsMerchant()
	if !v.New {
		prod, err := s.store.Product(c.Request().Context(), p.accountID(), v.ID)
		if err != nil {
			return err
		}
		v.SalePrice, v.Group, v.Currency = salePrice(p.viewer(), prod, productCurrency(prod, p.member.Account)), prod.GroupKey, prod.Currency
	}
	if !v.New && v.Merchant {
		lp, err := s.store.LinkedProduct(c.Request().Context(), p.accountID(), v.ID)
		if err != nil {
			return err
		}
		vw := p.viewer()
		v.Sellable = strconv.Itoa(lp.Sellable())
		for i, src := range lp.Sources {
			row := views.SourceRow{ID: src.ID, Supplier: src.SupplierName, SupplierSKU: src.SupplierSKU, Subscription: src.Subscription,
				Available: strconv.Itoa(src.Available), OnHand: strconv.Itoa(src.OnHand), Reserved: strconv.Itoa(src.Reserved),
				Sellable: strconv.Itoa(src.Sellable()), Cost: vw.MoneyIf(src.CostCents, src.HasCost, src.Currency), LeadTime: strconv.Itoa(src.LeadTimeDays) + " d",
				Stale: src.Stale, Missing: src.Missing, Active: src.InventoryMode == store.InventoryActive, URL: safeHTTP(src.URL),
				First: i == 0, Last: i == len(lp.Sources)-1, Freshness: "never pulled"}
			if src.LastSuccess != nil {
				row.Freshness = "pulled " + vw.ShortTime(*src.LastSuccess)
			}
			v.Sources = append(v.Sources, row)
		}
	}
	title := "New product"
	if !v.New {
		title = v.Form.SKU
	}
	return render(c, status, views.ProductPage(s.frame(c, title), v))
}

// safeHTTP keeps only http(s) links, so a feed cannot plant a javascript: URL.
func safeHTTP(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return raw
}

func (s *Server) productNew(c echo.Context) error {
	return s.renderProduct(c, http.StatusOK, views.ProductView{New: true, Form: views.ProductForm{Active: true, LeadTimeDays: "1", Quantity: "0"}})
}

func (s *Server) productShow(c echo.Context) error {
	id, err := idParam(c, "productID")
	if err != nil {
		return err
	}
	p, err := s.store.Product(c.Request().Context(), principalOf(c).accountID(), id)
	if err != nil {
		return err
	}
	return s.renderProduct(c, http.StatusOK, views.ProductView{ID: p.ID, Archived: p.Archived, Form: productForm(p)})
}

func (s *Server) productSave(c echo.Context) error {
	id, err := optionalIDParam(c, "productID")
	if err != nil {
		return err
	}
	var f views.ProductForm
	if err := s.decodeForm(c, &f); err != nil {
		return err
	}
	p := principalOf(c)
	if id != 0 {
		// Another account's product is not found, before anything is shown back.
		if _, err := s.store.Product(c.Request().Context(), p.accountID(), id); err != nil {
			return err
		}
	}
	in, errs := parseProductForm(f)
	if errs != nil {
		// Show the catalog's own rules too, so every problem is listed at once.
		for k, v := range fieldErrors(in.Validate()) {
			if _, ok := errs[k]; !ok {
				errs[k] = v
			}
		}
	}
	if errs == nil {
		_, err := s.store.SaveProduct(c.Request().Context(), p.actor(), p.accountID(), id, in)
		errs = fieldErrors(err)
		if errs == nil && err != nil {
			return err
		}
	}
	if errs != nil {
		return s.renderProduct(c, http.StatusUnprocessableEntity, views.ProductView{ID: id, New: id == 0, Form: f, Errors: errs})
	}
	if err := s.flash(c, "Saved "+strings.TrimSpace(f.SKU)+"."); err != nil {
		return err
	}
	return redirect(c, "/products")
}

func (s *Server) productArchive(c echo.Context) error {
	id, err := idParam(c, "productID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	archive := c.FormValue("archive") != "false"
	if err := s.store.ArchiveProduct(c.Request().Context(), p.actor(), p.accountID(), id, archive); err != nil {
		return err
	}
	msg := "Product archived: it has left your feeds."
	if !archive {
		msg = "Product restored."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/products/"+c.Param("productID"))
}

func (s *Server) productTemplate(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="dropline-products.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(feedfile.Template()))
}

func (s *Server) sourceMove(delta int) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "sourceID")
		if err != nil {
			return err
		}
		p := principalOf(c)
		if err := s.store.MoveSource(c.Request().Context(), p.actor(), p.accountID(), id, delta); err != nil {
			return err
		}
		return s.backToSourceProduct(c, id)
	}
}

func (s *Server) backToSourceProduct(c echo.Context, sourceID int64) error {
	back := c.Request().Referer()
	if u, err := url.Parse(back); err == nil && strings.HasPrefix(u.Path, "/products/") {
		return redirect(c, u.Path+"#sources")
	}
	return redirect(c, "/products")
}

func (s *Server) sourceOnHand(c echo.Context) error {
	id, err := idParam(c, "sourceID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	n, convErr := strconv.Atoi(strings.TrimSpace(c.FormValue("on_hand")))
	if convErr != nil {
		n = -1
	}
	err = s.store.SetSourceOnHand(c.Request().Context(), p.actor(), p.accountID(), id, n)
	if errs := fieldErrors(err); errs != nil {
		if ferr := s.flashError(c, "On hand must be a whole number of 0 or more."); ferr != nil {
			return ferr
		}
		return s.backToSourceProduct(c, id)
	}
	if errors.Is(err, store.ErrConflict) {
		if ferr := s.flashError(c, store.Message(err)); ferr != nil {
			return ferr
		}
		return s.backToSourceProduct(c, id)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "On hand saved."); err != nil {
		return err
	}
	return s.backToSourceProduct(c, id)
}
