package handlers

import "testing"

func TestRedactURIKeepsSecretsOutOfLogs(t *testing.T) {
	for in, want := range map[string]string{
		"/feed/fd_s3cret/products.csv":                       "/feed/[redacted]/products.csv",
		"/feed/fd_s3cret":                                    "/feed/[redacted]",
		"/dropship-orders/upload/errors.csv?token=up_s3cret": "/dropship-orders/upload/errors.csv?token=%5Bredacted%5D",
		"/orders?tab=all&q=%23123":                           "/orders?q=%23123&tab=all",
		"/orders/12":                                         "/orders/12",
		"/api/v1/webhooks/channels/wh_s3cret":                "/api/v1/webhooks/channels/[redacted]",
		"/api/v1/webhooks/tracking/tr_s3cret":                "/api/v1/webhooks/tracking/[redacted]",
		"/po-link/42/pl-s3cret":                              "/po-link/42/[redacted]",
		"/po-link/42/pl-s3cret/shipments":                    "/po-link/42/[redacted]/shipments",
		"/po-link/pl-s3cret":                                 "/po-link/[redacted]/[redacted]",
		"/track/tk_s3cret":                                   "/track/[redacted]",
	} {
		if got := redactURI(in); got != want {
			t.Errorf("redactURI(%q) = %q, want %q", in, got, want)
		}
	}
}
