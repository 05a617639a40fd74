package store_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
)

// The target: applying a 100,000-row feed to a merchant that already
// has those products takes under 3 s on a 2-core machine, with peak memory
// under 150 MB. Run with
//
//	go test ./store -run '^$' -bench Pull100k -benchtime 3x -benchmem
//
// Metrics: s/pull is the wall time of one pull end to end (download, parse,
// stage, apply, finish) and cpu-s/pull the CPU time the process spent in it
// (steadier than wall time on a busy machine); peak-MB is the largest Go HeapInuse+StackInuse
// seen while pulling (sampled every 10 ms); peak-rss-MB is the largest
// resident set seen while pulling, which also covers SQLite's own memory
// (modernc.org/libc allocates outside the Go heap); vmhwm-MB is the process's
// peak resident set (VmHWM) at the end, setup included.

const benchRows = 100_000

// benchFeed is an external feed served by an httptest server, with the
// quantities it currently publishes.
type benchFeed struct {
	qty  []int
	body atomic.Pointer[[]byte]
	srv  *httptest.Server
}

func newBenchFeed(b *testing.B) *benchFeed {
	f := &benchFeed{qty: make([]int, benchRows)}
	for i := range f.qty {
		f.qty[i] = i % 50
	}
	f.render()
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body := *f.body.Load()
		rw.Header().Set("Content-Type", "text/csv")
		rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rw.Write(body)
	}))
	b.Cleanup(f.srv.Close)
	return f
}

// render generates the Dropline CSV for the current quantities.
func (f *benchFeed) render() {
	var buf bytes.Buffer
	buf.Grow(benchRows * 72)
	buf.WriteString("sku,title,gtin,mpn,cost,price,quantity,lead_time_days\n")
	for i, q := range f.qty {
		fmt.Fprintf(&buf, "SKU-%06d,Product %d,%s,MPN-%d,6.50,19.99,%d,3\n", i, i, gtin13(400000000000+int64(i)), i, q)
	}
	body := buf.Bytes()
	f.body.Store(&body)
}

// change bumps the quantity of every tenth row, starting at a row that moves
// with seed, and re-renders the file. It returns how many rows changed.
func (f *benchFeed) change(seed int) int {
	n := 0
	for i := seed % 10; i < len(f.qty); i += 10 {
		f.qty[i]++
		n++
	}
	f.render()
	return n
}

// benchWorld is a merchant with an external subscription to a benchFeed, on
// its own database file.
type benchWorld struct {
	db     *store.DB
	puller *store.Puller
	mer    store.Account
	sup    store.Account
	sub    store.Subscription
	now    time.Time
}

func newBenchWorld(b *testing.B, dir string, feedURL string) *benchWorld {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		b.Fatal(err)
	}
	db.PasswordCost = bcrypt.MinCost
	w := &benchWorld{db: db, now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return w.now }
	m, mu, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Shop", Kind: store.KindMerchant}, "m@example.com", pw)
	if err != nil {
		b.Fatal(err)
	}
	s, _, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Supply", Kind: store.KindSupplier}, "s@example.com", pw)
	if err != nil {
		b.Fatal(err)
	}
	for _, a := range []store.Account{m, s} {
		if _, err := db.UpdateAccountSettings(ctx, store.CLIActor, a.ID, store.AccountSettings{Name: a.Name, TimeZone: a.TimeZone, DropshipEnabled: true}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.CreateLink(ctx, store.CLIActor, s.ID, m.ID); err != nil {
		b.Fatal(err)
	}
	sub, err := db.SaveSubscription(ctx, store.Actor{UserID: mu.ID, Name: mu.Email}, m.ID, 0, store.SubscriptionInput{
		URL: feedURL, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26,
	})
	if err != nil {
		b.Fatal(err)
	}
	w.mer, w.sup, w.sub = m, s, sub
	w.puller = &store.Puller{DB: db, Fetcher: &fetch.Fetcher{AllowPrivate: true}}
	return w
}

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pull runs one pull end to end and fails the benchmark unless it succeeded
// with exactly the expected counts. It returns the pull's wall and CPU time.
func (w *benchWorld) pull(b *testing.B, want string) (wall, cpu time.Duration) {
	ctx := context.Background()
	// Past the claim timeout and the schedule: nothing may block the claim.
	w.now = w.now.Add(2 * time.Hour)
	start, cpu0 := time.Now(), cpuTime()
	run, err := w.puller.PullNow(ctx, w.mer.ID, w.sub.ID)
	if err != nil {
		b.Fatalf("pull now: %v", err)
	}
	w.puller.Wait()
	wall, cpu = time.Since(start), cpuTime()-cpu0
	got, err := w.db.FeedRun(ctx, w.mer.ID, run.ID)
	if err != nil {
		b.Fatalf("feed run %d: %v", run.ID, err)
	}
	if c := counts(got); got.State != store.RunSucceeded || got.Rows != benchRows || c != want {
		b.Fatalf("pull: %s (message %q), want %s", c, got.Message, want)
	}
	return wall, cpu
}

// memPeak samples memory every 10 ms while running.
type memPeak struct {
	heap, rss uint64 // bytes
	stop      chan struct{}
	done      sync.WaitGroup
}

func (m *memPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.heap = max(m.heap, ms.HeapInuse+ms.StackInuse)
	m.rss = max(m.rss, procStatusKB("VmRSS")<<10)
}

func (m *memPeak) start() {
	m.stop = make(chan struct{})
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
}

func (m *memPeak) end() {
	close(m.stop)
	m.done.Wait()
	m.sample()
}

// procStatusKB reads a "kB" field of /proc/self/status (0 where there is none).
func procStatusKB(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// pullTotals adds up the timed pulls.
type pullTotals struct {
	n         int
	wall, cpu time.Duration
}

func (t *pullTotals) add(wall, cpu time.Duration) {
	t.n++
	t.wall += wall
	t.cpu += cpu
}

func reportPull(b *testing.B, t pullTotals, mem *memPeak) {
	const mb = 1 << 20
	b.ReportMetric(t.wall.Seconds()/float64(t.n), "s/pull")
	b.ReportMetric(t.cpu.Seconds()/float64(t.n), "cpu-s/pull")
	b.ReportMetric(float64(mem.heap)/mb, "peak-MB")
	b.ReportMetric(float64(mem.rss)/mb, "peak-rss-MB")
	b.ReportMetric(float64(procStatusKB("VmHWM"))/1024, "vmhwm-MB")
}

// BenchmarkPull100kExisting pulls a 100,000-row external feed into a merchant
// that already has all of its products; each pull changes the quantity of a
// tenth of them.
func BenchmarkPull100kExisting(b *testing.B) {
	feed := newBenchFeed(b)
	w := newBenchWorld(b, b.TempDir(), feed.srv.URL+"/feed.csv")
	defer w.db.Close()
	w.pull(b, fmt.Sprintf("succeeded rows=%d created=%d updated=0 unchanged=0 missing=0 errors=0", benchRows, benchRows))
	runtime.GC()

	var total pullTotals
	var mem memPeak
	for b.Loop() {
		b.StopTimer()
		changed := feed.change(total.n)
		want := fmt.Sprintf("succeeded rows=%d created=0 updated=%d unchanged=%d missing=0 errors=0", benchRows, changed, benchRows-changed)
		mem.start()
		b.StartTimer()
		total.add(w.pull(b, want))
		b.StopTimer()
		mem.end()
		b.StartTimer()
	}
	reportPull(b, total, &mem)
}

// BenchmarkPull100kFirst pulls a 100,000-row external feed into a merchant
// with no products yet: every row creates a product and a source. Each
// iteration starts on a new database.
func BenchmarkPull100kFirst(b *testing.B) {
	feed := newBenchFeed(b)
	want := fmt.Sprintf("succeeded rows=%d created=%d updated=0 unchanged=0 missing=0 errors=0", benchRows, benchRows)
	var total pullTotals
	var mem memPeak
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), strconv.Itoa(total.n))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		w := newBenchWorld(b, dir, feed.srv.URL+"/feed.csv")
		runtime.GC()
		mem.start()
		b.StartTimer()
		total.add(w.pull(b, want))
		b.StopTimer()
		mem.end()
		w.db.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	reportPull(b, total, &mem)
}
