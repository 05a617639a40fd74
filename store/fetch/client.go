package fetch

import (
	"net/http"
	"time"
)

// GuardedClient returns an HTTP client with the same guards as Open: the address
// check on every dial, the redirect rules and the overall timeout. Webhook
// deliveries to user-supplied URLs use it.
func (f *Fetcher) GuardedClient() *http.Client {
	c := f.config()
	hc := c.httpClient()
	if hc.Timeout == 0 {
		hc.Timeout = 30 * time.Second
	}
	return hc
}
