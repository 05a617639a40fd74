package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

func (s *Server) renderStatuses(c echo.Context, status int, v views.StatusesView) error {
	p := principalOf(c)
	list, err := s.store.SupplierStatuses(c.Request().Context(), p.accountID())
	if err != nil {
		return err
	}
	active := 0
	for _, st := range list {
		if !st.Retired {
			active++
		}
	}
	n := 0
	for _, st := range list {
		row := views.StatusRow{ID: st.ID, Name: st.Name, Retired: st.Retired, Initial: st.Initial}
		if !st.Retired {
			row.First, row.Last = n == 0, n == active-1
			n++
		}
		v.Statuses = append(v.Statuses, row)
	}
	v.IsAdmin, v.Merchant = p.member.IsAdmin(), p.member.Account.IsMerchant()
	v.System = store.SystemStatuses
	if v.AckSLAHours == "" && v.StaleDays == "" {
		set, err := s.store.OrderSettings(c.Request().Context(), p.accountID())
		if err != nil {
			return err
		}
		v.AckSLAHours, v.StaleDays = strconv.Itoa(set.AckSLAHours), strconv.Itoa(set.StaleAfterDays)
	}
	return render(c, status, views.StatusesPage(s.frame(c, "Order statuses"), v))
}

func (s *Server) statusesShow(c echo.Context) error {
	return s.renderStatuses(c, http.StatusOK, views.StatusesView{})
}

// deadlinesSave sets the supplier's acknowledgement and tracking deadlines.
func (s *Server) deadlinesSave(c echo.Context) error {
	p := principalOf(c)
	rawAck, rawStale := strings.TrimSpace(c.FormValue("ack_sla_hours")), strings.TrimSpace(c.FormValue("stale_after_days"))
	back := views.StatusesView{AckSLAHours: rawAck, StaleDays: rawStale, Errors: views.FieldErrors{}}
	ack, err := strconv.Atoi(rawAck)
	if err != nil {
		back.Errors["ack_sla_hours"] = "Enter a whole number of hours."
	}
	stale, err := strconv.Atoi(rawStale)
	if err != nil {
		back.Errors["stale_after_days"] = "Enter a whole number of days."
	}
	if len(back.Errors) > 0 {
		return s.renderStatuses(c, http.StatusUnprocessableEntity, back)
	}
	err = s.store.UpdateSupplierDeadlines(c.Request().Context(), p.actor(), p.accountID(), ack, stale)
	if errs := fieldErrors(err); errs != nil {
		back.Errors = errs
		return s.renderStatuses(c, http.StatusUnprocessableEntity, back)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Deadlines saved."); err != nil {
		return err
	}
	return redirect(c, "/settings/statuses#deadlines")
}

func (s *Server) statusAdd(c echo.Context) error {
	p := principalOf(c)
	name := c.FormValue("name")
	st, err := s.store.AddSupplierStatus(c.Request().Context(), p.actor(), p.accountID(), name)
	if errs := fieldErrors(err); errs != nil {
		return s.renderStatuses(c, http.StatusUnprocessableEntity, views.StatusesView{NewName: name, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Added "+st.Name+"."); err != nil {
		return err
	}
	return redirect(c, "/settings/statuses")
}

// statusChange applies one of rename, up, down, retire, restore.
func (s *Server) statusChange(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "statusID")
		if err != nil {
			return err
		}
		p := principalOf(c)
		ctx := c.Request().Context()
		switch action {
		case "rename":
			name := c.FormValue("name")
			err = s.store.RenameSupplierStatus(ctx, p.actor(), p.accountID(), id, name)
			if errs := fieldErrors(err); errs != nil {
				return s.renderStatuses(c, http.StatusUnprocessableEntity, views.StatusesView{RenameID: id, RenameName: name, Errors: errs})
			}
		case "up":
			err = s.store.MoveSupplierStatus(ctx, p.actor(), p.accountID(), id, -1)
		case "down":
			err = s.store.MoveSupplierStatus(ctx, p.actor(), p.accountID(), id, +1)
		case "retire":
			err = s.store.RetireSupplierStatus(ctx, p.actor(), p.accountID(), id)
		case "restore":
			err = s.store.RestoreSupplierStatus(ctx, p.actor(), p.accountID(), id)
		}
		if err != nil {
			return s.conflictToFlash(c, err, "/settings/statuses")
		}
		return redirect(c, "/settings/statuses")
	}
}

func (s *Server) statusInitial(c echo.Context) error {
	p := principalOf(c)
	id, err := strconv.ParseInt(c.FormValue("status_id"), 10, 64)
	if err != nil {
		return s.renderStatuses(c, http.StatusUnprocessableEntity, views.StatusesView{Errors: views.FieldErrors{"status_id": "Choose a status."}})
	}
	err = s.store.SetInitialStatus(c.Request().Context(), p.actor(), p.accountID(), id)
	if errs := fieldErrors(err); errs != nil {
		return s.renderStatuses(c, http.StatusUnprocessableEntity, views.StatusesView{Errors: errs})
	}
	if err != nil {
		return err
	}
	msg := "New dropship orders will start in the chosen status."
	if id == 0 {
		msg = "No initial status: this account no longer accepts dropship orders."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/settings/statuses")
}
