package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// emailSupplier is one of the acting merchant's email suppliers; any other
// account, a website supplier included, is not found.
func (s *Server) emailSupplier(c echo.Context) (store.ManagedSupplier, error) {
	id, err := idParam(c, "supplierID")
	if err != nil {
		return store.ManagedSupplier{}, err
	}
	sup, err := s.store.ManagedSupplier(c.Request().Context(), principalOf(c).accountID(), id)
	if err != nil {
		return sup, err
	}
	if sup.Contact != store.ContactEmail {
		return sup, echo.ErrNotFound
	}
	return sup, nil
}

// emailSupplierPath is the email supplier's page.
func emailSupplierPath(id int64) string {
	return "/suppliers-outside/" + strconv.FormatInt(id, 10) + "/email"
}

func (s *Server) renderEmailSupplier(c echo.Context, status int, sup store.ManagedSupplier, v views.EmailSupplierView) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	v.ID, v.Name, v.Emails, v.Sources, v.IsAdmin = sup.ID, sup.Name, sup.OrderEmails, sup.Sources, p.member.IsAdmin()
	subs, err := s.store.Subscriptions(ctx, p.accountID())
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if sub.SupplierID == sup.ID && !sub.External() {
			v.Subscription = "/subscriptions/" + strconv.FormatInt(sub.ID, 10)
			break
		}
	}
	pos, err := s.store.EmailedPOs(ctx, p.accountID(), sup.ID, 100)
	if err != nil {
		return err
	}
	vw := p.viewer()
	for _, po := range pos {
		row := views.EmailedPORow{ID: po.ID, Number: po.Number, Status: po.Status, Created: vw.ZonedTime(po.CreatedAt), Live: po.LiveLinks}
		if po.EmailedAt != nil {
			row.Emailed = vw.ZonedTime(*po.EmailedAt)
		}
		if po.OpenedAt != nil {
			row.Opened = vw.ZonedTime(*po.OpenedAt)
		}
		if po.AcknowledgedAt != nil {
			row.Acked = vw.ZonedTime(*po.AcknowledgedAt)
		}
		v.POs = append(v.POs, row)
	}
	return render(c, status, views.EmailSupplierPage(s.frame(c, sup.Name), v))
}

func (s *Server) emailSupplierShow(c echo.Context) error {
	sup, err := s.emailSupplier(c)
	if err != nil {
		return err
	}
	return s.renderEmailSupplier(c, http.StatusOK, sup, views.EmailSupplierView{})
}

// maxCatalogErrors is how many row errors the page lists after an upload.
const maxCatalogErrors = 20

// emailSupplierCatalog applies an uploaded catalog file to the email
// supplier's products at once (no preview: it is the merchant's own list
// of what it buys there) and starts the pull that makes them sources.
func (s *Server) emailSupplierCatalog(c echo.Context) error {
	sup, err := s.emailSupplier(c)
	if err != nil {
		return err
	}
	_, body, problem, err := readUpload(c)
	if err != nil {
		return err
	}
	if problem != nil {
		return s.renderEmailSupplier(c, problem.status, sup, views.EmailSupplierView{CatalogError: problem.msg})
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	plan, sub, err := s.store.ImportManagedCatalog(ctx, p.actor(), p.accountID(), sup.ID, body, store.DefaultImportOptions())
	switch {
	case needsMapping(err):
		return s.renderEmailSupplier(c, http.StatusUnprocessableEntity, sup, views.EmailSupplierView{
			CatalogError: fileProblem(err) + " Use the columns of Dropline's template, or a marketplace export Dropline reads."})
	case fileProblem(err) != "":
		return s.renderEmailSupplier(c, http.StatusUnprocessableEntity, sup, views.EmailSupplierView{CatalogError: fileProblem(err)})
	case errors.Is(err, store.ErrNotAcknowledged):
		return s.renderEmailSupplier(c, http.StatusUnprocessableEntity, sup, views.EmailSupplierView{
			CatalogError: "Every row of this file lacks a title or a quantity: nothing was imported. Check the file's columns against the template."})
	case err != nil:
		return err
	}
	res := &views.CatalogResult{Created: plan.Create, Updated: plan.Update, Unchanged: plan.Unchanged, Skipped: plan.ErrorRows}
	for _, e := range plan.Errors {
		if len(res.Errors) == maxCatalogErrors {
			break
		}
		res.Errors = append(res.Errors, fmt.Sprintf("line %d: %s", e.Line, e.Message))
	}
	run, err := s.puller.PullNowAs(ctx, p.actor(), p.accountID(), sub.ID)
	switch {
	case errors.Is(err, store.ErrConflict):
		// A pull is running already; the next one takes the new catalog.
	case err != nil:
		return err
	default:
		res.RunURL = "/runs/" + strconv.FormatInt(run.ID, 10)
	}
	return s.renderEmailSupplier(c, http.StatusOK, sup, views.EmailSupplierView{Catalog: res})
}

// emailSupplierUpgrade gives the email supplier a login: the person named
// becomes its admin, and the merchant keeps it no longer.
func (s *Server) emailSupplierUpgrade(c echo.Context) error {
	sup, err := s.emailSupplier(c)
	if err != nil {
		return err
	}
	if err := parseBody(c); err != nil {
		return err
	}
	p := principalOf(c)
	in := store.NewMember{Email: c.FormValue("email"), Name: c.FormValue("name"), Password: c.FormValue("password")}
	m, err := s.store.UpgradeManagedSupplier(c.Request().Context(), p.actor(), p.accountID(), sup.ID, in)
	if errs := fieldErrors(err); errs != nil {
		return s.renderEmailSupplier(c, http.StatusUnprocessableEntity, sup, views.EmailSupplierView{InviteEmail: in.Email, InviteName: in.Name, Errors: errs})
	}
	if err != nil {
		return s.conflictToFlash(c, err, emailSupplierPath(sup.ID))
	}
	if err := s.flash(c, sup.Name+" now signs in to Dropline: "+m.User.Email+" is its admin and has been emailed where to sign in. Its POs reach it there from now on."); err != nil {
		return err
	}
	return redirect(c, "/suppliers")
}
