package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/feedfile"
	"github.com/dropline/dropline/views"
)

func importKind(k string) string {
	if k == store.ImportInventory {
		return store.ImportInventory
	}
	return store.ImportCatalog
}

func (s *Server) importShow(c echo.Context) error {
	return render(c, http.StatusOK, views.ImportPage(s.frame(c, "Import products"), views.ImportView{Kind: importKind(c.QueryParam("kind"))}))
}

// renderImport shows the upload page or, for htmx, only the preview.
func (s *Server) renderImport(c echo.Context, status int, v views.ImportView) error {
	if isHTMX(c) {
		// htmx swaps 2xx responses only; the message is the content.
		return render(c, http.StatusOK, views.ImportPreview(csrfOf(c), v))
	}
	return render(c, status, views.ImportPage(s.frame(c, "Import products"), v))
}

// fileProblem is the message for a file the reader refused.
func fileProblem(err error) string {
	var fe *feedfile.FileError
	if errors.As(err, &fe) {
		return fe.Message
	}
	return ""
}

func (s *Server) importUpload(c echo.Context) error {
	filename, body, problem, err := readUpload(c)
	if err != nil {
		return err
	}
	kind := importKind(c.FormValue("kind"))
	v := views.ImportView{Kind: kind}
	if problem != nil {
		v.Error = problem.msg
		return s.renderImport(c, problem.status, v)
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	plan, err := s.store.PreviewImport(ctx, p.accountID(), kind, body, store.DefaultImportOptions())
	if msg := fileProblem(err); msg != "" {
		v.Error = msg
		return s.renderImport(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	token, err := s.store.SaveUpload(ctx, p.accountID(), kind, filename, body)
	if err != nil {
		return err
	}
	v = importView(plan, token, filename)
	return s.renderImport(c, http.StatusOK, v)
}

func importView(plan store.ImportPlan, token, filename string) views.ImportView {
	v := views.ImportView{Kind: plan.Kind, Token: token, Filename: filename, Format: plan.Format, Rows: plan.Rows, Create: plan.Create,
		Update: plan.Update, Unchanged: plan.Unchanged, ErrorRows: plan.ErrorRows, ErrorsAll: plan.ErrorsAll}
	for _, ch := range plan.Changes {
		v.Changes = append(v.Changes, views.ImportChangeRow{Line: ch.Line, SKU: ch.SKU, Action: ch.Action, Changes: strings.Join(ch.Changes, "; ")})
	}
	v.More = plan.Create + plan.Update - len(plan.Changes)
	for _, e := range plan.Errors {
		v.Errors = append(v.Errors, views.RunErrorRow{Line: e.Line, Column: e.Column, Message: e.Message})
	}
	return v
}

func (s *Server) importApply(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	token := c.FormValue("token")
	kind, _, body, err := s.store.Upload(ctx, p.accountID(), token)
	// An upload token is bound to the import it was made for: an orders or
	// bulk tracking upload sent here is refused, and stays usable there.
	if errors.Is(err, store.ErrNotFound) || (err == nil && kind != store.ImportCatalog && kind != store.ImportInventory) {
		if ferr := s.flashError(c, "That upload has expired or was already applied. Upload the file again."); ferr != nil {
			return ferr
		}
		return redirect(c, "/products/import")
	}
	if err != nil {
		return err
	}
	plan, err := s.store.ApplyImport(ctx, p.actor(), p.accountID(), kind, body, store.DefaultImportOptions())
	if msg := fileProblem(err); msg != "" {
		if ferr := s.flashError(c, msg); ferr != nil {
			return ferr
		}
		return redirect(c, "/products/import?kind="+kind)
	}
	if err != nil {
		return err
	}
	if err := s.store.DeleteUpload(ctx, p.accountID(), token); err != nil {
		return err
	}
	msg := fmt.Sprintf("%d created, %d updated, %d unchanged, %d skipped for errors", plan.Create, plan.Update, plan.Unchanged, plan.ErrorRows)
	if err := s.flash(c, "Import applied: "+msg+"."); err != nil {
		return err
	}
	return redirect(c, "/products")
}
