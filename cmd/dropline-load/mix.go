package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dropline/dropline/store"
)

// The mixed workload (--mix DURATION): --mix-conns connections, each
// request a kind drawn by weight, as merchants and suppliers signed in over
// HTTP use the portal, with feed pulls running in the background. Every
// kind is measured on its own; 5xx answers and SQLITE_BUSY errors the
// server logged are counted over all.

// mixKind is one kind of request of the mixed workload.
type mixKind struct {
	name   string
	weight int
	// do makes one request; ok false means its pool of work is used up.
	do  func(ctx context.Context, rng *mrand.Rand) (status int, n int64, err error, ok bool)
	rec *recorder
}

// firstErrorBodies keeps the first answer of each API kind that was not 2xx.
var firstErrorBodies sync.Map

// mixSide is a signed-in account with what the workload needs of it.
type mixSide struct {
	acc    store.SeedAccount
	client *http.Client
	token  string // API token
	csrf   string

	orderIDs []int64  // merchant: orders to open
	terms    []string // merchant: order numbers and SKUs to search for
	poIDs    []int64  // supplier: POs to open

	mu        sync.Mutex
	dropships []int64  // merchant: orders to dropship, each once
	open      []openPO // supplier: open POs to ship, each once
}

type openPO struct {
	id       int64
	number   string
	merchant string // public ID: PO numbers repeat across merchants
}

func (s *mixSide) takeDropship() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.dropships) == 0 {
		return 0, false
	}
	id := s.dropships[len(s.dropships)-1]
	s.dropships = s.dropships[:len(s.dropships)-1]
	return id, true
}

func (s *mixSide) takeOpen(n int) []openPO {
	s.mu.Lock()
	defer s.mu.Unlock()
	n = min(n, len(s.open))
	out := s.open[len(s.open)-n:]
	s.open = s.open[:len(s.open)-n]
	return out
}

// busyCounter counts the server's error logs, and those that are SQLITE_BUSY.
type busyCounter struct {
	slog.Handler
	errors, busy *atomic.Int64
	first        *errorSample
	on           *atomic.Bool // counting: during a measured phase only
}

// errorSample keeps the first few error logs, to show what went wrong.
type errorSample struct {
	mu   sync.Mutex
	list []string
}

func (e *errorSample) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.list) < 5 {
		e.list = append(e.list, s)
	}
}

func (h busyCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		text := r.Message
		r.Attrs(func(a slog.Attr) bool { text += " " + a.Value.String(); return true })
		if !h.on.Load() || strings.Contains(text, "context canceled") {
			// Not measured, or a request the load generator gave up on at the end of a run.
			return h.Handler.Handle(ctx, r)
		}
		h.errors.Add(1)
		if strings.Contains(text, "SQLITE_BUSY") || strings.Contains(text, "database is locked") {
			h.busy.Add(1)
		}
		h.first.add(text)
	}
	return h.Handler.Handle(ctx, r)
}

func (h busyCounter) WithAttrs(as []slog.Attr) slog.Handler {
	return busyCounter{h.Handler.WithAttrs(as), h.errors, h.busy, h.first, h.on}
}

func (h busyCounter) WithGroup(name string) slog.Handler {
	return busyCounter{h.Handler.WithGroup(name), h.errors, h.busy, h.first, h.on}
}

var tokenInput = regexp.MustCompile(`name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"`)

// mix runs the mixed workload and puts its figures in out["mix"].
func mix(ctx context.Context, c config, out map[string]any, db *store.DB, base, path string, seed store.SeedResult, counter busyCounter, logf func(string, ...any)) error {
	ro, err := openRO(path)
	if err != nil {
		return err
	}
	defer ro.Close()
	rng := mrand.New(mrand.NewPCG(7, 7))
	var merchants, suppliers []*mixSide
	for _, a := range seed.Accounts {
		isMerchant := a.Kind == store.KindMerchant
		if isMerchant && len(merchants) >= 3 || !isMerchant && len(suppliers) >= 3 {
			continue
		}
		client, err := signIn(ctx, base, a, c.mixConns)
		if err != nil {
			return err
		}
		var page []byte
		if _, _, err := get(ctx, client, base+"/settings", &page); err != nil {
			return err
		}
		m := csrfInput.FindSubmatch(page)
		if m == nil {
			return fmt.Errorf("GET /settings as %s: no _csrf input", a.Email)
		}
		_, token, err := db.CreateToken(ctx, store.CLIActor, a.ID, "dropline-load mix "+time.Now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return err
		}
		s := &mixSide{acc: a, client: client, token: token, csrf: string(m[1]) + string(m[2])}
		started := time.Now()
		if isMerchant {
			if s.orderIDs, err = sampleIDs(ctx, ro, rng, "SELECT id FROM orders WHERE +account_id = ? AND id >= ? ORDER BY id LIMIT 1", "orders", a.ID, 2000); err != nil {
				return err
			}
			numbers, err := sample(ctx, ro, 100, "orders", "SELECT channel_order_id FROM orders WHERE id >= ? AND +account_id = ? ORDER BY id LIMIT 1", a.ID)
			if err != nil {
				return err
			}
			skus, err := sample(ctx, ro, 100, "order_lines", "SELECT sku FROM order_lines WHERE id >= ? AND +account_id = ? ORDER BY id LIMIT 1", a.ID)
			if err != nil {
				return err
			}
			s.terms = append(numbers, skus...)
			logf("mix: %s: samples in %s", a.Name, time.Since(started).Round(time.Millisecond))
			if s.dropships, err = dropshippable(ctx, db, a.ID, c.mixDropships); err != nil {
				return err
			}
			logf("mix: %s: %d orders to dropship found in %s", a.Name, len(s.dropships), time.Since(started).Round(time.Millisecond))
			merchants = append(merchants, s)
		} else {
			if err := ensureLoadCourier(ctx, db, a.ID); err != nil {
				return err
			}
			if s.poIDs, err = sampleIDs(ctx, ro, rng, "SELECT id FROM purchase_orders WHERE +supplier_id = ? AND id >= ? ORDER BY id LIMIT 1", "purchase_orders", a.ID, 2000); err != nil {
				return err
			}
			rows, err := ro.QueryContext(ctx, `SELECT po.id, po.po_number, m.public_id FROM purchase_orders po JOIN accounts m ON m.id = po.account_id
				WHERE po.supplier_id = ? AND po.status = 'open' AND po.cancel_state = '' AND po.release_at <= ?
				AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.po_id = po.id) ORDER BY po.id LIMIT 5000`, a.ID, time.Now().UTC())
			if err != nil {
				return err
			}
			for rows.Next() {
				var p openPO
				if err := rows.Scan(&p.id, &p.number, &p.merchant); err != nil {
					rows.Close()
					return err
				}
				s.open = append(s.open, p)
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			logf("mix: %s: %d POs to open, %d to ship, in %s", a.Name, len(s.poIDs), len(s.open), time.Since(started).Round(time.Millisecond))
			suppliers = append(suppliers, s)
		}
	}
	if len(merchants) == 0 || len(suppliers) == 0 {
		return errors.New("mix: the seed has no merchant or no supplier")
	}

	pick := func(rng *mrand.Rand, sides []*mixSide) *mixSide { return sides[rng.IntN(len(sides))] }
	var tracking atomic.Int64
	trackingNumber := func() string { return fmt.Sprintf("MX%d-%06d", time.Now().Unix()%100000, tracking.Add(1)) }
	today := time.Now().UTC().Format(time.DateOnly)
	getKind := func(sides []*mixSide, path func(*mixSide, *mrand.Rand) string) func(context.Context, *mrand.Rand) (int, int64, error, bool) {
		return func(ctx context.Context, rng *mrand.Rand) (int, int64, error, bool) {
			s := pick(rng, sides)
			status, n, err := get(ctx, s.client, base+path(s, rng), nil)
			return status, n, err, true
		}
	}
	queueTabs := []string{"", "to_ship", "late", "shipped", "exceptions", "all"}
	kinds := []*mixKind{
		{name: "order_list", weight: 24, do: getKind(merchants, func(*mixSide, *mrand.Rand) string { return "/orders" })},
		{name: "order_list_tab", weight: 4, do: getKind(merchants, func(_ *mixSide, rng *mrand.Rand) string {
			return "/orders?tab=" + []string{"dropshipped", "shipped", "exceptions", "all"}[rng.IntN(4)]
		})},
		{name: "order_search", weight: 8, do: getKind(merchants, func(s *mixSide, rng *mrand.Rand) string {
			return "/orders?tab=all&q=" + url.QueryEscape(s.terms[rng.IntN(len(s.terms))])
		})},
		{name: "order_page", weight: 14, do: getKind(merchants, func(s *mixSide, rng *mrand.Rand) string {
			return fmt.Sprintf("/orders/%d", s.orderIDs[rng.IntN(len(s.orderIDs))])
		})},
		{name: "purchase_orders", weight: 4, do: getKind(merchants, func(*mixSide, *mrand.Rand) string { return "/purchase-orders" })},
		{name: "merchant_dashboard", weight: 4, do: getKind(merchants, func(*mixSide, *mrand.Rand) string { return "/" })},
		{name: "dropship_api", weight: 3, do: func(ctx context.Context, rng *mrand.Rand) (int, int64, error, bool) {
			s := pick(rng, merchants)
			id, ok := s.takeDropship()
			if !ok {
				return 0, 0, nil, false
			}
			status, n, err := send(ctx, s.client, http.MethodPost, fmt.Sprintf("%s/api/v1/orders/%d/dropship", base, id), "application/json", s.token, "", []byte(`{"confirm":true}`))
			return status, n, err, true
		}},
		{name: "supplier_queue", weight: 12, do: getKind(suppliers, func(_ *mixSide, rng *mrand.Rand) string {
			return "/dropship-orders?tab=" + queueTabs[rng.IntN(len(queueTabs))]
		})},
		{name: "supplier_po_page", weight: 12, do: getKind(suppliers, func(s *mixSide, rng *mrand.Rand) string {
			return fmt.Sprintf("/dropship-orders/%d", s.poIDs[rng.IntN(len(s.poIDs))])
		})},
		{name: "supplier_dashboard", weight: 4, do: getKind(suppliers, func(*mixSide, *mrand.Rand) string { return "/" })},
		{name: "tracking_api", weight: 6, do: func(ctx context.Context, rng *mrand.Rand) (int, int64, error, bool) {
			s := pick(rng, suppliers)
			po := s.takeOpen(1)
			if len(po) == 0 {
				return 0, 0, nil, false
			}
			body, _ := json.Marshal(map[string]string{"carrier": loadCourier, "tracking_number": trackingNumber(), "ship_date": today})
			status, n, err := send(ctx, s.client, http.MethodPost, fmt.Sprintf("%s/api/v1/purchase-orders/%d/shipments", base, po[0].id), "application/json", s.token, "", body)
			return status, n, err, true
		}},
	}
	// A bulk upload is two requests, measured apart: the preview, then apply.
	bulkApply := &mixKind{name: "bulk_upload_apply", rec: newRecorder()}
	kinds = append(kinds, &mixKind{name: "bulk_upload_preview", weight: 1, do: func(ctx context.Context, rng *mrand.Rand) (int, int64, error, bool) {
		s := pick(rng, suppliers)
		pos := s.takeOpen(c.mixBulkRows)
		if len(pos) == 0 {
			return 0, 0, nil, false
		}
		var file bytes.Buffer
		file.WriteString("po_number,carrier,tracking_number,ship_date,merchant\n")
		for _, p := range pos {
			fmt.Fprintf(&file, "%s,%s,%s,%s,%s\n", p.number, loadCourier, trackingNumber(), today, p.merchant)
		}
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		mw.WriteField("_csrf", s.csrf)
		fw, _ := mw.CreateFormFile("file", "tracking.csv")
		fw.Write(file.Bytes())
		mw.Close()
		var page []byte
		status, n, err := sendRead(ctx, s.client, http.MethodPost, base+"/dropship-orders/upload", mw.FormDataContentType(), "", "", form.Bytes(), &page)
		if err != nil || status != http.StatusOK {
			return status, n, err, true
		}
		m := tokenInput.FindSubmatch(page)
		if m == nil {
			return 599, n, errors.New("preview has no upload token"), true
		}
		apply := url.Values{"_csrf": {s.csrf}, "token": {string(m[1]) + string(m[2])}}
		t1 := time.Now()
		st, an, aerr := send(ctx, s.client, http.MethodPost, base+"/dropship-orders/upload/apply", "application/x-www-form-urlencoded", "", "", []byte(apply.Encode()))
		if ctx.Err() == nil || aerr == nil { // not cut off by the end of the run
			bulkApply.rec.add(time.Since(t1), st, an, aerr)
		}
		return status, n, err, true
	}})

	total := 0
	for _, k := range kinds {
		k.rec = newRecorder()
		total += k.weight
	}
	logf("mix: %d connections for %s, %d merchants and %d suppliers signed in", c.mixConns, c.mix, len(merchants), len(suppliers))

	loadCtx, cancel := context.WithTimeout(ctx, c.mix)
	defer cancel()
	// Feed pulls in the background, one after another, as the ticker runs them.
	pulls := newRecorder()
	pullStates := map[string]int{}
	var pullWG sync.WaitGroup
	pullWG.Add(1)
	go func() {
		defer pullWG.Done()
		backgroundPulls(loadCtx, db, ro, merchants, pulls, pullStates, logf)
	}()
	// The queue sweep, every 30 s as the server's ticker runs it.
	pullWG.Add(1)
	go func() {
		defer pullWG.Done()
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-loadCtx.Done():
				return
			case <-t.C:
				if _, err := db.SweepQueueClock(loadCtx); err != nil && loadCtx.Err() == nil {
					logf("queue sweep: %v", err)
				}
			}
		}
	}()

	before := machine()
	counter.errors.Store(0)
	counter.busy.Store(0)
	counter.on.Store(true)
	go func() {
		// Requests cut off at the end log errors the run did not cause.
		<-loadCtx.Done()
		counter.on.Store(false)
	}()
	var exhausted sync.Map
	var wg sync.WaitGroup
	for w := range c.mixConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(w)+1, 99))
			for loadCtx.Err() == nil {
				r := rng.IntN(total)
				var k *mixKind
				for _, k = range kinds {
					if r < k.weight {
						break
					}
					r -= k.weight
				}
				t0 := time.Now()
				status, n, err, ok := k.do(loadCtx, rng)
				if !ok {
					exhausted.Store(k.name, true)
					continue
				}
				if loadCtx.Err() != nil && err != nil {
					return // cut off by the end of the run
				}
				k.rec.add(time.Since(t0), status, n, err)
			}
		}()
	}
	wg.Wait()
	pullWG.Wait()
	finished := time.Now()

	res := map[string]any{"conns": c.mixConns, "duration_s": c.mix.Seconds(), "merchants": len(merchants), "suppliers": len(suppliers)}
	kindStats := map[string]stats{}
	requests, fivexx := 0, 0
	worst := 0.0
	for _, k := range append(kinds, bulkApply) {
		k.rec.finish = finished
		s := k.rec.stats()
		if _, gone := exhausted.Load(k.name); gone {
			s.Note = "its pool of work ran out during the run"
		}
		kindStats[k.name] = s
		requests += s.Requests
		for code, n := range s.Errors {
			if strings.HasPrefix(code, "5") {
				fivexx += n
			}
		}
		worst = max(worst, s.P99)
	}
	pulls.finish = finished
	ps := pulls.stats()
	res["kinds"] = kindStats
	res["feed_pulls"] = map[string]any{"pulls": ps.Requests, "p50_s": ps.P50 / 1000, "max_s": ps.Max / 1000, "states": pullStates}
	res["requests"] = requests
	res["requests_per_second"] = round(float64(requests) / c.mix.Seconds())
	res["server_5xx"] = fivexx
	res["server_error_logs"] = counter.errors.Load()
	res["sqlite_busy_logged"] = counter.busy.Load()
	res["worst_p99_ms"] = worst
	res["machine"] = map[string]any{"before": before, "after": machine()}
	res["peak_rss_mb"] = vmHWM()
	first := map[string]string{}
	firstErrorBodies.Range(func(k, v any) bool { first[k.(string)] = v.(string); return true })
	if len(first) > 0 {
		res["first_error_answers"] = first
	}
	out["mix"] = res
	return nil
}

// backgroundPulls pulls the merchants' subscriptions one after another until
// ctx ends, as the ticker does, each recorded with its time and end state.
func backgroundPulls(ctx context.Context, db *store.DB, ro *roDB, merchants []*mixSide, rec *recorder, states map[string]int, logf func(string, ...any)) {
	type sub struct{ id, account int64 }
	var subs []sub
	for _, m := range merchants {
		rows, err := ro.QueryContext(ctx, "SELECT id FROM subscriptions WHERE account_id = ?", m.acc.ID)
		if err != nil {
			logf("mix: subscriptions: %v", err)
			return
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			subs = append(subs, sub{id, m.acc.ID})
		}
		rows.Close()
	}
	p := &store.Puller{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for i := 0; ctx.Err() == nil && len(subs) > 0; i++ {
		s := subs[i%len(subs)]
		t0 := time.Now()
		run, err := p.PullNow(context.WithoutCancel(ctx), s.account, s.id)
		if err != nil {
			states["refused: "+err.Error()]++
			continue
		}
		p.Wait()
		got, err := db.FeedRun(context.WithoutCancel(ctx), s.account, run.ID)
		status := http.StatusOK
		if err != nil || got.State == store.RunFailed {
			status = http.StatusInternalServerError
		}
		rec.add(time.Since(t0), status, 0, err)
		states[got.State]++
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

const loadCourier = "Load Courier"

// ensureLoadCourier gives a supplier a custom carrier, so every number is accepted as typed.
func ensureLoadCourier(ctx context.Context, db *store.DB, supplierID int64) error {
	_, providers, err := db.CarrierSettings(ctx, supplierID)
	if err != nil {
		return err
	}
	for _, p := range providers {
		if p.Name == loadCourier && !p.Retired {
			return nil
		}
	}
	_, err = db.AddLogisticsProvider(ctx, store.CLIActor, supplierID, loadCourier, "", "")
	return err
}

// sampleIDs picks up to n IDs spread over an account's rows.
func sampleIDs(ctx context.Context, db *roDB, rng *mrand.Rand, q, table string, accountID int64, n int) ([]int64, error) {
	col := "account_id"
	if table == "purchase_orders" {
		col = "supplier_id"
	}
	var lo, hi int64
	if err := db.QueryRowContext(ctx, "SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM "+table+" WHERE "+col+" = ?", accountID).Scan(&lo, &hi); err != nil {
		return nil, err
	}
	var out []int64
	for range n {
		var id int64
		err := db.QueryRowContext(ctx, q, accountID, lo+rng.Int64N(hi-lo+1)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("account %d has no %s", accountID, table)
	}
	return out, nil
}

// send makes a request with a body and reads the answer.
func send(ctx context.Context, client *http.Client, method, u, contentType, token, csrf string, body []byte) (int, int64, error) {
	return sendRead(ctx, client, method, u, contentType, token, csrf, body, nil)
}

func sendRead(ctx context.Context, client *http.Client, method, u, contentType, token, csrf string, body []byte, into *[]byte) (int, int64, error) {
	if into == nil {
		into = new([]byte)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	*into = b
	if resp.StatusCode >= 300 {
		path := req.URL.Path
		if i := strings.LastIndexByte(path, '/'); i > 0 {
			path = strings.TrimRight(path[:i], "0123456789/") + "/" + path[i+1:]
		}
		firstErrorBodies.LoadOrStore(method+" "+path, fmt.Sprintf("%d %.300s", resp.StatusCode, b))
	}
	return resp.StatusCode, int64(len(b)), err
}
