package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// auditShow is Settings → Audit log (account admins): the account's log,
// newest first, filtered by kind and paged.
func (s *Server) auditShow(c echo.Context) error {
	p := principalOf(c)
	acc := p.member.Account
	kind := c.QueryParam("kind")
	page, _ := strconv.Atoi(c.QueryParam("page"))
	log, err := s.store.AuditLogPaged(c.Request().Context(), acc.ID, kind, page)
	if err != nil {
		return err
	}
	v := views.AuditView{Supplier: acc.IsSupplier(), Merchant: acc.IsMerchant(), Total: log.Total}
	for _, k := range store.AuditKinds {
		v.Kinds = append(v.Kinds, views.Option{Value: k.Key, Label: k.Label})
		if k.Key == kind {
			v.Kind = kind
		}
	}
	vw := viewerOf(acc)
	for _, e := range log.Entries {
		v.Rows = append(v.Rows, views.AuditRow{At: vw.ZonedTime(e.At), Actor: e.Actor, Action: e.Action,
			Record: auditRecord(e), Detail: e.Detail})
	}
	v.First = (log.Page-1)*store.AuditLogPerPage + 1
	v.Last = v.First + len(v.Rows) - 1
	pageURL := func(n int) string {
		q := url.Values{"page": {strconv.Itoa(n)}}
		if v.Kind != "" {
			q.Set("kind", v.Kind)
		}
		return "/settings/audit?" + q.Encode()
	}
	if log.Page > 1 {
		v.PrevURL = pageURL(log.Page - 1)
	}
	if v.Last < v.Total {
		v.NextURL = pageURL(log.Page + 1)
	}
	return render(c, http.StatusOK, views.AuditPage(s.frame(c, "Audit log"), v))
}

// auditRecordTypes name the audit log's record types on the page.
var auditRecordTypes = map[string]string{"user": "User", "api_token": "API token", "vendor_link": "Link with", "ledger_entry": "Payout",
	"subscription": "Subscription", "feed": "Feed", "product": "Product", "purchase_order": "PO", "order": "Order",
	"supplier_status": "Status", "logistics_provider": "Provider", "webhook_endpoint": "Webhook"}

// auditRecord names the record an entry is about; the account itself goes unnamed.
func auditRecord(e store.AuditEntry) string {
	if e.RecordType == "account" || e.RecordID == 0 {
		return ""
	}
	label, ok := auditRecordTypes[e.RecordType]
	if !ok {
		label = e.RecordType
	}
	if e.Subject != "" {
		return label + " " + e.Subject
	}
	return label + " #" + strconv.FormatInt(e.RecordID, 10)
}
