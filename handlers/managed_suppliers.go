package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/carrier"
	"github.com/dropline/dropline/views"
)

// Suppliers → Suppliers outside Dropline: the merchant's website suppliers
// and suppliers reached by email, and the supplier behind each URL feed.

func (s *Server) managedSuppliersShow(c echo.Context) error {
	return s.renderManagedSuppliers(c, http.StatusOK, views.ManagedSuppliersView{})
}

func (s *Server) renderManagedSuppliers(c echo.Context, status int, v views.ManagedSuppliersView) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	list, err := s.store.ManagedSuppliers(ctx, p.accountID())
	if err != nil {
		return err
	}
	v.IsAdmin = p.member.IsAdmin()
	for _, m := range list {
		v.Suppliers = append(v.Suppliers, views.ManagedSupplierRow{ID: m.ID, Name: m.Name, Contact: m.Contact, Website: safeHTTP(m.Website),
			OrderEmails: strings.Join(m.OrderEmails, ", "), DefaultCarrier: m.DefaultCarrier, Sources: m.Sources, OpenPOs: m.OpenPOs})
	}
	for _, cr := range carrier.All() {
		v.Carriers = append(v.Carriers, views.Option{Value: cr.Code, Label: cr.Name})
	}
	subs, err := s.store.Subscriptions(ctx, p.accountID())
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if sub.FeedID == 0 && sub.URL != "" {
			v.Feeds = append(v.Feeds, views.URLFeedRow{ID: sub.ID, Name: sub.Name, URL: sub.URL, SupplierID: sub.SupplierID, Supplier: sub.SupplierName})
		}
	}
	return render(c, status, views.ManagedSuppliersPage(s.frame(c, "Suppliers outside Dropline"), v))
}

func managedSupplierInput(c echo.Context) store.ManagedSupplierInput {
	return store.ManagedSupplierInput{Contact: c.FormValue("contact"), Name: c.FormValue("name"), Website: c.FormValue("website"),
		OrderEmails: c.FormValue("order_emails"), DefaultCarrier: c.FormValue("default_carrier")}
}

func (s *Server) managedSupplierCreate(c echo.Context) error {
	p := principalOf(c)
	in := managedSupplierInput(c)
	m, err := s.store.CreateManagedSupplier(c.Request().Context(), p.actor(), p.accountID(), in)
	if errs := fieldErrors(err); errs != nil {
		return s.renderManagedSuppliers(c, http.StatusUnprocessableEntity, views.ManagedSuppliersView{Errors: errs,
			Form: views.ManagedSupplierForm{Contact: in.Contact, Name: in.Name, Website: in.Website, OrderEmails: in.OrderEmails, DefaultCarrier: in.DefaultCarrier}})
	}
	if err != nil {
		return err
	}
	msg := "Added " + m.Name + ". Name it as the supplier of its feed below, and its products can be dropshipped to it."
	if m.Contact == store.ContactEmail {
		msg = "Added " + m.Name + ": each PO to it is emailed to " + strings.Join(m.OrderEmails, ", ") + " with a link to act on it."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/suppliers-outside")
}

func (s *Server) managedSupplierSave(c echo.Context) error {
	id, err := idParam(c, "supplierID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	in := managedSupplierInput(c)
	m, err := s.store.UpdateManagedSupplier(c.Request().Context(), p.actor(), p.accountID(), id, in)
	if errs := fieldErrors(err); errs != nil {
		return s.renderManagedSuppliers(c, http.StatusUnprocessableEntity, views.ManagedSuppliersView{Errors: errs, EditID: id})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Saved "+m.Name+"."); err != nil {
		return err
	}
	return redirect(c, "/suppliers-outside")
}

// subscriptionSupplier names the supplier behind a URL feed.
func (s *Server) subscriptionSupplier(c echo.Context) error {
	subID, err := idParam(c, "subID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	// Another merchant's subscription is not found before the form is read.
	if _, err := s.store.Subscription(c.Request().Context(), p.accountID(), subID); err != nil {
		return err
	}
	supplierID, _ := strconv.ParseInt(c.FormValue("supplier_id"), 10, 64)
	if supplierID <= 0 {
		return s.renderManagedSuppliers(c, http.StatusUnprocessableEntity, views.ManagedSuppliersView{FeedError: "Choose the feed's supplier."})
	}
	if err := s.store.SetSubscriptionSupplier(c.Request().Context(), p.actor(), p.accountID(), subID, supplierID); err != nil {
		return s.conflictToFlash(c, err, "/suppliers-outside")
	}
	if err := s.flash(c, "Saved: the feed's products are dropshipped to that supplier."); err != nil {
		return err
	}
	return redirect(c, "/suppliers-outside")
}
