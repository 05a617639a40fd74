package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// requireAPIMerchant serves the merchant API only to merchant tokens; others get 404.
func requireAPIMerchant(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !apiAccountOf(c).IsMerchant() {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// decodeJSON reads a JSON body strictly: unknown fields and wrong types are 400s with the reason.
// jsonKind is what a Go type is called in JSON.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return "value"
}

func decodeJSON(c echo.Context, dst any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		if dec.More() {
			return echo.NewHTTPError(http.StatusBadRequest, "The body has more than one JSON value.")
		}
		return nil
	case errors.As(err, &tooBig):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The request body is too large.")
	case errors.Is(err, io.EOF):
		return echo.NewHTTPError(http.StatusBadRequest, "The request body is empty; send JSON.")
	case errors.As(err, &syntax):
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("Malformed JSON at byte %d: %v.", syntax.Offset, syntax))
	case errors.As(err, &typeErr):
		// Named in JSON's words: an integration knows no Go types.
		if typeErr.Field == "" {
			return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The body must be a JSON %s, not a %s.", jsonKind(typeErr.Type), typeErr.Value))
		}
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("Field %q must be a %s, not a %s.", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return echo.NewHTTPError(http.StatusBadRequest, "Unknown field "+strings.TrimPrefix(err.Error(), "json: unknown field ")+".")
	}
	return echo.NewHTTPError(http.StatusBadRequest, "The JSON body could not be read: "+err.Error())
}

// apiAddress is an address in the API.
type apiAddress struct {
	Name       string `json:"name"`
	Company    string `json:"company"`
	Address1   string `json:"address1"`
	Address2   string `json:"address2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	Phone      string `json:"phone"`
}

func (a apiAddress) address() orderfile.Address { return orderfile.Address(a) }

// apiOrderIn is the body of POST /api/v1/orders.
type apiOrderIn struct {
	Channel        string `json:"channel"`
	ChannelOrderID string `json:"channel_order_id"`
	PlacedAt       string `json:"placed_at"`
	Currency       string `json:"currency"`
	Note           string `json:"note"`
	Customer       struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"customer"`
	ShipTo apiAddress `json:"ship_to"`
	Lines  []struct {
		SKU       string `json:"sku"`
		Title     string `json:"title"`
		Quantity  int    `json:"quantity"`
		UnitPrice string `json:"unit_price"`
	} `json:"lines"`
}

// apiOrder is an order in the API; money is a decimal string.
type apiOrder struct {
	ID             int64          `json:"id"`
	Channel        string         `json:"channel"`
	ChannelOrderID string         `json:"channel_order_id"`
	PlacedAt       time.Time      `json:"placed_at"`
	Status         string         `json:"status"`
	Dropship       bool           `json:"dropship"`
	Suppliers      []string       `json:"suppliers"`
	Currency       string         `json:"currency"`
	Total          string         `json:"total"`
	Customer       map[string]any `json:"customer"`
	ShipTo         apiAddress     `json:"ship_to"`
	Note           string         `json:"note"`
	Lines          []apiOrderLine `json:"lines,omitempty"`
}

type apiOrderLine struct {
	ID            int64   `json:"id"`
	SKU           string  `json:"sku"`
	Title         string  `json:"title"`
	Quantity      int     `json:"quantity"`
	UnitPrice     string  `json:"unit_price"`
	Supplier      *string `json:"supplier"`
	PurchaseOrder *string `json:"purchase_order"`
}

func toAPIOrder(o store.Order) apiOrder {
	out := apiOrder{ID: o.ID, Channel: o.Channel, ChannelOrderID: o.ChannelOrderID, PlacedAt: o.PlacedAt, Status: o.Status, Dropship: o.Dropship,
		Suppliers: o.Suppliers, Currency: o.Currency, Total: store.FormatMoney(o.TotalCents), ShipTo: apiAddress(o.ShipTo), Note: o.Note,
		Customer: map[string]any{"name": o.Customer.Name, "email": o.Customer.Email, "phone": o.Customer.Phone}}
	if out.Suppliers == nil {
		out.Suppliers = []string{}
	}
	for _, l := range o.Lines {
		al := apiOrderLine{ID: l.ID, SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, UnitPrice: store.FormatMoney(l.UnitPriceCents)}
		if l.PO != nil {
			al.Supplier, al.PurchaseOrder = &l.PO.Supplier, &l.PO.PONumber
		} else if len(l.Sources) > 0 {
			al.Supplier = &l.Sources[0].SupplierName
		}
		out.Lines = append(out.Lines, al)
	}
	return out
}

func (s *Server) apiOrderCreate(c echo.Context) error {
	var in apiOrderIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o := orderfile.Order{Channel: in.Channel, ChannelOrderID: in.ChannelOrderID, Currency: in.Currency, Note: in.Note, ShipTo: in.ShipTo.address(),
		Customer: orderfile.Customer{Name: in.Customer.Name, Email: in.Customer.Email, Phone: in.Customer.Phone}}
	if o.Channel == "" {
		o.Channel = "api"
	}
	fields := map[string]string{}
	if in.PlacedAt != "" {
		t, err := time.Parse(time.RFC3339, in.PlacedAt)
		if err != nil {
			fields["placed_at"] = "Use an RFC 3339 time like 2026-11-21T09:30:00Z."
		}
		o.PlacedAt = t
	}
	for i, l := range in.Lines {
		line := orderfile.Line{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity}
		if l.UnitPrice != "" {
			cents, err := orderfile.ParseMoney(l.UnitPrice)
			if err != nil {
				fields[fmt.Sprintf("lines[%d].unit_price", i)] = "Send a decimal string like \"19.99\"."
			}
			line.UnitPriceCents = cents
		}
		o.Lines = append(o.Lines, line)
	}
	if len(fields) > 0 {
		return &store.ValidationError{Fields: fields}
	}
	acc := apiAccountOf(c)
	created, isNew, err := s.store.CreateOrder(c.Request().Context(), apiActor(c), acc.ID, o)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !isNew {
		status = http.StatusOK
	}
	return c.JSON(status, toAPIOrder(created))
}

func (s *Server) apiOrders(c echo.Context) error {
	acc := apiAccountOf(c)
	q := c.QueryParams()
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.OrderFilter{Tab: store.TabAll, Query: q.Get("q"), Dropship: q.Get("dropship"), Page: page}
	if st := q.Get("status"); st != "" {
		// The API filters on the tab an order sits in.
		f.Tab = st
		if st == store.OrderException {
			f.Tab = store.TabExceptions
		}
	}
	pg, err := s.store.Orders(c.Request().Context(), acc.ID, f)
	if err != nil {
		return err
	}
	out := struct {
		Orders  []apiOrder `json:"orders"`
		Total   int        `json:"total"`
		Page    int        `json:"page"`
		PerPage int        `json:"per_page"`
	}{Orders: []apiOrder{}, Total: pg.Total, Page: pg.Page, PerPage: pg.PerPage}
	for _, o := range pg.Orders {
		out.Orders = append(out.Orders, toAPIOrder(o))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiOrder(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	acc := apiAccountOf(c)
	ctx := c.Request().Context()
	o, err := s.store.Order(ctx, acc.ID, id)
	if err != nil {
		return err
	}
	pos, err := s.store.OrderPurchaseOrders(ctx, acc.ID, id)
	if err != nil {
		return err
	}
	out, err := s.apiPOsWithShipments(c, acc.ID, pos)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiOrderDetail{apiOrder: toAPIOrder(o), PurchaseOrders: out})
}

// apiOrderDetail is one order with its purchase orders, their shipments and
// tracking: where the order is, in one call.
type apiOrderDetail struct {
	apiOrder
	PurchaseOrders []apiPO `json:"purchase_orders"`
}

// apiDropshipIn is the body of POST /api/v1/orders/{id}/dropship.
type apiDropshipIn struct {
	PONumber  string            `json:"po_number"`
	PONumbers map[string]string `json:"po_numbers"` // supplier public ID or name → PO number
	ShipTo    *apiAddress       `json:"ship_to"`
	Notes     string            `json:"notes"`
	Lines     []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
		Supplier string `json:"supplier"`
	} `json:"lines"`
	Confirm       bool `json:"confirm"`
	OverrideStock bool `json:"override_stock"`
	// ExternalOrders are the orders placed on website suppliers' sites,
	// keyed like po_numbers.
	ExternalOrders map[string]apiExternalOrderIn `json:"external_orders"`
}

func (s *Server) apiDropship(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	acc := apiAccountOf(c)
	ctx := c.Request().Context()
	o, err := s.store.Order(ctx, acc.ID, id)
	if err != nil {
		return err
	}
	var in apiDropshipIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		key = "api-" + newToken()
	}
	req := store.DropshipRequest{IdempotencyKey: "api:" + key, Notes: in.Notes, Confirm: in.Confirm, OverrideStock: in.OverrideStock}
	if in.ShipTo != nil {
		a := in.ShipTo.address()
		req.ShipTo = &a
	}
	fields := map[string]string{}
	for i, want := range in.Lines {
		var line *store.OrderLine
		for j := range o.Lines {
			if o.Lines[j].SKU == want.SKU && (line == nil || line.PO != nil) {
				line = &o.Lines[j]
			}
		}
		if line == nil {
			fields[fmt.Sprintf("lines[%d].sku", i)] = "No line of this order has SKU " + want.SKU + "."
			continue
		}
		if want.Quantity != 0 && want.Quantity != line.Quantity {
			fields[fmt.Sprintf("lines[%d].quantity", i)] = fmt.Sprintf("A line is dropshipped whole: send %d or leave quantity out.", line.Quantity)
			continue
		}
		dl := store.DropshipLine{OrderLineID: line.ID}
		if want.Supplier != "" {
			for _, src := range line.Sources {
				if strings.EqualFold(src.SupplierName, want.Supplier) || strconv.FormatInt(src.SupplierID, 10) == want.Supplier {
					dl.SourceID = src.ID
				}
			}
			if dl.SourceID == 0 {
				fields[fmt.Sprintf("lines[%d].supplier", i)] = "No source of this line is supplier " + want.Supplier + "."
			}
		}
		req.Lines = append(req.Lines, dl)
	}
	if len(fields) > 0 {
		return &store.ValidationError{Fields: fields}
	}
	// The suppliers the chosen lines go to, as the form would group them.
	var chosen map[int64]int64
	if len(req.Lines) > 0 {
		chosen = map[int64]int64{}
		for _, l := range req.Lines {
			chosen[l.OrderLineID] = l.SourceID
		}
	}
	plan, err := s.store.DropshipPlanFor(ctx, acc.ID, id, chosen)
	if err != nil {
		return err
	}
	// Field names for the answer: the supplier's public ID, never an internal ID.
	field := map[string]string{}
	req.PONumbers = map[int64]string{}
	for _, g := range plan.Groups {
		sup, err := s.store.Account(ctx, g.SupplierID)
		if err != nil {
			return err
		}
		key := "po_numbers." + sup.PublicID
		if in.PONumber != "" && len(in.PONumbers) == 0 {
			key = "po_number"
		}
		field[fmt.Sprintf("po_number_%d", g.SupplierID)] = key
		for name, e := range in.ExternalOrders {
			if strings.EqualFold(name, sup.PublicID) || strings.EqualFold(name, sup.Name) {
				if req.External == nil {
					req.External = map[int64]store.ExternalOrderInput{}
				}
				req.External[g.SupplierID] = e.input()
				for _, f := range []string{"number", "paid", "currency", "notes"} {
					field[fmt.Sprintf("external_%d_%s", g.SupplierID, f)] = "external_orders." + name + "." + f
				}
				delete(in.ExternalOrders, name)
			}
		}
		for name, number := range in.PONumbers {
			if strings.EqualFold(name, sup.PublicID) || strings.EqualFold(name, sup.Name) {
				req.PONumbers[g.SupplierID] = number
				delete(in.PONumbers, name)
			}
		}
	}
	for name := range in.PONumbers {
		fields["po_numbers."+name] = "No line of this dropship goes to supplier " + name + ": use a supplier's public ID or name."
	}
	for name := range in.ExternalOrders {
		fields["external_orders."+name] = "No line of this dropship goes to website supplier " + name + ": use its public ID or name."
	}
	if in.PONumber != "" {
		if len(plan.Groups) > 1 {
			fields["po_number"] = "This order goes to several suppliers: give po_numbers, keyed by each supplier's public ID or name."
		}
		for _, g := range plan.Groups {
			req.PONumbers[g.SupplierID] = in.PONumber
		}
	}
	if len(fields) > 0 {
		return &store.ValidationError{Fields: fields}
	}
	res, err := s.store.Dropship(ctx, apiActor(c), acc.ID, id, req)
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		out := map[string]string{}
		for k, v := range ve.Fields {
			if name, ok := field[k]; ok {
				k = name
			} else if strings.HasPrefix(k, "po_number_") {
				k = "po_numbers"
			}
			out[k] = v
		}
		return &store.ValidationError{Fields: out}
	}
	if err != nil {
		return err
	}
	if len(res.POs) == 0 {
		lines := []map[string]any{}
		for _, p := range res.Problems {
			lines = append(lines, map[string]any{"sku": p.SKU, "code": p.Code, "message": p.Message})
		}
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{
			"code": "not_dropshippable", "message": "No line of this order could be dropshipped.", "lines": lines}})
	}
	out := map[string]any{"purchase_orders": apiPOs(res.POs), "replayed": res.Replayed}
	if len(res.Problems) > 0 {
		var lines []map[string]any
		for _, p := range res.Problems {
			lines = append(lines, map[string]any{"sku": p.SKU, "code": p.Code, "message": p.Message})
		}
		out["not_dropshipped"] = lines
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	return c.JSON(status, out)
}

// apiPO is a purchase order in the API.
type apiPO struct {
	ID             int64            `json:"id"`
	PONumber       string           `json:"po_number"`
	OrderID        int64            `json:"order_id"`
	ChannelOrderID string           `json:"channel_order_id"`
	Supplier       map[string]any   `json:"supplier"`
	Status         string           `json:"status"`
	SupplierStatus string           `json:"supplier_status"`
	CancelState    string           `json:"cancel_state"`
	Currency       string           `json:"currency"`
	TotalCost      string           `json:"total_cost"`
	Customer       map[string]any   `json:"customer"`
	ShipTo         apiAddress       `json:"ship_to"`
	Notes          string           `json:"notes"`
	CreatedAt      time.Time        `json:"created_at"`
	Lines          []map[string]any `json:"lines"`
	Shipments      []apiShipment    `json:"shipments"`
	// ExternalOrder is, for a website supplier's PO, the order placed on
	// its site (null until recorded).
	ExternalOrder *apiExternalOrderOut `json:"external_order,omitempty"`
	// Emailed is how a PO was emailed to a supplier reached by email: the
	// merchant's token reading one PO only.
	Emailed *apiPOEmailed `json:"emailed,omitempty"`
}

// apiExternalOrderOut is a website supplier's PO's order on its site.
type apiExternalOrderOut struct {
	Number   string  `json:"number"`
	Paid     *string `json:"paid"`
	Currency string  `json:"currency"`
	Notes    string  `json:"notes"`
}

// apiPOEmailed is when a PO was emailed to its supplier with signed links,
// reminded, first opened and acknowledged, and how many links work now.
type apiPOEmailed struct {
	EmailedAt      *time.Time `json:"emailed_at"`
	RemindedAt     *time.Time `json:"reminded_at"`
	OpenedAt       *time.Time `json:"opened_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	LiveLinks      int        `json:"live_links"`
}

// apiShipment is a shipment of a PO with its tracking.
type apiShipment struct {
	ID             int64            `json:"id"`
	Carrier        string           `json:"carrier"`
	CarrierName    string           `json:"carrier_name"`
	TrackingNumber string           `json:"tracking_number"`
	TrackingURL    string           `json:"tracking_url"`
	ShipDate       string           `json:"ship_date"`
	ExtendedField  string           `json:"extended_field"`
	Lines          []map[string]any `json:"lines"`
	Delivered      bool             `json:"delivered"`
	DeliveredAt    *time.Time       `json:"delivered_at"`
	OverrideReason string           `json:"override_reason,omitempty"`
}

func apiPOs(pos []store.PurchaseOrder) []apiPO {
	out := []apiPO{}
	for _, p := range pos {
		a := apiPO{ID: p.ID, PONumber: p.PONumber, OrderID: p.OrderID, ChannelOrderID: p.ChannelOrderID, Status: p.Status, SupplierStatus: p.SupplierStatus,
			CancelState: p.CancelState, Currency: p.Currency, TotalCost: store.FormatMoney(p.TotalCostCents), ShipTo: apiAddress(p.ShipTo), Notes: p.Notes,
			Customer:  map[string]any{"name": p.Customer.Name, "email": p.Customer.Email, "phone": p.Customer.Phone},
			CreatedAt: p.CreatedAt, Supplier: map[string]any{"id": p.SupplierID, "name": p.SupplierName}, Lines: []map[string]any{}, Shipments: []apiShipment{}}
		if p.SupplierContact != "" {
			a.Supplier["outside_dropline"] = p.SupplierContact
		}
		if e := p.External; p.SupplierContact == store.ContactWebsite && e.Number != "" {
			a.ExternalOrder = &apiExternalOrderOut{Number: e.Number, Currency: e.Currency, Notes: e.Notes}
			if e.PaidCents != nil {
				paid := store.FormatMoney(*e.PaidCents)
				a.ExternalOrder.Paid = &paid
			}
		}
		for _, l := range p.Lines {
			line := map[string]any{"sku": l.SupplierSKU, "title": l.Title, "quantity": l.Quantity, "shipped_quantity": l.ShippedQty, "status": l.Status}
			if l.HasCost {
				line["cost"] = store.FormatMoney(l.CostCents)
			}
			a.Lines = append(a.Lines, line)
		}
		out = append(out, a)
	}
	return out
}

func (s *Server) apiPurchaseOrders(c echo.Context) error {
	acc := apiAccountOf(c)
	ctx := c.Request().Context()
	q := c.QueryParams()
	page, _ := strconv.Atoi(q.Get("page"))
	// A supplier token lists the POs routed to it; a merchant token the POs it placed.
	if acc.IsSupplier() && (!acc.IsMerchant() || q.Get("side") == "supplier") {
		merchant, _ := strconv.ParseInt(q.Get("merchant"), 10, 64)
		tab := q.Get("status")
		if tab == "" {
			tab = store.QueueAll
		}
		pg, err := s.store.SupplierQueue(ctx, acc.ID, store.QueueFilter{Tab: tab, MerchantID: merchant, Query: q.Get("q"), Page: page})
		if err != nil {
			return err
		}
		var pos []store.PurchaseOrder
		for _, qp := range pg.POs {
			full, err := s.store.PurchaseOrder(ctx, acc.ID, qp.ID)
			if err != nil {
				return err
			}
			pos = append(pos, full)
		}
		out, err := s.apiPOsWithShipments(c, acc.ID, pos)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"purchase_orders": out, "total": pg.Total, "page": pg.Page, "per_page": pg.PerPage})
	}
	if !acc.IsMerchant() {
		return echo.ErrNotFound
	}
	supplier, _ := strconv.ParseInt(q.Get("supplier"), 10, 64)
	pg, err := s.store.PurchaseOrders(ctx, acc.ID, store.POFilter{Query: q.Get("q"), Status: q.Get("status"), SupplierID: supplier, Page: page})
	if err != nil {
		return err
	}
	for i := range pg.POs {
		full, err := s.store.PurchaseOrder(ctx, acc.ID, pg.POs[i].ID)
		if err != nil {
			return err
		}
		pg.POs[i] = full
	}
	out, err := s.apiPOsWithShipments(c, acc.ID, pg.POs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"purchase_orders": out, "total": pg.Total, "page": pg.Page, "per_page": pg.PerPage})
}

// apiPOsWithShipments renders POs with their shipments, as the acting account may see them.
func (s *Server) apiPOsWithShipments(c echo.Context, accountID int64, pos []store.PurchaseOrder) ([]apiPO, error) {
	out := apiPOs(pos)
	for i, po := range pos {
		ships, err := s.store.Shipments(c.Request().Context(), accountID, po.ID)
		if err != nil {
			return nil, err
		}
		for _, sh := range ships {
			lines := []map[string]any{}
			for _, l := range sh.Lines {
				lines = append(lines, map[string]any{"sku": l.SupplierSKU, "quantity": l.Quantity})
			}
			out[i].Shipments = append(out[i].Shipments, apiShipment{ID: sh.ID, Carrier: sh.Carrier, CarrierName: sh.CarrierName, TrackingNumber: sh.TrackingNumber,
				TrackingURL: sh.TrackingURL, ShipDate: sh.ShipDate, ExtendedField: sh.ExtendedField, Lines: lines, Delivered: sh.DeliveredAt != nil,
				DeliveredAt: sh.DeliveredAt, OverrideReason: sh.OverrideReason})
		}
	}
	return out, nil
}

func (s *Server) apiPurchaseOrder(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	acc := apiAccountOf(c)
	po, err := s.store.PurchaseOrder(c.Request().Context(), acc.ID, id)
	if err != nil {
		return err
	}
	out, err := s.apiPOsWithShipments(c, acc.ID, []store.PurchaseOrder{po})
	if err != nil {
		return err
	}
	if po.AccountID == acc.ID {
		e, err := s.store.POEmailing(c.Request().Context(), acc.ID, po.ID)
		if err != nil {
			return err
		}
		if len(e.Links) > 0 {
			out[0].Emailed = &apiPOEmailed{EmailedAt: e.EmailedAt, RemindedAt: e.RemindedAt, OpenedAt: e.OpenedAt, AcknowledgedAt: e.AcknowledgedAt, LiveLinks: e.Live()}
		}
	}
	return c.JSON(http.StatusOK, out[0])
}

// apiSupplierPO loads a PO the token's account works as its supplier: one
// routed to its supplier account, or one of its merchant account's to a
// website supplier it keeps (it enters that PO's tracking itself); else 404.
// It returns the PO and the supplier acting.
func (s *Server) apiSupplierPO(c echo.Context) (store.PurchaseOrder, int64, error) {
	id, err := idParam(c, "poID")
	if err != nil {
		return store.PurchaseOrder{}, 0, err
	}
	acc := apiAccountOf(c)
	po, err := s.store.PurchaseOrder(c.Request().Context(), acc.ID, id)
	if err != nil {
		return store.PurchaseOrder{}, 0, err
	}
	if po.SupplierID == acc.ID {
		return po, acc.ID, nil
	}
	if po.AccountID == acc.ID && po.SupplierContact == store.ContactWebsite {
		if _, err := s.store.ManagedSupplier(c.Request().Context(), acc.ID, po.SupplierID); err == nil {
			return po, po.SupplierID, nil
		}
	}
	return store.PurchaseOrder{}, 0, echo.ErrNotFound
}

// apiExternalOrderIn is the order a merchant placed on a website supplier's
// site: POST /api/v1/purchase-orders/{id}/external-order, and dropship's
// external_orders.
type apiExternalOrderIn struct {
	Number   string `json:"number"`
	Paid     string `json:"paid"`
	Currency string `json:"currency"`
	Notes    string `json:"notes"`
}

func (in apiExternalOrderIn) input() store.ExternalOrderInput {
	return store.ExternalOrderInput{Number: in.Number, Paid: in.Paid, Currency: in.Currency, Notes: in.Notes}
}

// apiExternalOrder records the order placed on a website supplier's site.
func (s *Server) apiExternalOrder(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	acc := apiAccountOf(c)
	var in apiExternalOrderIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.store.RecordExternalOrder(c.Request().Context(), apiActor(c), acc.ID, id, in.input()); err != nil {
		return err
	}
	return s.apiPurchaseOrder(c)
}

// apiShipmentIn is the body of POST /api/v1/purchase-orders/{id}/shipments.
type apiShipmentIn struct {
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
	ShipDate       string `json:"ship_date"`
	ExtendedField  string `json:"extended_field"`
	Override       bool   `json:"override"`
	Lines          []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"lines"`
}

func (s *Server) apiShipmentCreate(c echo.Context) error {
	po, supplierID, err := s.apiSupplierPO(c)
	if err != nil {
		return err
	}
	var in apiShipmentIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	input := store.ShipmentInput{Carrier: in.Carrier, TrackingNumber: in.TrackingNumber, ShipDate: in.ShipDate, ExtendedField: in.ExtendedField, Override: in.Override}
	fields := map[string]string{}
	for i, l := range in.Lines {
		var lineID int64
		for _, pl := range po.Lines {
			if pl.SupplierSKU == l.SKU && (lineID == 0 || pl.Status == "open") {
				lineID = pl.ID
			}
		}
		if lineID == 0 {
			fields[fmt.Sprintf("lines[%d].sku", i)] = "No line of this PO has SKU " + l.SKU + "."
			continue
		}
		input.Lines = append(input.Lines, store.ShipmentLine{POLineID: lineID, Quantity: l.Quantity})
	}
	if len(fields) > 0 {
		return &store.ValidationError{Fields: fields}
	}
	sh, err := s.store.AddShipment(c.Request().Context(), apiActor(c), supplierID, po.ID, input)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": sh.ID, "carrier": sh.Carrier, "carrier_name": sh.CarrierName, "tracking_number": sh.TrackingNumber,
		"tracking_url": sh.TrackingURL, "ship_date": sh.ShipDate, "override_reason": sh.OverrideReason})
}

func (s *Server) apiAcknowledge(c echo.Context) error {
	po, supplierID, err := s.apiSupplierPO(c)
	if err != nil {
		return err
	}
	if err := s.store.AcknowledgePO(c.Request().Context(), apiActor(c), supplierID, po.ID); err != nil {
		return err
	}
	return s.apiPurchaseOrder(c)
}

func (s *Server) apiShipmentDelivered(c echo.Context) error {
	id, err := idParam(c, "shipmentID")
	if err != nil {
		return err
	}
	acc := apiAccountOf(c)
	ctx := c.Request().Context()
	supplierID := acc.ID
	if acc.IsMerchant() {
		// A shipment of one of the merchant's website suppliers.
		list, err := s.store.ManagedSuppliers(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, m := range list {
			if _, err := s.store.ShipmentPO(ctx, m.ID, id); err == nil && m.Contact == store.ContactWebsite {
				supplierID = m.ID
			}
		}
	}
	if err := s.store.MarkDelivered(ctx, apiActor(c), supplierID, id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "delivered": true})
}

func (s *Server) apiPurchaseOrderCancel(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	po, err := s.store.RequestCancel(c.Request().Context(), apiActor(c), apiAccountOf(c).ID, id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiPOs([]store.PurchaseOrder{po})[0])
}
