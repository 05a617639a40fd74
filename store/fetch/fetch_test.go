package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
)

// wantKind asserts err is an *Error of the given Kind whose Message reads as
// a sentence for a merchant, and returns it.
func wantKind(t *testing.T, err error, kind string) *Error {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error: got %T %v, want *Error with Kind %q", err, err, kind)
	}
	if got, want := fe.Kind, kind; got != want {
		t.Fatalf("Kind: got %q, want %q (message %q, cause %v)", got, want, fe.Message, fe.Err)
	}
	checkHuman(t, fe.Message)
	if got, want := fe.Error(), fe.Message; got != want {
		t.Errorf("Error(): got %q, want the Message %q", got, want)
	}
	return fe
}

// checkHuman asserts msg is a plain sentence, not a Go error string.
func checkHuman(t *testing.T, msg string) {
	t.Helper()
	if msg == "" {
		t.Fatalf("Message: got empty, want a sentence")
	}
	if r := []rune(msg)[0]; !unicode.IsUpper(r) {
		t.Errorf("Message %q: got first rune %q, want an upper-case letter", msg, r)
	}
	if !strings.HasSuffix(msg, ".") {
		t.Errorf("Message %q: want it to end with a full stop", msg)
	}
	for _, tech := range []string{"dial tcp", "Get \"", "%!", "context deadline", "net/http", "EOF", "<nil>"} {
		if strings.Contains(msg, tech) {
			t.Errorf("Message %q: contains technical text %q", msg, tech)
		}
	}
}

// pattern generates an endless stream of feed-like bytes without holding
// them in memory.
type pattern struct{ i int }

func (p *pattern) Read(b []byte) (int, error) {
	const line = "sku-0001,Widget,9.99\n"
	for k := range b {
		b[k] = line[p.i%len(line)]
		p.i++
	}
	return len(b), nil
}

func patternBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = io.ReadFull(&pattern{}, b)
	return b
}

type testServer struct {
	*httptest.Server
	conns   atomic.Int32        // connections accepted
	written chan int64          // bytes the /big handler managed to send
	ua      atomic.Value        // last User-Agent seen
	hits    atomic.Int32        // requests served
	host    func(string) string // srv.URL with the path appended
}

// newServer starts a feed server on 127.0.0.1 with the routes the tests use.
func newServer(t *testing.T) *testServer {
	t.Helper()
	ts := &testServer{written: make(chan int64, 4)}
	mux := http.NewServeMux()
	feed := patternBytes(100_000)

	mux.HandleFunc("/feed.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", strconv.Itoa(len(feed)))
		_, _ = w.Write(feed)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		for i := 0; i < len(feed); i += 10_000 {
			_, _ = w.Write(feed[i : i+10_000])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
		// A large error page: the fetcher must not read it all.
		_, _ = io.Copy(w, io.LimitReader(&pattern{}, 1<<20))
	})
	mux.HandleFunc("/redirect/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n <= 0 {
			http.Redirect(w, r, "/feed.csv", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/redirect/"+strconv.Itoa(n-1), http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusFound)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", r.URL.Query().Get("url"))
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
		if r.URL.Query().Get("cl") == "1" {
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		}
		n, _ := io.Copy(w, io.LimitReader(&pattern{}, size))
		select {
		case ts.written <- n:
		default:
		}
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = io.Copy(zw, io.LimitReader(&pattern{}, size))
		_ = zw.Close()
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		// Slow-loris: a few bytes, then nothing until the client gives up.
		_, _ = w.Write([]byte("sku,name,price\n"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		// Never idle, never finished: one byte every 20 ms.
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for deadline := time.After(5 * time.Second); ; {
			select {
			case <-r.Context().Done():
				return
			case <-deadline:
				return
			case <-tick.C:
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
	mux.HandleFunc("/slowheaders", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})

	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.hits.Add(1)
		ts.ua.Store(r.Header.Get("User-Agent"))
		mux.ServeHTTP(w, r)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	ts.host = func(path string) string { return ts.URL + path }
	return ts
}

// port is the test server's port, for building other loopback URLs.
func (ts *testServer) port() string {
	u, _ := url.Parse(ts.URL)
	return u.Port()
}

// testFetcher may reach the httptest server; timeouts are short but
// generous enough not to flake.
func testFetcher() *Fetcher {
	return &Fetcher{AllowPrivate: true, Timeout: 3 * time.Second, IdleTimeout: time.Second}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestOpenSuccess(t *testing.T) {
	ts := newServer(t)
	want := patternBytes(100_000)
	tests := []struct {
		name       string
		path       string
		wantFinal  string
		wantLength int64
	}{
		{"with Content-Length", "/feed.csv", "/feed.csv", int64(len(want))},
		{"chunked without Content-Length", "/chunked", "/chunked", -1},
		{"one redirect to another path", "/redirect/0", "/feed.csv", int64(len(want))},
		{"exactly MaxRedirects redirects", "/redirect/4", "/feed.csv", int64(len(want))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, info, err := testFetcher().Open(testContext(t), ts.host(tt.path))
			if err != nil {
				t.Fatalf("Open: got error %v, want nil", err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatalf("ReadAll: got error %v, want nil", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("body: got %d bytes, want the %d-byte feed", len(got), len(want))
			}
			if got, want := info.FinalURL, ts.host(tt.wantFinal); got != want {
				t.Errorf("FinalURL: got %q, want %q", got, want)
			}
			if got, want := info.ContentLength, tt.wantLength; got != want {
				t.Errorf("ContentLength: got %d, want %d", got, want)
			}
			if got, want := info.Status, http.StatusOK; got != want {
				t.Errorf("Status: got %d, want %d", got, want)
			}
			if got, want := info.ContentType, "text/csv"; got != want {
				t.Errorf("ContentType: got %q, want %q", got, want)
			}
			if err := rc.Close(); err != nil {
				t.Errorf("Close: got %v, want nil", err)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	ts := newServer(t)
	tests := []struct{ set, want string }{
		{"", DefaultUserAgent},
		{"Custom/2", "Custom/2"},
	}
	for _, tt := range tests {
		f := testFetcher()
		f.UserAgent = tt.set
		rc, _, err := f.Open(testContext(t), ts.host("/feed.csv"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		rc.Close()
		if got, want := ts.ua.Load(), tt.want; got != want {
			t.Errorf("User-Agent with %q set: got %q, want %q", tt.set, got, want)
		}
	}
}

func TestOpenHTTPStatus(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		code    int
		wantMsg string
	}{
		{500, "The feed URL answered 500 Internal Server Error."},
		{404, "The feed URL answered 404 Not Found."},
		{403, "The feed URL answered 403 Forbidden."},
		{503, "The feed URL answered 503 Service Unavailable."},
		{418, "The feed URL answered 418 I'm a teapot."},
		{599, "The feed URL answered 599."}, // no standard text
		{304, "The feed URL answered 304 Not Modified."},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			start := time.Now()
			rc, info, err := testFetcher().Open(testContext(t), ts.host("/status/"+strconv.Itoa(tt.code)))
			if rc != nil {
				rc.Close()
				t.Fatalf("Open: got a body, want nil")
			}
			fe := wantKind(t, err, KindHTTPStatus)
			if got, want := fe.Message, tt.wantMsg; !strings.HasPrefix(got, want) {
				t.Errorf("Message: got %q, want it to start with %q", got, want)
			}
			if got, want := info.Status, tt.code; got != want {
				t.Errorf("Info.Status: got %d, want %d", got, want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Open took %v, want it to give up on the error page quickly", d)
			}
		})
	}
}

func TestOpenRedirectsRefused(t *testing.T) {
	ts := newServer(t)
	to := func(target string) string { return ts.host("/to?url=" + url.QueryEscape(target)) }
	tests := []struct {
		name         string
		url          string
		maxRedirects int
		wantMsg      string // substring
	}{
		{"loop to itself", ts.host("/loop"), 0, "redirects in a loop"},
		{"two-step loop", ts.host("/loop/a"), 0, "redirects in a loop"},
		{"too many", ts.host("/redirect/5"), 0, "Too many redirects (more than 5)."},
		{"lower limit", ts.host("/redirect/2"), 2, "Too many redirects (more than 2)."},
		{"no redirects allowed", ts.host("/redirect/0"), -1, "Too many redirects (more than 0)."},
		{"to ftp", to("ftp://127.0.0.1/feed.csv"), 0, `starts with "ftp:"`},
		{"to file", to("file:///etc/passwd"), 0, `starts with "file:"`},
		{"to javascript", to("javascript:alert(1)"), 0, `starts with "javascript:"`},
		{"to credentials", to("http://user:pass@127.0.0.1:" + ts.port() + "/feed.csv"), 0, "user name or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFetcher()
			f.MaxRedirects = tt.maxRedirects
			rc, _, err := f.Open(testContext(t), tt.url)
			if rc != nil {
				rc.Close()
				t.Fatalf("Open: got a body, want nil")
			}
			fe := wantKind(t, err, KindRedirects)
			if got, want := fe.Message, tt.wantMsg; !strings.Contains(got, want) {
				t.Errorf("Message: got %q, want it to contain %q", got, want)
			}
		})
	}
}

// readAll reads like the feed parser does and reports bytes and error.
func readAll(rc io.Reader) (int64, error) {
	return io.Copy(io.Discard, rc)
}

func TestTooLarge(t *testing.T) {
	ts := newServer(t)
	const limit = 1 << 20
	const huge = 60 << 20
	tests := []struct {
		name     string
		path     string
		wantOpen bool  // Open itself fails (Content-Length known)
		wantRead int64 // bytes delivered before the error, or the full size on success
		wantErr  bool
	}{
		{"60 MB with Content-Length", fmt.Sprintf("/big?cl=1&size=%d", huge), true, 0, true},
		{"60 MB without Content-Length", fmt.Sprintf("/big?size=%d", huge), false, limit, true},
		{"exactly the limit without Content-Length", fmt.Sprintf("/big?size=%d", limit), false, limit, false},
		{"exactly the limit with Content-Length", fmt.Sprintf("/big?cl=1&size=%d", limit), false, limit, false},
		{"one byte over without Content-Length", fmt.Sprintf("/big?size=%d", limit+1), false, limit, true},
		{"one byte over with Content-Length", fmt.Sprintf("/big?cl=1&size=%d", limit+1), true, 0, true},
		{"gzip bomb counts decoded bytes", fmt.Sprintf("/gzip?size=%d", 8*limit), false, limit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFetcher()
			f.MaxBytes = limit
			rc, info, err := f.Open(testContext(t), ts.host(tt.path))
			if tt.wantOpen {
				if rc != nil {
					rc.Close()
					t.Fatalf("Open: got a body, want nil")
				}
				fe := wantKind(t, err, KindTooLarge)
				if got, want := fe.Message, "The feed is larger than 1 MB."; got != want {
					t.Errorf("Message: got %q, want %q", got, want)
				}
				if info.ContentLength <= limit {
					t.Errorf("Info.ContentLength: got %d, want the announced size", info.ContentLength)
				}
			} else {
				if err != nil {
					t.Fatalf("Open: got error %v, want nil", err)
				}
				n, err := readAll(rc)
				rc.Close()
				if got, want := n, tt.wantRead; got != want {
					t.Errorf("bytes read: got %d, want %d", got, want)
				}
				if !tt.wantErr {
					if err != nil {
						t.Fatalf("read: got error %v, want nil", err)
					}
					return
				}
				fe := wantKind(t, err, KindTooLarge)
				if got, want := fe.Message, "The feed is larger than 1 MB."; got != want {
					t.Errorf("Message: got %q, want %q", got, want)
				}
			}
			if strings.HasPrefix(tt.path, "/big") && strings.Contains(tt.name, "60 MB") {
				// The server must not have been able to push the whole body.
				select {
				case n := <-ts.written:
					if n >= huge {
						t.Errorf("server sent %d bytes, want the download stopped early", n)
					}
				case <-time.After(3 * time.Second):
					t.Errorf("server handler still sending after the fetcher gave up")
				}
			} else {
				select {
				case <-ts.written:
				default:
				}
			}
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := newServer(t)
	f := testFetcher()
	f.IdleTimeout = 200 * time.Millisecond
	rc, _, err := f.Open(testContext(t), ts.host("/stall"))
	if err != nil {
		t.Fatalf("Open: got error %v, want nil", err)
	}
	defer rc.Close()
	start := time.Now()
	got, err := io.ReadAll(rc)
	elapsed := time.Since(start)
	if got, want := string(got), "sku,name,price\n"; got != want {
		t.Errorf("bytes before the stall: got %q, want %q", got, want)
	}
	fe := wantKind(t, err, KindTimeout)
	if got, want := fe.Message, "The feed server stopped sending data for 200 ms."; got != want {
		t.Errorf("Message: got %q, want %q", got, want)
	}
	if elapsed > 2*time.Second {
		t.Errorf("idle timeout fired after %v, want about 200 ms", elapsed)
	}
	// The error is sticky.
	if _, err := rc.Read(make([]byte, 10)); !errors.Is(err, fe) {
		t.Errorf("second Read: got %v, want the same *Error", err)
	}
}

func TestOverallTimeout(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name     string
		path     string
		wantOpen bool // the timeout hits before Open returns
	}{
		{"no response headers", "/slowheaders", true},
		{"body trickles forever", "/trickle", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFetcher()
			f.Timeout = 400 * time.Millisecond
			f.IdleTimeout = 300 * time.Millisecond // the trickle never goes idle this long
			start := time.Now()
			rc, _, err := f.Open(testContext(t), ts.host(tt.path))
			if !tt.wantOpen {
				if err != nil {
					t.Fatalf("Open: got error %v, want nil", err)
				}
				var n int64
				n, err = readAll(rc)
				rc.Close()
				if n == 0 {
					t.Errorf("bytes read: got 0, want the trickle")
				}
			} else if rc != nil {
				rc.Close()
				t.Fatalf("Open: got a body, want nil")
			}
			fe := wantKind(t, err, KindTimeout)
			if got, want := fe.Message, "The feed took longer than 400 ms to download."; got != want {
				t.Errorf("Message: got %q, want %q", got, want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("timeout fired after %v, want about 400 ms", d)
			}
		})
	}
}

func TestCallerContext(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name     string
		ctx      func() (context.Context, context.CancelFunc)
		wantKind string
	}{
		{"caller cancels", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(150*time.Millisecond, cancel)
			return ctx, cancel
		}, KindCanceled},
		{"caller deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 150*time.Millisecond)
		}, KindTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			rc, _, err := testFetcher().Open(ctx, ts.host("/stall"))
			if err != nil {
				t.Fatalf("Open: got error %v, want nil", err)
			}
			defer rc.Close()
			_, err = readAll(rc)
			wantKind(t, err, tt.wantKind)
		})
	}
}

func TestCloseAbortsRead(t *testing.T) {
	ts := newServer(t)
	rc, _, err := testFetcher().Open(testContext(t), ts.host("/stall"))
	if err != nil {
		t.Fatalf("Open: got error %v, want nil", err)
	}
	time.AfterFunc(100*time.Millisecond, func() { rc.Close() })
	start := time.Now()
	_, err = readAll(rc)
	if !errors.Is(err, errBodyClosed) {
		t.Errorf("Read during Close: got %v, want errBodyClosed", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("Close unblocked Read after %v, want promptly (before the 1 s idle timeout)", d)
	}
	if _, err := rc.Read(make([]byte, 1)); !errors.Is(err, errBodyClosed) {
		t.Errorf("Read after Close: got %v, want errBodyClosed", err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

// hostsHasLocalhost reports whether "localhost" resolves from /etc/hosts, so
// the test can use the name without a DNS query leaving the machine.
func hostsHasLocalhost() bool {
	b, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "127.0.0.1" && strings.Contains(" "+strings.Join(f[1:], " ")+" ", " localhost ") {
			return true
		}
	}
	return false
}

// TestForbiddenAddresses runs the real guard. Every target is loopback or is
// refused by the Control hook before connect(2), so no packet leaves the
// machine.
func TestForbiddenAddresses(t *testing.T) {
	ts := newServer(t)
	port := ts.port()
	tests := []struct {
		name      string
		url       string
		needHosts bool
	}{
		{"httptest server on 127.0.0.1", ts.host("/feed.csv"), false},
		{"name resolving to 127.0.0.1", "http://localhost:" + port + "/feed.csv", true},
		{"IPv6 loopback", "http://[::1]:" + port + "/feed.csv", false},
		{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]:" + port + "/feed.csv", false},
		{"unspecified", "http://0.0.0.0:" + port + "/feed.csv", false},
		{"private 10.0.0.1", "http://10.0.0.1/feed.csv", false},
		{"private 192.168.1.1 https", "https://192.168.1.1/feed.csv", false},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", false},
		{"CGNAT", "http://100.64.0.1/feed.csv", false},
		{"unique local IPv6", "http://[fd00::1]/feed.csv", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needHosts && !hostsHasLocalhost() {
				t.Skip("localhost is not in /etc/hosts; skipping to avoid a DNS query")
			}
			before := ts.conns.Load()
			f := testFetcher()
			f.AllowPrivate = false
			start := time.Now()
			rc, _, err := f.Open(testContext(t), tt.url)
			if rc != nil {
				rc.Close()
				t.Fatalf("Open: got a body, want the address refused")
			}
			fe := wantKind(t, err, KindForbiddenAddress)
			if !errors.Is(fe, errForbiddenAddress) {
				t.Errorf("errors.Is(err, errForbiddenAddress): got false, want true (cause %v)", fe.Err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("refusal took %v, want it immediate (no connection attempt)", d)
			}
			if got, want := ts.conns.Load()-before, int32(0); got != want {
				t.Errorf("connections accepted by the test server: got %d, want %d", got, want)
			}
		})
	}
}

// TestRedirectToForbidden lets the guard pass 127.0.0.1 only, so the test
// server is reachable and its redirects to other private addresses must be
// refused when they are dialled.
func TestRedirectToForbidden(t *testing.T) {
	ts := newServer(t)
	loop4 := netip.MustParseAddr("127.0.0.1")
	newF := func() *Fetcher {
		f := testFetcher()
		f.AllowPrivate = false
		f.allowAddr = func(a netip.Addr) bool { return a == loop4 }
		return f
	}

	// The exemption works: the server itself is reachable.
	rc, _, err := newF().Open(testContext(t), ts.host("/redirect/0"))
	if err != nil {
		t.Fatalf("Open via the exempted address: got %v, want nil", err)
	}
	rc.Close()

	to := func(target string) string { return ts.host("/to?url=" + url.QueryEscape(target)) }
	tests := []struct{ name, url string }{
		{"to IPv6 loopback", to("http://[::1]:" + ts.port() + "/feed.csv")},
		{"to private 10.0.0.1", to("http://10.0.0.1/feed.csv")},
		{"to metadata", to("http://169.254.169.254/latest/meta-data/")},
		{"to mapped private", to("http://[::ffff:192.168.0.1]/")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, _, err := newF().Open(testContext(t), tt.url)
			if rc != nil {
				rc.Close()
				t.Fatalf("Open: got a body, want the redirect target refused")
			}
			wantKind(t, err, KindForbiddenAddress)
		})
	}
}

func TestOpenInvalidURL(t *testing.T) {
	for _, in := range []string{"", "ftp://example.com/feed.csv", "not a url", "https://user:pass@example.com/"} {
		rc, _, err := (&Fetcher{}).Open(context.Background(), in)
		if rc != nil {
			rc.Close()
			t.Fatalf("Open(%q): got a body, want nil", in)
		}
		wantKind(t, err, KindInvalidURL)
	}
}

func TestClientOverride(t *testing.T) {
	ts := newServer(t)
	var called atomic.Int32
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		called.Add(1)
		return nil
	}}
	f := testFetcher()
	f.Client = client
	rc, info, err := f.Open(testContext(t), ts.host("/redirect/1"))
	if err != nil {
		t.Fatalf("Open: got %v, want nil", err)
	}
	rc.Close()
	if got, want := info.FinalURL, ts.host("/feed.csv"); got != want {
		t.Errorf("FinalURL: got %q, want %q", got, want)
	}
	if got, want := called.Load(), int32(2); got != want {
		t.Errorf("client's CheckRedirect calls: got %d, want %d", got, want)
	}
	// The redirect rules still apply in front of the client's own.
	_, _, err = f.Open(testContext(t), ts.host("/loop"))
	wantKind(t, err, KindRedirects)
	if client.Transport != nil {
		t.Errorf("override client was modified: Transport got %v, want nil", client.Transport)
	}
}

func TestDefaults(t *testing.T) {
	c := (&Fetcher{}).config()
	if got, want := c.maxBytes, int64(50<<20); got != want {
		t.Errorf("maxBytes: got %d, want %d", got, want)
	}
	if got, want := c.timeout, 2*time.Minute; got != want {
		t.Errorf("timeout: got %v, want %v", got, want)
	}
	if got, want := c.idle, 30*time.Second; got != want {
		t.Errorf("idle: got %v, want %v", got, want)
	}
	if got, want := c.maxRedirects, 5; got != want {
		t.Errorf("maxRedirects: got %d, want %d", got, want)
	}
	if got, want := c.userAgent, "Dropline-feed-fetcher/1"; got != want {
		t.Errorf("userAgent: got %q, want %q", got, want)
	}
	if got, want := c.allowPrivate, false; got != want {
		t.Errorf("allowPrivate: got %v, want %v", got, want)
	}
	tr := c.transport()
	if tr.Proxy != nil {
		t.Errorf("transport Proxy: got a proxy func, want nil (the guard must see the real server)")
	}
	// Default messages read as the brief's examples.
	if got, want := tooLarge(c.maxBytes, nil).Message, "The feed is larger than 50 MB."; got != want {
		t.Errorf("too large message: got %q, want %q", got, want)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errIdleTimeout)
	if got, want := c.classify(ctx, context.Canceled).Message, "The feed server stopped sending data for 30 s."; got != want {
		t.Errorf("idle message: got %q, want %q", got, want)
	}
}

func TestFormat(t *testing.T) {
	bytesTests := []struct {
		in   int64
		want string
	}{
		{50 << 20, "50 MB"},
		{1 << 20, "1 MB"},
		{3 << 19, "1.5 MB"},
		{512 << 10, "512 KB"},
		{2 << 30, "2 GB"},
		{100, "100 bytes"},
		{1, "1 byte"},
	}
	for _, tt := range bytesTests {
		if got := formatBytes(tt.in); got != tt.want {
			t.Errorf("formatBytes(%d): got %q, want %q", tt.in, got, tt.want)
		}
	}
	durTests := []struct {
		in   time.Duration
		want string
	}{
		{2 * time.Minute, "2 minutes"},
		{time.Minute, "1 minute"},
		{30 * time.Second, "30 s"},
		{90 * time.Second, "90 s"},
		{1500 * time.Millisecond, "1.5 s"},
		{200 * time.Millisecond, "200 ms"},
	}
	for _, tt := range durTests {
		if got := formatDuration(tt.in); got != tt.want {
			t.Errorf("formatDuration(%v): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorType(t *testing.T) {
	cause := errors.New("boom")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"message", &Error{Kind: KindNetwork, Message: "The feed could not be downloaded.", Err: cause}, "The feed could not be downloaded."},
		{"no message", &Error{Kind: KindNetwork, Err: cause}, "feed download failed: boom"},
		{"kind only", &Error{Kind: KindTimeout}, "feed download failed (timeout)"},
		{"nil", nil, "<nil>"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: Error(): got %q, want %q", tt.name, got, tt.want)
		}
	}
	var err error = &Error{Kind: KindNetwork, Message: "x", Err: cause}
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is through Unwrap: got false, want true")
	}
	if got := (*Error)(nil).Unwrap(); got != nil {
		t.Errorf("nil Unwrap: got %v, want nil", got)
	}
}

func TestClassifyNetwork(t *testing.T) {
	c := (&Fetcher{}).config()
	ctx := context.Background()
	tests := []struct {
		name     string
		err      error
		wantKind string
	}{
		{"not found", &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, KindNetwork},
		{"dns temporary", &net.DNSError{Err: "server misbehaving", Name: "x.example", IsTemporary: true}, KindNetwork},
		{"unexpected EOF", io.ErrUnexpectedEOF, KindNetwork},
		{"other", errors.New("something odd"), KindNetwork},
		{"forbidden", fmt.Errorf("dial: %w", errForbiddenAddress), KindForbiddenAddress},
		{"already an Error", &url.Error{Op: "Get", URL: "x", Err: &Error{Kind: KindRedirects, Message: "Too many redirects (more than 5)."}}, KindRedirects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantKind(t, c.classify(ctx, tt.err), tt.wantKind)
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	// A loopback port nobody listens on: take one and close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, _, err = testFetcher().Open(testContext(t), "http://"+addr+"/feed.csv")
	fe := wantKind(t, err, KindNetwork)
	if got, want := fe.Message, "The feed server refused the connection."; got != want {
		t.Errorf("Message: got %q, want %q", got, want)
	}
}
