package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// maxPreviewRows is how many rows a bulk tracking page lists.
const maxPreviewRows = 500

func trackingView(plan store.TrackingPlan, token, filename string, applied bool) views.TrackingUploadView {
	v := views.TrackingUploadView{Token: token, Filename: filename, Applied: applied, OK: plan.OK, Errors: plan.Errors, Shipments: plan.Shipments}
	// Errors first: they are what needs attention.
	var ordered []store.TrackingRow
	for _, r := range plan.Rows {
		if r.Error != "" {
			ordered = append(ordered, r)
		}
	}
	for _, r := range plan.Rows {
		if r.Error == "" {
			ordered = append(ordered, r)
		}
	}
	for i, r := range ordered {
		if i == maxPreviewRows {
			v.More = len(ordered) - i
			break
		}
		v.Rows = append(v.Rows, views.TrackingUploadRow{Line: r.Line, PONumber: r.PONumber, Carrier: r.Carrier, Number: r.TrackingNumber, ShipDate: r.ShipDate,
			SKU: r.SKU, Quantity: r.Quantity, Note: r.CarrierNote, Error: r.Error})
	}
	return v
}

// uploadSupplier is the supplier whose POs a bulk tracking file ships, and
// the upload page's address: the signed-in supplier at
// /dropship-orders/upload, or, at /suppliers-outside/:supplierID/upload,
// one of the merchant's website suppliers (it enters their tracking).
func (s *Server) uploadSupplier(c echo.Context) (int64, string, error) {
	p := principalOf(c)
	if c.Param("supplierID") == "" {
		return p.accountID(), "/dropship-orders/upload", nil
	}
	id, err := idParam(c, "supplierID")
	if err != nil {
		return 0, "", err
	}
	m, err := s.store.ManagedSupplier(c.Request().Context(), p.accountID(), id)
	if err != nil {
		return 0, "", err
	}
	if m.Contact != store.ContactWebsite {
		return 0, "", echo.ErrNotFound
	}
	return m.ID, "/suppliers-outside/" + strconv.FormatInt(m.ID, 10) + "/upload", nil
}

func (s *Server) trackingUploadShow(c echo.Context) error {
	_, base, err := s.uploadSupplier(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.TrackingUploadPage(s.frame(c, "Bulk tracking upload"), views.TrackingUploadView{Base: base}))
}

// renderTracking shows the upload page or, for htmx, only the preview or
// result under the form.
func (s *Server) renderTracking(c echo.Context, status int, v views.TrackingUploadView) error {
	_, base, err := s.uploadSupplier(c)
	if err != nil {
		return err
	}
	v.Base = base
	if isHTMX(c) {
		// htmx swaps 2xx responses only; the message is the content.
		return render(c, http.StatusOK, views.TrackingUploadResult(csrfOf(c), v))
	}
	return render(c, status, views.TrackingUploadPage(s.frame(c, "Bulk tracking upload"), v))
}

func (s *Server) trackingTemplate(c echo.Context) error {
	if _, _, err := s.uploadSupplier(c); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="dropline-tracking.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(store.TrackingTemplate(s.now().In(principalOf(c).member.Account.Location()).Format(time.DateOnly))))
}

func (s *Server) trackingUpload(c echo.Context) error {
	filename, body, problem, err := readUpload(c)
	if err != nil {
		return err
	}
	page := func(status int, v views.TrackingUploadView) error { return s.renderTracking(c, status, v) }
	if problem != nil {
		return page(problem.status, views.TrackingUploadView{Error: problem.msg})
	}
	p := principalOf(c)
	supplierID, _, err := s.uploadSupplier(c)
	if err != nil {
		return err
	}
	plan, err := s.store.BulkTracking(c.Request().Context(), p.actor(), supplierID, body, false)
	if errs := fieldErrors(err); errs != nil {
		return page(http.StatusUnprocessableEntity, views.TrackingUploadView{Error: store.UserText(err)})
	}
	if err != nil {
		return err
	}
	token, err := s.store.SaveUpload(c.Request().Context(), p.accountID(), "tracking", filename, body)
	if err != nil {
		return err
	}
	return page(http.StatusOK, trackingView(plan, token, filename, false))
}

func (s *Server) trackingApply(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	supplierID, base, err := s.uploadSupplier(c)
	if err != nil {
		return err
	}
	token := c.FormValue("token")
	kind, filename, body, err := s.store.Upload(ctx, p.accountID(), token)
	if errors.Is(err, store.ErrNotFound) || (err == nil && kind != "tracking") {
		if isHTMX(c) {
			return s.renderTracking(c, http.StatusNotFound, views.TrackingUploadView{Error: "That upload has expired. Upload the file again: shipments already saved will not be added twice."})
		}
		if ferr := s.flashError(c, "That upload has expired. Upload the file again: shipments already saved will not be added twice."); ferr != nil {
			return ferr
		}
		return redirect(c, base)
	}
	if err != nil {
		return err
	}
	// The page asks trackingProgress how far the apply has got while it
	// runs; the progress ends before the answer is written, so a poll that
	// follows the answer finds none.
	plan, err := func() (store.TrackingPlan, error) {
		run := s.applies.start(token, p.accountID())
		defer func() {
			s.applies.end(token, run)
			s.shareProgress(ctx, func(ctx context.Context) error { return s.store.EndApplyProgress(ctx, token) })
		}()
		return s.store.ApplyTracking(ctx, p.actor(), supplierID, body, func(tp store.TrackingProgress) {
			s.applies.set(token, run, tp)
			// For the page's polls that another instance answers (PostgreSQL).
			s.shareProgress(ctx, func(ctx context.Context) error { return s.store.SaveApplyProgress(ctx, token, p.accountID(), tp) })
		})
	}()
	if err != nil {
		return err
	}
	return s.renderTracking(c, http.StatusOK, trackingView(plan, token, filename, true))
}

// shareProgress records a save's progress for other instances: best
// effort, within a second, never failing the save (the page then shows its
// indeterminate bar until the save ends).
func (s *Server) shareProgress(ctx context.Context, write func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := write(ctx); err != nil {
		s.log.Warn("bulk tracking progress not shared", "err", err)
	}
}

// applies holds how far each running bulk tracking apply has got, by
// upload token. Should the same upload be saved twice at once (two tabs),
// the page hears about the first; the second adds nothing anyway.
type applies struct {
	mu      sync.Mutex
	last    int64 // the last run started
	running map[string]applyState
}

type applyState struct {
	run       int64
	accountID int64
	progress  store.TrackingProgress
}

// start registers an apply of the upload unless one is running, and
// returns the run's number for set and end.
func (a *applies) start(token string, accountID int64) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.last++
	if a.running == nil {
		a.running = map[string]applyState{}
	}
	if _, ok := a.running[token]; !ok {
		a.running[token] = applyState{run: a.last, accountID: accountID}
	}
	return a.last
}

// set records the run's progress, if the upload's entry is the run's.
func (a *applies) set(token string, run int64, p store.TrackingProgress) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if st, ok := a.running[token]; ok && st.run == run {
		st.progress = p
		a.running[token] = st
	}
}

// end removes the run's entry, not another run's.
func (a *applies) end(token string, run int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if st, ok := a.running[token]; ok && st.run == run {
		delete(a.running, token)
	}
}

// get is an apply's progress, if it is running for the account.
func (a *applies) get(token string, accountID int64) (store.TrackingProgress, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, ok := a.running[token]
	return st.progress, ok && st.accountID == accountID
}

// trackingProgress answers the upload page while it saves a file: the step
// and how much of it is done, as JSON. An upload not being applied for
// this account, another's included, is not found.
func (s *Server) trackingProgress(c echo.Context) error {
	p := principalOf(c)
	if _, _, err := s.uploadSupplier(c); err != nil {
		return err
	}
	tp, ok := s.applies.get(c.QueryParam("token"), p.accountID())
	if !ok {
		// Saved by another instance?
		var err error
		if tp, ok, err = s.store.ApplyProgress(c.Request().Context(), c.QueryParam("token"), p.accountID()); err != nil {
			return err
		}
	}
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, map[string]any{"step": tp.Step, "label": progressLabel(tp), "done": tp.Done, "total": tp.Total})
}

// progressLabel says in words where an apply is.
func progressLabel(p store.TrackingProgress) string {
	switch p.Step {
	case store.StepWaiting:
		return "Waiting for other changes to be saved…"
	case store.StepChecking:
		return "Checking every row again…"
	case store.StepSaving:
		if p.Total > 0 {
			return fmt.Sprintf("Saving… %d %%", 100*p.Done/p.Total)
		}
	case store.StepCommitting:
		return "Finishing…"
	}
	return "Saving…" // reading the file, before the first step
}

// trackingErrors downloads the rows with errors, to fix and upload again.
func (s *Server) trackingErrors(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	supplierID, _, err := s.uploadSupplier(c)
	if err != nil {
		return err
	}
	kind, _, body, err := s.store.Upload(ctx, p.accountID(), c.QueryParam("token"))
	if err != nil || kind != "tracking" {
		return echo.ErrNotFound
	}
	plan, err := s.store.BulkTracking(ctx, p.actor(), supplierID, body, false)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="tracking-errors.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", store.ErrorRowsCSV(plan))
}
