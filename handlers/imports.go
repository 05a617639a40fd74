package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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

// needsMapping reports whether the reader refused a file only because it
// cannot tell which column holds what: the user can say.
func needsMapping(err error) bool {
	return errors.Is(err, feedfile.ErrNeedsMapping) || errors.Is(err, feedfile.ErrNoSKUColumn)
}

// importChoices are the mapping and options an import is previewed and
// applied with, as the forms carry them.
type importChoices struct {
	opt store.ImportOptions
	// mapped: the user chose the columns (opt.Mapping is theirs, maybe
	// without a SKU yet).
	mapped bool
	// inStock is the in-stock quantity as typed, shown back when it is not
	// a whole number of 0 or more (the preview then uses the default).
	inStock string
	errs    views.FieldErrors
}

// readImportChoices reads the mapping (map_<field>, with mapped=1 or, on
// the subscribe form, format=mapped), the
// options (in_stock_quantity; build_skus, read only when opts=1 says the
// options were on the form, else on) and the acknowledgement.
func readImportChoices(form url.Values) importChoices {
	ch := importChoices{opt: store.DefaultImportOptions(), errs: views.FieldErrors{}}
	if form.Get("mapped") == "1" || form.Get("format") == string(feedfile.FormatMapped) {
		ch.mapped = true
		ch.opt.Mapping = map[string]string{}
		for _, f := range feedfile.Fields() {
			if col := strings.TrimSpace(form.Get("map_" + f)); col != "" {
				ch.opt.Mapping[f] = col
			}
		}
	}
	ch.inStock = strings.TrimSpace(form.Get("in_stock_quantity"))
	if ch.inStock != "" {
		n, err := strconv.Atoi(ch.inStock)
		if err != nil || n < 0 {
			ch.errs["in_stock_quantity"] = "Enter a whole number, 0 or more."
		} else {
			ch.opt.InStockQuantity = n
		}
	}
	if form.Get("opts") == "1" {
		ch.opt.BuildSKUs = form.Get("build_skus") == "true"
	}
	ch.opt.Acknowledged = form.Get("acknowledged") == "true"
	return ch
}

// importOptionsView fills the options and carried mapping of a preview.
func importOptionsView(v *views.ImportView, ch importChoices) {
	v.Mapping, v.Mapped = ch.opt.Mapping, ch.mapped
	v.InStockQuantity = strconv.Itoa(ch.opt.InStockQuantity)
	v.InStockUsed = ch.opt.InStockQuantity
	if _, bad := ch.errs["in_stock_quantity"]; bad {
		v.InStockQuantity = ch.inStock
	}
	v.BuildSKUs = ch.opt.BuildSKUs
	v.OptionErrors = ch.errs
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
	ch := importChoices{opt: store.DefaultImportOptions()}
	plan, err := s.store.PreviewImport(ctx, p.accountID(), kind, body, ch.opt)
	if needsMapping(err) {
		// Keep the file: the user says which column holds what, then previews.
		why := fileProblem(err)
		token, err := s.store.SaveUpload(ctx, p.accountID(), kind, filename, body)
		if err != nil {
			return err
		}
		return s.renderImport(c, http.StatusOK, mappingView(kind, token, filename, body, ch, why, nil))
	}
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
	importOptionsView(&v, ch)
	return s.renderImport(c, http.StatusOK, v)
}

// mappingView is the column mapping step for a kept upload: the file's
// first rows and a select per Dropline field, prefilled with what the user
// chose or else with Dropline's guesses.
func mappingView(kind, token, filename string, body []byte, ch importChoices, why string, errs views.FieldErrors) views.ImportView {
	v := views.ImportView{Kind: kind, Token: token, Filename: filename, MapStep: true, MapReason: why, Fields: feedfile.Fields(), MapErrors: errs}
	importOptionsView(&v, ch)
	header, records, err := feedfile.Preview(bytes.NewReader(body), feedfile.Options{}, 5)
	if err != nil {
		v.MapStep, v.Token = false, ""
		v.Error = store.UserMessage(err)
		return v
	}
	v.Header, v.Records = header, records
	if ch.mapped {
		v.Mapping = ch.opt.Mapping
	} else {
		v.Mapping = feedfile.GuessMapping(header)
	}
	return v
}

// importPreview previews a kept upload again: with the columns the user
// mapped, with other options, or (step=map) shows the mapping step.
func (s *Server) importPreview(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	form, kind, filename, body, err := s.keptUpload(c)
	if errors.Is(err, store.ErrNotFound) {
		return s.renderImport(c, http.StatusNotFound, views.ImportView{Kind: store.ImportCatalog, Error: uploadGone})
	}
	if err != nil {
		return err
	}
	token := form.Get("token")
	ch := readImportChoices(form)
	if form.Get("step") == "map" {
		return s.renderImport(c, http.StatusOK, mappingView(kind, token, filename, body, ch, "", nil))
	}
	if ch.mapped && ch.opt.Mapping["sku"] == "" {
		return s.renderImport(c, http.StatusUnprocessableEntity, mappingView(kind, token, filename, body, ch, "",
			views.FieldErrors{"map_sku": "Choose the column that holds the SKU."}))
	}
	plan, err := s.store.PreviewImport(ctx, p.accountID(), kind, body, ch.opt)
	if needsMapping(err) || (ch.mapped && errors.Is(err, feedfile.ErrMapping)) {
		return s.renderImport(c, http.StatusUnprocessableEntity, mappingView(kind, token, filename, body, ch, fileProblem(err), nil))
	}
	if msg := fileProblem(err); msg != "" {
		return s.renderImport(c, http.StatusUnprocessableEntity, views.ImportView{Kind: kind, Error: msg})
	}
	if err != nil {
		return err
	}
	v := importView(plan, token, filename)
	importOptionsView(&v, ch)
	status := http.StatusOK
	if len(ch.errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.renderImport(c, status, v)
}

func importView(plan store.ImportPlan, token, filename string) views.ImportView {
	v := views.ImportView{Kind: plan.Kind, Token: token, Filename: filename, Format: plan.Format, Rows: plan.Rows, Create: plan.Create,
		Update: plan.Update, Unchanged: plan.Unchanged, ErrorRows: plan.ErrorRows, ErrorsAll: plan.ErrorsAll,
		Notes: store.SummaryNotes(plan.Summary), Currency: plan.Currency}
	for _, ch := range plan.Changes {
		v.Changes = append(v.Changes, views.ImportChangeRow{Line: ch.Line, SKU: ch.SKU, Action: ch.Action, Changes: strings.Join(ch.Changes, "; ")})
	}
	v.More = plan.Create + plan.Update - len(plan.Changes)
	for _, e := range plan.Errors {
		v.Errors = append(v.Errors, views.RunErrorRow{Line: e.Line, Column: e.Column, Message: e.Message, Skipped: e.Skipped})
	}
	v.Loses = losesText(plan.Loses())
	v.Notes = withoutWarned(v.Notes, v.Loses)
	return v
}

// withoutWarned leaves out of the notes what the warning above them says.
func withoutWarned(notes []string, loses views.Loses) []string {
	out := notes[:0:0]
	for _, n := range notes {
		if !slices.Contains(loses.Messages, n) {
			out = append(out, n)
		}
	}
	return out
}

// losesText says, for the warning, which fields every row would lose.
func losesText(loses []feedfile.EmptyField) views.Loses {
	var out views.Loses
	for _, e := range loses {
		out.Messages = append(out.Messages, e.Sentence())
		out.Fields = append(out.Fields, map[string]string{"title": "titles", "quantity": "quantities"}[e.Field])
	}
	return out
}

const uploadGone = "That upload has expired or was already applied. Upload the file again."

// keptUpload reads the posted form and the kept catalog upload its token
// names. An upload token is bound to the import it was made for: an orders
// or bulk tracking upload sent here is ErrNotFound, and stays usable there.
func (s *Server) keptUpload(c echo.Context) (form url.Values, kind, filename string, body []byte, err error) {
	if err := parseBody(c); err != nil {
		return nil, "", "", nil, err
	}
	form = c.Request().PostForm
	kind, filename, body, err = s.store.Upload(c.Request().Context(), principalOf(c).accountID(), form.Get("token"))
	if err == nil && kind != store.ImportCatalog && kind != store.ImportInventory {
		err = store.ErrNotFound
	}
	return form, kind, filename, body, err
}

func (s *Server) importApply(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	form, kind, filename, body, err := s.keptUpload(c)
	if errors.Is(err, store.ErrNotFound) {
		if ferr := s.flashError(c, uploadGone); ferr != nil {
			return ferr
		}
		return redirect(c, "/products/import")
	}
	if err != nil {
		return err
	}
	token := form.Get("token")
	ch := readImportChoices(form)
	plan, err := s.store.ApplyImport(ctx, p.actor(), p.accountID(), kind, body, ch.opt)
	if errors.Is(err, store.ErrNotAcknowledged) {
		// Nothing was applied: show the preview again, with the warning and
		// what to tick, keeping the upload.
		plan, err := s.store.PreviewImport(ctx, p.accountID(), kind, body, ch.opt)
		if err != nil {
			return err
		}
		v := importView(plan, token, filename)
		importOptionsView(&v, ch)
		v.AckError = "Nothing was imported: tick “Import anyway” to import this file without " + strings.Join(v.Loses.Fields, " and ") + "."
		return s.renderImport(c, http.StatusUnprocessableEntity, v)
	}
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
	msg := fmt.Sprintf("Import applied: %d created, %d updated, %d unchanged, %s skipped.", plan.Create, plan.Update, plan.Unchanged,
		feedfile.Plural(plan.ErrorRows, "row", "rows"))
	if n := len(store.SummaryNotes(plan.Summary)); n > 0 {
		msg += fmt.Sprintf(" The preview listed %s about what the file held that was not imported.", map[bool]string{true: "1 note", false: strconv.Itoa(n) + " notes"}[n == 1])
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/products")
}
