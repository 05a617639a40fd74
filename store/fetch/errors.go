package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Kinds of Error, so callers can react to a class of failure (retry later on
// "timeout" or "network", tell the merchant to fix the URL on "invalid_url")
// without comparing message text.
const (
	KindInvalidURL       = "invalid_url"       // the URL is not an http(s) address we accept
	KindForbiddenAddress = "forbidden_address" // the server is on a private, local or reserved network
	KindHTTPStatus       = "http_status"       // the server answered with a non-2xx status
	KindTooLarge         = "too_large"         // the feed is bigger than MaxBytes
	KindTimeout          = "timeout"           // overall or idle timeout, or the caller's deadline
	KindRedirects        = "redirects"         // too many redirects, a loop, or a redirect to a URL we refuse
	KindNetwork          = "network"           // DNS, connection, TLS or transfer failure
	KindCanceled         = "canceled"          // the caller's context was cancelled (not the merchant's fault)
)

// Error is a download failure explained for the merchant who typed the URL.
// Message is a complete sentence that can be shown as is; Err keeps the
// technical cause for logs and for errors.Is / errors.As.
type Error struct {
	Kind    string // one of the Kind constants
	Message string // plain-English sentence for the merchant
	Err     error  // underlying cause, may be nil
}

// Error returns Message, because Message is already written for an end user;
// log Err (via Unwrap) for the technical detail.
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	if e.Message != "" {
		return e.Message
	}
	if e.Err != nil {
		return "feed download failed: " + e.Err.Error()
	}
	return "feed download failed (" + e.Kind + ")"
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Causes used for context cancellation and the address guard. They never
// reach callers on their own: classify turns them into *Error.
var (
	errForbiddenAddress = errors.New("address on a private, local or reserved network")
	errOverallTimeout   = errors.New("overall download timeout")
	errIdleTimeout      = errors.New("idle timeout: no data received")
	errBodyClosed       = errors.New("fetch: read from a closed feed body")
)

const msgForbidden = "Addresses on private or local networks are not allowed. Use the public address of the feed, or ask the platform admin to allow private addresses (Platform settings)."

func invalidURL(msg string, err error) *Error {
	return &Error{Kind: KindInvalidURL, Message: msg, Err: err}
}

func tooLarge(limit int64, err error) *Error {
	return &Error{
		Kind:    KindTooLarge,
		Message: "The feed is larger than " + formatBytes(limit) + ".",
		Err:     err,
	}
}

func statusError(code int, status string) *Error {
	text := strconv.Itoa(code)
	if t := http.StatusText(code); t != "" {
		text += " " + t
	}
	msg := "The feed URL answered " + text + "."
	switch {
	case code == 401 || code == 403:
		msg += " Check that the link is public or includes its access key."
	case code == 404 || code == 410:
		msg += " Check that the link is still current."
	case code == 429 || code >= 500:
		msg += " The feed server may be busy or having problems."
	}
	return &Error{Kind: KindHTTPStatus, Message: msg, Err: fmt.Errorf("server answered status %q", status)}
}

// classify turns an error from the HTTP client or from reading the body into
// an *Error. ctx is the request context, whose cause tells the timeouts apart.
func (c *config) classify(ctx context.Context, err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	if errors.Is(err, errForbiddenAddress) {
		return &Error{Kind: KindForbiddenAddress, Message: msgForbidden, Err: err}
	}
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		switch {
		case errors.Is(cause, errIdleTimeout):
			return &Error{Kind: KindTimeout, Message: "The feed server stopped sending data for " + formatDuration(c.idle) + ".", Err: err}
		case errors.Is(cause, errOverallTimeout):
			return &Error{Kind: KindTimeout, Message: "The feed took longer than " + formatDuration(c.timeout) + " to download.", Err: err}
		case errors.Is(cause, context.DeadlineExceeded):
			return &Error{Kind: KindTimeout, Message: "The feed download ran out of time.", Err: err}
		default:
			return &Error{Kind: KindCanceled, Message: "The feed download was cancelled.", Err: errors.Join(cause, err)}
		}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return &Error{Kind: KindNetwork, Message: "The feed server name " + strconv.Quote(dnsErr.Name) + " could not be found. Check the URL for typos.", Err: err}
		}
		return &Error{Kind: KindNetwork, Message: "The feed server name could not be looked up right now.", Err: err}
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return &Error{Kind: KindNetwork, Message: "The feed server refused the connection.", Err: err}
	}
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
	)
	if errors.As(err, &verifyErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return &Error{Kind: KindNetwork, Message: "The feed server's HTTPS certificate is not valid.", Err: err}
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		return &Error{Kind: KindNetwork, Message: "The feed server did not answer HTTPS correctly. Check whether the URL should start with http:// instead.", Err: err}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return &Error{Kind: KindNetwork, Message: "The feed server closed the connection before the download finished.", Err: err}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return &Error{Kind: KindTimeout, Message: "The feed server did not respond in time.", Err: err}
	}
	return &Error{Kind: KindNetwork, Message: "The feed could not be downloaded because of a network problem.", Err: err}
}

// formatBytes writes a byte limit the way a merchant reads it: "50 MB",
// "1.5 MB", "512 KB", "100 bytes" (binary units, as the limit is set).
func formatBytes(n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n >= gb:
		return trimFloat(float64(n)/gb) + " GB"
	case n >= mb:
		return trimFloat(float64(n)/mb) + " MB"
	case n >= kb:
		return trimFloat(float64(n)/kb) + " KB"
	case n == 1:
		return "1 byte"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}

// formatDuration writes a timeout the way a merchant reads it: "2 minutes",
// "30 s", "1.5 s", "200 ms".
func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		if d == time.Minute {
			return "1 minute"
		}
		return strconv.FormatInt(int64(d/time.Minute), 10) + " minutes"
	case d >= time.Second:
		return trimFloat(d.Seconds()) + " s"
	default:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
}

// trimFloat formats with at most one decimal and no trailing ".0".
func trimFloat(f float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0")
}
