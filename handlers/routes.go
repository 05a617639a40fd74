package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/dropline/dropline/static"
)

// contentSecurityPolicy allows only the portal's own scripts and styles: no
// inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

// feedExportRoute is a feed's secret URL.
const feedExportRoute = "/feed/:token/:format"

// routes registers every route. It reads as the portal's table of contents.
func (s *Server) routes(e *echo.Echo) {
	// Security headers come first, before routing, so every response carries
	// them, the trailing-slash redirect included.
	e.Pre(middleware.SecureWithConfig(middleware.SecureConfig{
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ContentSecurityPolicy: contentSecurityPolicy,
		ReferrerPolicy:        "same-origin",
	}))
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestID())
	e.Use(s.requestLogger())
	e.Use(middleware.Recover())
	e.Use(s.inTurn)
	e.Use(s.limitBody)

	e.GET("/healthz", s.healthz)
	e.StaticFS("/static", static.FS)
	// A feed's secret URL, for merchants outside Dropline: the token is the credential.
	e.GET(feedExportRoute, s.feedExport)

	// The REST API authenticates with bearer tokens, not cookies, so it
	// needs no CSRF token.
	api := e.Group("/api/v1")
	api.GET("/openapi.json", s.apiOpenAPI)
	api.GET("/account", s.apiAccount, s.requireToken)
	mapi := api.Group("", s.requireToken, requireAPIMerchant)
	mapi.POST("/orders", s.apiOrderCreate)
	mapi.GET("/orders", s.apiOrders)
	mapi.GET("/orders/:orderID", s.apiOrder)
	mapi.POST("/orders/:orderID/dropship", s.apiDropship)
	mapi.POST("/purchase-orders/:poID/cancel", s.apiPurchaseOrderCancel)
	mapi.POST("/purchase-orders/:poID/external-order", s.apiExternalOrder)
	// Purchase orders answer both sides: the merchant that placed one and the supplier it was routed to.
	tapi := api.Group("", s.requireToken)
	tapi.GET("/purchase-orders", s.apiPurchaseOrders)
	tapi.GET("/purchase-orders/:poID", s.apiPurchaseOrder)
	tapi.POST("/purchase-orders/:poID/acknowledge", s.apiAcknowledge)
	tapi.POST("/purchase-orders/:poID/shipments", s.apiShipmentCreate)
	tapi.POST("/shipments/:shipmentID/delivered", s.apiShipmentDelivered)
	// Shopify signs its webhooks with the merchant's secret instead of a token.
	api.POST("/webhooks/shopify/:publicID", s.shopifyWebhook)
	// Connected stores sign theirs with the store's secret; the token says which store.
	api.POST("/webhooks/channels/:token", s.channelWebhook)
	// Tracking providers sign theirs with the account's webhook secret; the token says which account.
	api.POST("/webhooks/tracking/:token", s.trackingWebhook)

	// A PO's signed link, emailed to a supplier outside Dropline: the token
	// is the credential, bound to that PO alone. Its forms are checked
	// against the visitor's session's CSRF token, as the sign-in form's are.
	poLink := e.Group("/po-link", s.poLinkLimiter(), s.loadSession, s.checkCSRF)
	poLink.GET("/:poID/:token", s.poLinkShow)
	poLink.POST("/:poID/:token/acknowledge", s.poLinkAcknowledge)
	poLink.POST("/:poID/:token/reject", s.poLinkReject)
	poLink.POST("/:poID/:token/cancel", s.poLinkCancelAnswer)
	poLink.POST("/:poID/:token/shipments", s.poLinkShipment)

	// A customer's tracking page, linked from each shipping email: the
	// token is the credential, bound to that order alone; read-only.
	track := e.Group("/track", s.poLinkLimiter())
	track.GET("/:token", s.customerTrackingShow)

	// Everything else is the browser portal: cookie session + CSRF.
	web := e.Group("", s.loadSession, s.checkCSRF)
	web.GET("/login", s.loginShow)
	web.POST("/login", s.loginSubmit)
	web.POST("/logout", s.logout)

	in := web.Group("", s.requireUser)
	in.GET("/", s.home)
	in.POST("/switch-account", s.switchAccount)

	acct := in.Group("", s.requireAccount)
	acct.GET("/products", s.productsList)
	acct.GET("/products/new", s.productNew)
	acct.GET("/products/template.csv", s.productTemplate)
	acct.GET("/products/export.csv", s.productsExport)
	acct.GET("/products/import", s.importShow)
	acct.GET("/products/:productID", s.productShow)
	acct.POST("/products", s.productSave)
	acct.POST("/products/:productID", s.productSave)
	acct.POST("/products/:productID/archive", s.productArchive)
	acct.POST("/products/import", s.importUpload)
	acct.POST("/products/import/preview", s.importPreview)
	acct.POST("/products/import/apply", s.importApply)
	acct.GET("/feeds", s.feedsShow)
	acct.GET("/settings", s.settingsShow)
	acct.POST("/settings/password", s.passwordChange)
	acct.GET("/settings/carriers", s.carriersShow)
	acct.GET("/settings/outbox", s.outboxShow)
	acct.POST("/settings/outbox/retry", s.outboxRetry)
	acct.POST("/settings/carriers/check", s.trackingCheck)
	acct.GET("/settings/carriers/guess", s.carrierGuess)
	// Refresh tracking, for the account whose tracking provider follows the shipment.
	acct.POST("/shipments/:shipmentID/tracking/refresh", s.trackingRefresh)
	acct.GET("/links/:linkID", s.linkShow)
	acct.GET("/earnings", s.earningsShow)
	acct.GET("/statements", s.statement)
	acct.GET("/statements/csv", s.statementCSV)

	admin := acct.Group("", s.requireAccountAdmin)
	admin.GET("/settings/audit", s.auditShow)
	admin.POST("/dashboard/checklist/hide", s.checklistHide)
	admin.POST("/settings/account", s.accountSave)
	admin.POST("/settings/users", s.memberAdd)
	admin.POST("/settings/users/:userID/role", s.memberRole)
	admin.POST("/settings/users/:userID/remove", s.memberRemove)
	admin.POST("/settings/tokens", s.tokenCreate)
	admin.POST("/settings/tokens/:tokenID/revoke", s.tokenRevoke)
	admin.POST("/settings/carriers", s.carriersSave)
	admin.POST("/settings/webhooks", s.webhookAdd)
	admin.POST("/settings/webhooks/:endpointID/remove", s.webhookRemove)
	admin.POST("/settings/carriers/providers", s.providerAdd)
	admin.POST("/settings/carriers/providers/:providerID/retire", s.providerRetire)
	admin.POST("/settings/carriers/tracking", s.trackingSettingsSave)
	admin.POST("/settings/carriers/tracking/webhook", s.trackingWebhookRegister)
	admin.POST("/links/:linkID/state", s.linkState)
	admin.POST("/links/:linkID/supplier-settings", s.linkSupplierSettings)
	admin.POST("/links/:linkID/merchant-settings", s.linkMerchantSettings)
	admin.POST("/suppliers/request", s.linkRequest("merchant", "/suppliers"), s.requireMerchant)
	admin.POST("/merchants/invite", s.linkRequest("supplier", "/merchants"), s.requireSupplier)

	merchant := acct.Group("", s.requireMerchant)
	merchant.GET("/orders", s.ordersList)
	merchant.GET("/orders/new", s.orderNew)
	merchant.GET("/orders/new/line", s.orderNewLine)
	merchant.GET("/orders/import", s.orderImportShow)
	merchant.GET("/orders/template.csv", s.orderTemplate)
	merchant.GET("/orders/export.csv", s.ordersExport)
	merchant.GET("/orders/:orderID", s.orderShow)
	merchant.GET("/orders/:orderID/tracking", s.orderTrackingPartial)
	merchant.GET("/orders/:orderID/tracking-page", s.customerTrackingPreview)
	merchant.POST("/orders/:orderID/tracking-links/revoke", s.trackingLinksRevoke)
	merchant.POST("/orders", s.orderCreate)
	// A website supplier's PO, worked by the merchant that keeps the
	// supplier: the same handlers as a supplier's own PO page.
	merchant.GET("/purchase-orders/:poID/website", s.dropshipOrderShow)
	merchant.POST("/purchase-orders/:poID/website/order", s.websitePOOrder)
	merchant.POST("/purchase-orders/:poID/website/status", s.poStatus)
	merchant.POST("/purchase-orders/:poID/website/reject", s.poReject)
	merchant.POST("/purchase-orders/:poID/website/cancel", s.poCancelAnswer)
	merchant.POST("/purchase-orders/:poID/website/shipments", s.shipmentAdd)
	merchant.POST("/purchase-orders/:poID/website/shipments/:shipmentID/delivered", s.shipmentDelivered)
	merchant.POST("/orders/dropship", s.ordersBulkDropship)
	merchant.POST("/orders/:orderID/store-updates/:messageID/retry", s.orderStoreUpdateRetry)
	merchant.POST("/orders/import", s.orderImportUpload)
	merchant.POST("/orders/import/apply", s.orderImportApply)
	merchant.POST("/orders/:orderID/dropship", s.orderDropship)
	merchant.POST("/orders/:orderID/dropship/regroup", s.orderDropshipRegroup)
	merchant.POST("/orders/:orderID/close", s.orderClose)
	merchant.POST("/orders/:orderID/channel-cancel", s.orderChannelCancel)
	merchant.GET("/purchase-orders", s.purchaseOrdersList)
	merchant.GET("/purchase-orders/export.csv", s.purchaseOrdersExport)
	merchant.GET("/purchase-orders/:poID", s.purchaseOrderShow)
	merchant.POST("/purchase-orders/:poID/cancel", s.purchaseOrderCancel)
	merchant.POST("/purchase-orders/:poID/email-links/revoke", s.poLinksRevoke)
	merchant.POST("/purchase-orders/:poID/email-links/resend", s.poLinksResend)
	merchant.GET("/suppliers-outside/:supplierID/email", s.emailSupplierShow)
	merchant.POST("/suppliers-outside/:supplierID/email/catalog", s.emailSupplierCatalog)
	merchant.GET("/settings/orders", s.orderSettingsShow)
	merchant.GET("/settings/channels", s.channelsShow)
	merchant.GET("/suppliers", s.suppliersList)
	merchant.GET("/suppliers-outside", s.managedSuppliersShow)
	// Bulk tracking for a website supplier's POs, entered by the merchant.
	merchant.GET("/suppliers-outside/:supplierID/upload", s.trackingUploadShow)
	merchant.GET("/suppliers-outside/:supplierID/upload/template.csv", s.trackingTemplate)
	merchant.GET("/suppliers-outside/:supplierID/upload/errors.csv", s.trackingErrors)
	merchant.GET("/suppliers-outside/:supplierID/upload/progress", s.trackingProgress)
	merchant.POST("/suppliers-outside/:supplierID/upload", s.trackingUpload)
	merchant.POST("/suppliers-outside/:supplierID/upload/apply", s.trackingApply)
	merchant.GET("/suppliers/:publicID/scorecard", s.scorecard)
	merchant.POST("/products/sources/:sourceID/up", s.sourceMove(-1))
	merchant.POST("/products/sources/:sourceID/down", s.sourceMove(+1))
	merchant.POST("/products/sources/:sourceID/on-hand", s.sourceOnHand)
	merchant.GET("/subscriptions/:subID", s.subscriptionShow)
	merchant.GET("/subscriptions/:subID/runs.csv", s.feedRunsExport)
	merchant.POST("/subscriptions/:subID/pull", s.subscriptionPull)
	merchant.GET("/runs/:runID", s.runShow)
	merchant.GET("/runs/:runID/status", s.runStatus)
	merchantAdmin := merchant.Group("", s.requireAccountAdmin)
	merchantAdmin.POST("/settings/orders", s.orderSettingsSave)
	merchantAdmin.POST("/suppliers-outside/:supplierID/email/upgrade", s.emailSupplierUpgrade)
	merchantAdmin.POST("/settings/channels", s.channelSave)
	merchantAdmin.POST("/settings/channels/:channelID", s.channelSave)
	merchantAdmin.POST("/settings/channels/:channelID/remove", s.channelRemove)
	merchantAdmin.POST("/settings/channels/:channelID/pause", s.channelPause)
	merchantAdmin.POST("/settings/channels/:channelID/test", s.channelTest)
	merchantAdmin.POST("/settings/channels/:channelID/sync", s.channelSync)
	merchantAdmin.POST("/settings/channels/:channelID/stock", s.channelStockPush)
	merchantAdmin.POST("/settings/channels/:channelID/locations", s.channelLocations)
	merchantAdmin.POST("/settings/channels/:channelID/location", s.channelLocationSave)
	merchantAdmin.POST("/settings/channels/:channelID/webhooks", s.channelWebhooksRegister)
	merchantAdmin.POST("/earnings/payouts", s.payoutRecord)
	merchantAdmin.POST("/subscriptions", s.subscriptionCreate)
	merchantAdmin.POST("/subscriptions/:subID/supplier", s.subscriptionSupplier)
	merchantAdmin.POST("/suppliers-outside", s.managedSupplierCreate)
	merchantAdmin.POST("/suppliers-outside/:supplierID", s.managedSupplierSave)
	merchantAdmin.POST("/subscriptions/preview", s.subscriptionPreview)
	merchantAdmin.POST("/subscriptions/:subID", s.subscriptionSave)
	merchantAdmin.GET("/subscriptions/:subID/mapping", s.subscriptionMapping)
	merchantAdmin.POST("/subscriptions/:subID/mapping", s.subscriptionMapping)
	merchantAdmin.POST("/runs/:runID/approve", s.runResolve(true))
	merchantAdmin.POST("/runs/:runID/discard", s.runResolve(false))

	supplier := acct.Group("", s.requireSupplier)
	supplier.GET("/dropship-orders", s.dropshipOrders)
	supplier.GET("/dropship-orders/packing-slips", s.packingSlips)
	supplier.GET("/dropship-orders/export.csv", s.dropshipOrdersExport)
	supplier.GET("/dropship-orders/upload", s.trackingUploadShow)
	supplier.GET("/dropship-orders/upload/template.csv", s.trackingTemplate)
	supplier.GET("/dropship-orders/upload/errors.csv", s.trackingErrors)
	supplier.POST("/dropship-orders/upload", s.trackingUpload)
	supplier.POST("/dropship-orders/upload/apply", s.trackingApply)
	supplier.GET("/dropship-orders/upload/progress", s.trackingProgress)
	supplier.GET("/dropship-orders/:poID", s.dropshipOrderShow)
	supplier.POST("/dropship-orders/:poID/acknowledge", s.poAcknowledge)
	supplier.POST("/dropship-orders/:poID/status", s.poStatus)
	supplier.POST("/dropship-orders/:poID/reject", s.poReject)
	supplier.POST("/dropship-orders/:poID/cancel", s.poCancelAnswer)
	supplier.POST("/dropship-orders/:poID/shipments", s.shipmentAdd)
	supplier.POST("/dropship-orders/shipments/:shipmentID/delivered", s.shipmentDelivered)
	supplier.GET("/merchants", s.merchantsList)
	supplier.GET("/scorecard", s.scorecard)
	supplier.GET("/settings/statuses", s.statusesShow)
	supplier.GET("/feeds/new", s.feedNew)
	supplier.GET("/feeds/:feedID", s.feedShow)
	supplierAdmin := supplier.Group("", s.requireAccountAdmin)
	supplierAdmin.POST("/feeds", s.feedSave)
	supplierAdmin.POST("/feeds/:feedID", s.feedSave)
	supplierAdmin.POST("/feeds/:feedID/token", s.feedToken(false))
	supplierAdmin.POST("/feeds/:feedID/token/revoke", s.feedToken(true))
	supplierAdmin.POST("/settings/statuses", s.statusAdd)
	supplierAdmin.POST("/settings/statuses/initial", s.statusInitial)
	supplierAdmin.POST("/settings/deadlines", s.deadlinesSave)
	for _, action := range []string{"rename", "up", "down", "retire", "restore"} {
		supplierAdmin.POST("/settings/statuses/:statusID/"+action, s.statusChange(action))
	}

	platform := in.Group("/admin", s.requirePlatformAdmin)
	platform.GET("/accounts", s.adminAccounts)
	platform.POST("/accounts", s.adminAccountCreate)
	platform.GET("/accounts/:accountID", s.adminAccount)
	platform.POST("/accounts/:accountID/disable", s.adminAccountDisable(true))
	platform.POST("/accounts/:accountID/enable", s.adminAccountDisable(false))
	platform.GET("/links", s.adminLinks)
	platform.POST("/links", s.adminLinkCreate)
	platform.POST("/links/:linkID/state", s.adminLinkState)
	platform.POST("/settings", s.adminSettingsSave)
}

func (s *Server) healthz(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}
