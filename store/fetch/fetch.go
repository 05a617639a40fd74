// Package fetch downloads product feed files from URLs that merchants typed.
//
// A feed URL is user input that the server fetches on the user's behalf, so
// every download is guarded: only http and https, no credentials in the URL,
// no connections to private, local or reserved networks (checked on the IP
// actually dialled, after DNS and after every redirect), a size limit that
// holds while streaming, an overall timeout and an idle timeout against
// servers that trickle or stall. Every failure comes back as *Error with a
// Message written for the merchant.
package fetch

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults used when the corresponding Fetcher field is zero.
const (
	DefaultMaxBytes     int64 = 50 << 20
	DefaultTimeout            = 2 * time.Minute
	DefaultIdleTimeout        = 30 * time.Second
	DefaultMaxRedirects       = 5
	DefaultUserAgent          = "Dropline-feed-fetcher/1"
)

// discardLimit is how much of an error response's body is read (and thrown
// away) before the connection is closed.
const discardLimit = 4 << 10

// Fetcher downloads feed files from URLs users typed, safely. The zero value
// is ready to use with the defaults; a Fetcher may be shared by goroutines as
// long as its fields are not changed while downloads run.
type Fetcher struct {
	// AllowPrivate turns off the address guard. When false (production),
	// connections to loopback, private (RFC 1918, RFC 4193), link-local,
	// CGNAT, unspecified, multicast, broadcast, reserved and documentation
	// addresses, and IPv4-mapped/NAT64/6to4 forms of those, are refused on
	// the IP actually dialled. Tests set it to reach httptest servers.
	AllowPrivate bool
	// MaxBytes is the largest body accepted, after transparent gzip decoding;
	// 0 means DefaultMaxBytes (50 MB).
	MaxBytes int64
	// Timeout bounds the whole download, from dialling to the last byte read;
	// 0 means DefaultTimeout (2 minutes).
	Timeout time.Duration
	// IdleTimeout fails the download when the body delivers no bytes for this
	// long; 0 means DefaultIdleTimeout (30 s). Waiting for the response
	// headers is bounded by Timeout only, so slow feed generators still work.
	IdleTimeout time.Duration
	// MaxRedirects is how many redirects are followed; 0 means
	// DefaultMaxRedirects (5), a negative value follows none.
	MaxRedirects int
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string
	// Client overrides the HTTP client, for tests. Its transport is used as
	// is, so the address guard (AllowPrivate) does NOT apply; the redirect
	// rules are still enforced before its own CheckRedirect. When nil, a
	// client is built per download whose transport dials through the guard,
	// ignores proxy environment variables and does not keep connections.
	Client *http.Client

	// allowAddr exempts dialled addresses from the guard (tests only), so a
	// test server on 127.0.0.1 can redirect to another loopback address.
	allowAddr func(netip.Addr) bool
}

// Info describes the response a download came from.
type Info struct {
	FinalURL      string // URL after redirects
	ContentType   string // Content-Type header as sent
	ContentLength int64  // -1 when unknown (chunked or transparently gunzipped)
	Status        int    // HTTP status code
}

// config is a Fetcher's settings with defaults applied, taken once per Open
// so a download never sees a half-changed Fetcher.
type config struct {
	allowPrivate bool
	maxBytes     int64
	timeout      time.Duration
	idle         time.Duration
	maxRedirects int
	userAgent    string
	client       *http.Client
	allowAddr    func(netip.Addr) bool
}

func (f *Fetcher) config() *config {
	c := &config{
		allowPrivate: f.AllowPrivate,
		maxBytes:     f.MaxBytes,
		timeout:      f.Timeout,
		idle:         f.IdleTimeout,
		maxRedirects: f.MaxRedirects,
		userAgent:    f.UserAgent,
		client:       f.Client,
		allowAddr:    f.allowAddr,
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.idle <= 0 {
		c.idle = DefaultIdleTimeout
	}
	switch {
	case c.maxRedirects == 0:
		c.maxRedirects = DefaultMaxRedirects
	case c.maxRedirects < 0:
		c.maxRedirects = 0
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	return c
}

// Open starts a download and returns the body as a stream the caller reads
// to the end (the feed parser streams it) and must Close. Reading enforces
// MaxBytes, the idle timeout and the overall timeout, failing with *Error.
//
// Every failure the merchant should see is an *Error. On an http_status or
// too_large error found before the body is read, Info still describes the
// response; otherwise it is zero.
func (f *Fetcher) Open(ctx context.Context, rawURL string) (io.ReadCloser, Info, error) {
	c := f.config()
	u, uerr := parseURL(rawURL)
	if uerr != nil {
		return nil, Info{}, uerr
	}

	ctx, cancelTimeout := context.WithTimeoutCause(ctx, c.timeout, errOverallTimeout)
	ctx, cancelCause := context.WithCancelCause(ctx)
	stop := func(cause error) {
		cancelCause(cause)
		cancelTimeout()
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		stop(errBodyClosed)
		return nil, Info{}, invalidURL("The feed URL is not a valid web address.", err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "*/*")

	resp, err := c.httpClient().Do(req)
	if err != nil {
		e := c.classify(ctx, err) // before stop, which would change the cause
		stop(errBodyClosed)
		return nil, Info{}, e
	}

	info := Info{
		FinalURL:      resp.Request.URL.String(),
		ContentType:   resp.Header.Get("Content-Type"),
		ContentLength: resp.ContentLength,
		Status:        resp.StatusCode,
	}
	b := &body{
		rc:   resp.Body,
		ctx:  ctx,
		stop: stop,
		cfg:  c,
		max:  c.maxBytes,
	}
	b.idle = time.AfterFunc(c.idle, func() { cancelCause(errIdleTimeout) })

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.CopyN(io.Discard, b, discardLimit)
		b.Close()
		return nil, info, statusError(resp.StatusCode, resp.Status)
	}
	if resp.ContentLength > c.maxBytes {
		b.Close()
		return nil, info, tooLarge(c.maxBytes, fmt.Errorf("Content-Length is %d bytes, limit %d", resp.ContentLength, c.maxBytes))
	}
	return b, info, nil
}

// httpClient returns the client for one download: the override or a fresh
// guarded one, with the redirect rules in front of any CheckRedirect.
func (c *config) httpClient() *http.Client {
	var hc http.Client
	if c.client != nil {
		hc = *c.client
	} else {
		hc.Transport = c.transport()
	}
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := c.checkRedirect(req, via); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &hc
}

// transport dials through the address guard. Proxies are ignored on purpose:
// through a proxy the guard would only see the proxy's address.
func (c *config) transport() *http.Transport {
	d := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
	}
	if !c.allowPrivate {
		d.Control = dialControl(c.allowAddr)
	}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		TLSHandshakeTimeout:    10 * time.Second,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 256 << 10,
	}
}

// checkRedirect refuses redirects to URLs a merchant could not have typed,
// and stops after maxRedirects, naming a loop when it sees one.
func (c *config) checkRedirect(req *http.Request, via []*http.Request) error {
	if e := checkParsedURL(req.URL); e != nil {
		return &Error{
			Kind:    KindRedirects,
			Message: "The feed URL redirected to an address that is not allowed. " + e.Message,
			Err:     fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), e),
		}
	}
	if len(via) > c.maxRedirects {
		msg := fmt.Sprintf("Too many redirects (more than %d).", c.maxRedirects)
		target := req.URL.String()
		if slices.ContainsFunc(via, func(r *http.Request) bool { return r.URL.String() == target }) {
			msg = fmt.Sprintf("Too many redirects (more than %d): the feed URL redirects in a loop.", c.maxRedirects)
		}
		return &Error{Kind: KindRedirects, Message: msg, Err: fmt.Errorf("stopped after %d redirects", len(via))}
	}
	return nil
}

// body is the stream Open returns: it counts bytes against the limit, resets
// the idle timer on every read that delivers data, and turns read failures
// into *Error.
type body struct {
	rc   io.ReadCloser
	ctx  context.Context
	stop func(cause error) // cancels the request context
	cfg  *config
	idle *time.Timer
	max  int64

	n   int64 // bytes delivered so far; only Read touches n and err
	err error // sticky failure

	closed atomic.Bool
	once   sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, errBodyClosed
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Ask for at most one byte past the limit: enough to notice the body is
	// too big without reading any more of it.
	if room := b.max - b.n; int64(len(p)) > room+1 {
		p = p[:room+1]
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		b.idle.Reset(b.cfg.idle)
		b.n += int64(n)
	}
	if b.n > b.max {
		n -= int(b.n - b.max)
		b.n = b.max
		b.err = tooLarge(b.max, fmt.Errorf("body exceeded %d bytes", b.max))
		b.release()
		return n, b.err
	}
	switch {
	case err == nil:
		return n, nil
	case err == io.EOF:
		b.idle.Stop()
		return n, io.EOF
	case b.closed.Load():
		return n, errBodyClosed
	}
	b.err = b.cfg.classify(b.ctx, err)
	b.release()
	return n, b.err
}

// Close stops the download and releases the connection. It is safe to call
// more than once and from another goroutine to abort a blocked Read.
func (b *body) Close() error {
	b.closed.Store(true)
	b.release()
	return nil
}

func (b *body) release() {
	b.once.Do(func() {
		b.idle.Stop()
		b.stop(errBodyClosed)
		_ = b.rc.Close()
	})
}
