package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An htmx request answered with an error page (here a 403 for a stale CSRF
// token; a full disk's 507 takes the same path) shows the error's message
// at the top of the page instead of leaving the page silently unchanged.
func TestBrowserHTMXErrorIsShown(t *testing.T) {
	a, newTab := browserApp(t)
	ctx, cancel := newTab()
	defer cancel()
	err := chromedp.Do(ctx, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/settings/carriers"),
		chromedp.WaitVisible(`form[action="/settings/carriers/check"]`),
		// The session's token changed (e.g. signed in again in another tab).
		chromedp.Evaluate[chromedp.Void](`(() => {
			document.body.setAttribute('hx-headers', JSON.stringify({"X-CSRF-Token": "stale"}));
			document.querySelectorAll('input[name=_csrf]').forEach(i => i.value = 'stale');
		})()`),
		chromedp.SendKeys(`form[action="/settings/carriers/check"] input[name=tracking_number]`, "1Z999AA10123456784"),
		chromedp.Click(`form[action="/settings/carriers/check"] button[type=submit]`),
		chromedp.WaitVisible(`[data-request-error]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(`[data-request-error]`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "htmx-error")
	if !strings.HasPrefix(text, "Forbidden: ") || !strings.Contains(text, "reload the page and try again") {
		t.Fatalf("error banner says %q, want the error page's title and message", text)
	}
}
