package handlers_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/dropline/dropline/store/storetest"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests break the database's disk under a running server: a real
// full disk (a small tmpfs filled to the last byte) and a real read-only
// database (immutable files on an ext4 image, which the kernel refuses to
// write even for root). They need root and mount(8); elsewhere they skip,
// except in CI (CI=true), where they fail.

// needRoot skips the test unless it runs as root with the given commands,
// or fails it in CI.
func needRoot(t *testing.T, why string, commands ...string) {
	t.Helper()
	msg := ""
	if os.Geteuid() != 0 {
		msg = why + ": not root"
	}
	for _, c := range commands {
		if _, err := exec.LookPath(c); err != nil && msg == "" {
			msg = why + ": no " + c
		}
	}
	if msg == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// mountOrSkip runs a mount command; a failure skips the test (fails it in CI).
func mountOrSkip(t *testing.T, dir string, args ...string) {
	t.Helper()
	out, err := exec.Command("mount", append(args, dir)...).CombinedOutput()
	if err != nil {
		msg := "mount " + strings.Join(args, " ") + ": " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	needRoot(t, "a full disk needs a tmpfs of its own", "mount", "umount")
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mountOrSkip(t, dir, "-t", "tmpfs", "-o", "size="+size, "tmpfs")
	return dir
}

// mountExt4 mounts a fresh ext4 image on a new directory: unlike tmpfs,
// ext4 refuses writes to an immutable file through descriptors already open.
func mountExt4(t *testing.T) string {
	t.Helper()
	needRoot(t, "a read-only database needs an ext4 image of its own", "mount", "umount", "mkfs.ext4", "chattr")
	img := filepath.Join(t.TempDir(), "disk.img")
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 16<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v %s", err, out)
	}
	mountOrSkip(t, dir, "-o", "loop", img)
	return dir
}

// syncBuffer is a log sink the server's goroutines can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// truncateWAL checkpoints the database and cuts its WAL to nothing, so the
// next write has to grow the WAL file instead of reusing its old frames.
func (e *testEnv) truncateWAL() {
	e.t.Helper()
	raw, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		e.t.Fatal(err)
	}
	defer raw.Close()
	var busy, frames, done int
	if err := raw.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil || busy != 0 {
		e.t.Fatalf("wal_checkpoint(TRUNCATE): busy %d, %v", busy, err)
	}
	if st, err := os.Stat(e.path + "-wal"); err != nil || st.Size() != 0 {
		e.t.Fatalf("the WAL is not empty after a truncating checkpoint: %v", err)
	}
}

// fillDisk writes a file into dir until the disk has not one byte left and
// returns a func that deletes it.
func fillDisk(t *testing.T, dir string) (free func()) {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, n := range []int{1 << 16, 1 << 12, 1} {
		buf := make([]byte, n)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || st.Bavail != 0 {
		t.Fatalf("the disk is not full: %d blocks free, %v", st.Bavail, err)
	}
	return func() {
		t.Helper()
		if err := os.Remove(name); err != nil {
			t.Fatal(err)
		}
	}
}

// setImmutable sets or clears the immutable flag on the database's files
// (chattr): the kernel then refuses every write to them, also through the
// descriptors the server holds open.
func (e *testEnv) setImmutable(on bool) {
	e.t.Helper()
	flag := "-i"
	if on {
		flag = "+i"
	}
	for _, f := range []string{e.path, e.path + "-wal"} {
		if out, err := exec.Command("chattr", flag, f).CombinedOutput(); err != nil {
			e.t.Fatalf("chattr %s %s: %v %s", flag, f, err, out)
		}
	}
}

// faultAction is a user action that writes: tried once while the disk
// fails and again, the same way, once it is mended.
type faultAction struct {
	name   string
	api    bool
	try    func() page
	wantOK int // the status of the retry
	after  func(t *testing.T)
}

// faultActions prepares (while the disk is fine) a manual order form, a
// dropship confirmation, a bulk tracking apply and an API order.
func faultActions(t *testing.T, env *testEnv, w *world) []faultAction {
	t.Helper()
	ctx := t.Context()
	readyToDropship(t, env, w)
	merchant := env.client()
	merchant.login(w.adminA.Email)
	merchant.get("/orders/new")

	// A PO to supplier S, and a previewed tracking file for it.
	po := openPO(t, env, w, "FAULT-PO", 1)
	supplier := env.client()
	supplier.login(w.staffS.Email)
	supplier.get("/dropship-orders/upload")
	file := "po_number,carrier,tracking_number,ship_date,sku,quantity\n" +
		po.PONumber + ",ups,1Z999AA10123456784," + time.Now().UTC().Format("2006-01-02") + ",S-100,1\n"
	p := supplier.upload("/dropship-orders/upload", "tracking.csv", file, nil)
	token := p.doc.Find(`input[name="token"]`).AttrOr("value", "")
	if p.status != http.StatusOK || token == "" {
		t.Fatalf("tracking preview: %d %q", p.status, p.doc.Find(`[data-testid="tracking-summary"]`).Text())
	}

	// A new order to dropship, and its confirmation form as the page shows it.
	p = merchant.post("/orders", manualOrder("FAULT-DS", "S-100", "1"))
	if p.status != http.StatusSeeOther {
		t.Fatalf("create the order to dropship: %d", p.status)
	}
	orderPath := p.header.Get("Location")
	form := merchant.get(orderPath).doc.Find(`[data-testid="dropship-form"] form`)
	if form.Length() != 1 {
		t.Fatalf("no dropship form on %s", orderPath)
	}
	dsAction := form.AttrOr("action", "")
	dsValues := formValues(form)
	dsValues.Set("confirm", "true")

	apiOrder := `{"channel":"api","channel_order_id":"FAULT-API","currency":"USD","customer":{"name":"Lin"},
		"ship_to":{"name":"Lin","address1":"2 Side St","city":"Portland","region":"OR","postal_code":"97201","country":"US"},
		"lines":[{"sku":"S-100","title":"Widget","quantity":1,"unit_price":"19.99"}]}`
	api := env.client()
	return []faultAction{
		{name: "manual order form", wantOK: http.StatusSeeOther,
			try: func() page { return merchant.post("/orders", manualOrder("FAULT-M", "S-100", "1")) }},
		{name: "dropship confirmation", wantOK: http.StatusSeeOther,
			try: func() page { return merchant.post(dsAction, dsValues) },
			after: func(t *testing.T) {
				if got := merchant.get(orderPath).doc.Find(`h1 [data-testid="order-status"]`).Text(); strings.TrimSpace(got) != "Dropshipped" {
					t.Errorf("dropship retry: order status %q", got)
				}
			}},
		{name: "bulk tracking apply", wantOK: http.StatusOK,
			try: func() page { return supplier.post("/dropship-orders/upload/apply", url.Values{"token": {token}}) },
			after: func(t *testing.T) {
				if ships, err := env.db.Shipments(ctx, w.supplierS.ID, po.ID); err != nil || len(ships) != 1 {
					t.Errorf("bulk tracking retry: %d shipments, %v", len(ships), err)
				}
			}},
		{name: "API order", api: true, wantOK: http.StatusCreated,
			try: func() page {
				req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/api/v1/orders", strings.NewReader(apiOrder))
				req.Header.Set("Authorization", "Bearer "+w.tokenA)
				req.Header.Set("Content-Type", "application/json")
				return api.do(req)
			}},
	}
}

// storageFault is what a user should be told while the disk fails.
type storageFault struct {
	status        int
	code, message string
}

// checkStorageError asserts a clear error: the status, the message (on an
// error page with the request ID, or in the API's JSON error), no SQLite
// internals, and the failure logged at error level with the request ID.
func checkStorageError(t *testing.T, a faultAction, p page, want storageFault, logs *syncBuffer) {
	t.Helper()
	if p.status != want.status {
		t.Fatalf("%s: status %d, want %d (so the fault did not happen, or was not mapped)\n%s", a.name, p.status, want.status, p.doc.Find("main").Text())
	}
	reqID := p.header.Get("X-Request-Id")
	if reqID == "" {
		t.Errorf("%s: no request ID", a.name)
	}
	if a.api {
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(p.body), &body); err != nil || body.Error.Code != want.code || body.Error.Message != want.message {
			t.Errorf("%s: API error %s, want code %q and message %q (%v)", a.name, p.body, want.code, want.message, err)
		}
	} else {
		msg := strings.Join(strings.Fields(p.doc.Find(`[data-testid="error"]`).Text()), " ")
		if !strings.Contains(msg, want.message) || !strings.Contains(msg, reqID) {
			t.Errorf("%s: error page says %q, want %q with reference %s", a.name, msg, want.message, reqID)
		}
	}
	lower := strings.ToLower(p.body)
	for _, leak := range []string{"sqlite", "disk is full", "i/o error", "readonly database", "(13)", "(778)"} {
		if strings.Contains(lower, leak) {
			t.Errorf("%s: the response shows %q:\n%.600s", a.name, leak, p.body)
		}
	}
	var logged bool
	for _, line := range strings.Split(logs.String(), "\n") {
		logged = logged || (strings.Contains(line, "level=ERROR") && strings.Contains(line, reqID) && strings.Contains(line, "err="))
	}
	if !logged {
		t.Errorf("%s: the failure is not logged at error level with request ID %s", a.name, reqID)
	}
}

// checkReads loads the order list and an order while writes fail.
func checkReads(t *testing.T, env *testEnv, w *world, c *client) {
	t.Helper()
	if p := c.get("/orders?tab=all"); p.status != http.StatusOK || p.doc.Find(`[data-testid="order-row"]`).Length() == 0 {
		t.Errorf("order list while writes fail: %d, %d rows", p.status, p.doc.Find(`[data-testid="order-row"]`).Length())
	}
	if p := c.get("/orders/" + strconv.FormatInt(w.orderA, 10)); p.status != http.StatusOK || !strings.Contains(p.body, "A-1001") {
		t.Errorf("order page while writes fail: %d", p.status)
	}
}

// runFaults tries each action with the disk broken, checks the error and
// that nothing changed, mends the disk, and retries.
func runFaults(t *testing.T, env *testEnv, w *world, logs *syncBuffer, want storageFault, breakDisk func() (mend func())) {
	t.Helper()
	ctx := t.Context()
	actions := faultActions(t, env, w)
	reader := env.client()
	reader.login(w.adminA.Email)
	for _, a := range actions {
		before := env.dbDigest()
		mend := breakDisk()
		p := a.try()
		checkStorageError(t, a, p, want, logs)
		checkReads(t, env, w, reader)
		if env.dbDigest() != before {
			t.Errorf("%s: the failed request changed the database", a.name)
		}
		if err := env.db.CheckInvariants(ctx); err != nil {
			t.Errorf("%s: %v", a.name, err)
		}
		mend()
		// The same action again succeeds: nothing is stuck, the writer recovered.
		if p := a.try(); p.status != a.wantOK {
			t.Fatalf("%s: retry once the disk is mended: status %d, want %d\n%.600s", a.name, p.status, a.wantOK, p.body)
		}
		if a.after != nil {
			a.after(t)
		}
	}
}

func TestDiskFullRefusesWritesWholeAndRecovers(t *testing.T) {
	storetest.SkipOnPostgres(t, "fills the disk under the SQLite file")
	dir := mountTmpfs(t, "8m")
	logs := &syncBuffer{}
	env := newEnvIn(t, dir, logs)
	w := env.world()
	runFaults(t, env, w, logs, storageFault{http.StatusInsufficientStorage, "insufficient_storage", "The server is out of disk space: nothing was saved. Try again later."},
		func() func() {
			// An empty WAL, so the write cannot reuse the space of old frames.
			env.truncateWAL()
			return fillDisk(t, dir)
		})
}

func TestReadOnlyDatabaseRefusesWritesKeepsReadsAndRecovers(t *testing.T) {
	storetest.SkipOnPostgres(t, "makes the SQLite file read-only")
	dir := mountExt4(t)
	logs := &syncBuffer{}
	env := newEnvIn(t, dir, logs)
	t.Cleanup(func() { exec.Command("chattr", "-i", env.path, env.path+"-wal").Run() })
	w := env.world()
	runFaults(t, env, w, logs, storageFault{http.StatusServiceUnavailable, "storage_unavailable", "The server cannot read or write its database right now: nothing was saved. Try again later."},
		func() func() {
			env.setImmutable(true)
			return func() { env.setImmutable(false) }
		})
}
