package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dropline/dropline/store/feedfile"
	"github.com/dropline/dropline/store/fetch"
)

// Feed run states.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunHeld      = "held"
	RunDiscarded = "discarded"
)

// maxStoredRowErrors caps the row errors kept per run; all are counted.
const maxStoredRowErrors = 1000

// stageChunk is how many rows are staged per transaction.
const stageChunk = 2000

// A pull's claim on its subscription is a lease: the subscription's
// running_since is the last time the pulling process said it was alive
// (the claim, then a heartbeat every pullHeartbeat while it stages and
// applies). A claim not renewed for pullLease belongs to a process that
// died, and the next pull, on any instance serving the database, takes it
// over: it closes the dead run as interrupted. The run that lost its claim
// applies nothing: the apply transaction checks the run still holds it.
const (
	pullLease     = 2 * time.Minute
	pullHeartbeat = 20 * time.Second
)

// errClaimLost stops a pull whose claim another instance took over.
var errClaimLost = errors.New("the pull's claim on its subscription ran out and another pull took it over")

// FeedRun is one pull of a subscription.
type FeedRun struct {
	ID             int64
	AccountID      int64
	SubscriptionID int64
	Trigger        string
	State          string
	StartedAt      time.Time
	FinishedAt     *time.Time
	Rows           int
	Created        int
	Updated        int
	Unchanged      int
	Missing        int
	Errors         int
	Message        string
	// Notes account for what the file held that was not imported or was
	// filled in (SummaryNotes), so a pull never loses data unseen.
	Notes []string

	startedBy Actor // who pressed "Pull now"; zero for the schedule
}

// RunError is a row-level problem recorded on a run.
type RunError struct {
	Line    int
	Column  string
	Message string
	Skipped bool // the row was left out; else only the field was left empty
}

// Puller pulls subscriptions: on the ticker for due ones, or at once for "Pull now".
type Puller struct {
	DB      *DB
	Fetcher *fetch.Fetcher
	Log     *slog.Logger
	// Lease and Heartbeat override pullLease and pullHeartbeat (tests).
	Lease, Heartbeat time.Duration

	wg sync.WaitGroup
}

func (p *Puller) lease() time.Duration {
	if p.Lease > 0 {
		return p.Lease
	}
	return pullLease
}

func (p *Puller) heartbeat() time.Duration {
	if p.Heartbeat > 0 {
		return p.Heartbeat
	}
	return min(pullHeartbeat, p.lease()/4)
}

// Downloader returns the fetcher for external feeds, allowing private
// addresses only when the platform admin has.
func (p *Puller) Downloader(ctx context.Context) (*fetch.Fetcher, error) {
	f := fetch.Fetcher{}
	if p.Fetcher != nil {
		f = *p.Fetcher
	}
	allow, err := p.DB.AllowPrivateFeeds(ctx)
	if err != nil {
		return nil, err
	}
	f.AllowPrivate = f.AllowPrivate || allow
	return &f, nil
}

// Wait blocks until pulls started in the background have finished.
func (p *Puller) Wait() { p.wg.Wait() }

func (p *Puller) log() *slog.Logger {
	if p.Log == nil {
		return slog.Default()
	}
	return p.Log
}

// errPullRunning means a pull of the subscription is already under way.
var errPullRunning = Conflict("A pull of this feed is already running.")

// errNotDue means another instance pulled the subscription since it was listed as due.
var errNotDue = Conflict("This feed was pulled meanwhile.")

// claim marks a subscription as being pulled and opens its run, with the
// default lease.
func (db *DB) claim(ctx context.Context, merchantID, subID int64, trigger string) (Subscription, FeedRun, error) {
	return db.claimFor(ctx, merchantID, subID, trigger, pullLease)
}

// claimFor marks a subscription as being pulled and opens its run. At most
// one pull runs per subscription; a claim not renewed for lease is taken
// over. A scheduled pull claims only a subscription still due: several
// instances list the due ones, and the first to claim one pulls it.
func (db *DB) claimFor(ctx context.Context, merchantID, subID int64, trigger string, lease time.Duration) (Subscription, FeedRun, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	defer tx.Rollback()
	s, err := scanSubscription(tx.QueryRowContext(ctx, "SELECT "+subscriptionColumns+subscriptionFrom+" WHERE s.id = ? AND s.account_id = ?", subID, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription %d: %w", subID, ErrNotFound)
	}
	if err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	now := db.now()
	if s.RunningSince != nil && now.Sub(*s.RunningSince) < lease {
		return Subscription{}, FeedRun{}, errPullRunning
	}
	if trigger == "schedule" && (s.Paused || s.NextRunAt == nil || s.NextRunAt.After(now)) {
		return Subscription{}, FeedRun{}, errNotDue
	}
	// A run left "running" by a process that died is closed as failed. Its
	// process, should it still be alive, applies nothing (applyRun).
	if _, err := tx.ExecContext(ctx, "UPDATE feed_runs SET state = 'failed', finished_at = ?, message = 'Interrupted: the server stopped during this pull.' WHERE subscription_id = ? AND state = 'running'", now, subID); err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	// A new pull supersedes a pull held for review.
	if _, err := tx.ExecContext(ctx, "UPDATE feed_runs SET state = 'discarded', message = message || ' Superseded by a newer pull.' WHERE subscription_id = ? AND state = 'held'", subID); err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_rows WHERE run_id IN (SELECT id FROM feed_runs WHERE subscription_id = ? AND state IN ('failed', 'discarded'))", subID); err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET running_since = ? WHERE id = ?", now, subID); err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	res, err := execInsert(ctx, tx, "INSERT INTO feed_runs (account_id, subscription_id, trigger, state, started_at) VALUES (?, ?, ?, 'running', ?)",
		merchantID, subID, trigger, now)
	if err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	runID, _ := res.LastInsertId()
	if err := tx.Commit(); err != nil {
		return Subscription{}, FeedRun{}, fmt.Errorf("store: claim subscription: %w", err)
	}
	return s, FeedRun{ID: runID, AccountID: merchantID, SubscriptionID: subID, Trigger: trigger, State: RunRunning, StartedAt: now}, nil
}

// RecoverInterrupted closes the pulls, and releases the outbox claims, a
// previous server process left running (it was killed or lost power
// mid-pull): their runs fail with a message saying so, their staged rows
// go, and their subscriptions are released, so the ticker pulls them again
// at once (their next run time has passed). Nothing they staged was
// applied: a pull applies in one transaction. Call it once at start, before
// the ticker.
//
// On SQLite one process serves a database (serve holds its lock file), so
// every claim is a dead process's. On PostgreSQL several instances may
// serve it: only claims whose lease ran out are recovered (a live
// instance's pulls and deliveries go on); the outbox's ran-out claims are
// taken over by the next delivery pass anyway.
func (db *DB) RecoverInterrupted(ctx context.Context) (int, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: recover interrupted pulls: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	// The subscriptions whose claims are recovered: all of them on SQLite,
	// those whose lease ran out on PostgreSQL.
	runs, subs, args := "", "", []any{}
	if db.pg {
		runs = " AND subscription_id IN (SELECT id FROM subscriptions WHERE running_since IS NULL OR running_since < ?)"
		subs, args = " AND running_since < ?", []any{now.Add(-pullLease)}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_rows WHERE run_id IN (SELECT id FROM feed_runs WHERE state = 'running'"+runs+")", args...); err != nil {
		return 0, fmt.Errorf("store: recover interrupted pulls: %w", err)
	}
	res, err := tx.ExecContext(ctx, "UPDATE feed_runs SET state = 'failed', finished_at = ?, message = 'Interrupted: the server stopped during this pull.' WHERE state = 'running'"+runs,
		append([]any{now}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("store: recover interrupted pulls: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET running_since = NULL WHERE running_since IS NOT NULL"+subs, args...); err != nil {
		return 0, fmt.Errorf("store: recover interrupted pulls: %w", err)
	}
	// Outbox claims too are a previous process's on SQLite: none is alive.
	// Its messages go out on the first pass instead of when the claims run out.
	if !db.pg {
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET claim_token = NULL, claimed_until = NULL WHERE claim_token IS NOT NULL"); err != nil {
			return 0, fmt.Errorf("store: recover interrupted deliveries: %w", err)
		}
	}
	return int(n), tx.Commit()
}

// PullNow starts a pull in the background and returns its run at once; the
// audit log names the system as having pulled.
func (p *Puller) PullNow(ctx context.Context, merchantID, subID int64) (FeedRun, error) {
	return p.PullNowAs(ctx, SystemActor, merchantID, subID)
}

// PullNowAs is PullNow for a person (or token) who asked for the pull: the
// audit log names them with its outcome.
func (p *Puller) PullNowAs(ctx context.Context, actor Actor, merchantID, subID int64) (FeedRun, error) {
	s, run, err := p.DB.claimFor(ctx, merchantID, subID, "manual", p.lease())
	if err != nil {
		return FeedRun{}, err
	}
	run.startedBy = actor
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		// The pull outlives the request that started it.
		p.pull(context.WithoutCancel(ctx), s, run)
	}()
	return run, nil
}

// PullDue pulls every subscription whose time has come, one after another,
// and returns how many it pulled. Each is pulled once however many runs it
// missed, and once however many instances serve the database: a
// subscription another has claimed meanwhile is skipped.
func (p *Puller) PullDue(ctx context.Context) (int, error) {
	now := p.DB.now()
	rows, err := p.DB.read.QueryContext(ctx, `SELECT s.id, s.account_id FROM subscriptions s
		WHERE s.paused = 0 AND s.next_run_at <= ? AND (s.running_since IS NULL OR s.running_since < ?) AND `+liveAccount("s.account_id")+`
		AND NOT EXISTS (SELECT 1 FROM feeds df JOIN accounts dsup ON dsup.id = df.account_id WHERE df.id = s.feed_id AND dsup.disabled_at IS NOT NULL)
		AND NOT EXISTS (SELECT 1 FROM feed_runs r WHERE r.subscription_id = s.id AND r.state = 'held')
		ORDER BY s.next_run_at LIMIT 100`, now, now.Add(-p.lease()))
	if err != nil {
		return 0, fmt.Errorf("store: due subscriptions: %w", err)
	}
	type due struct{ id, account int64 }
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.account); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	n := 0
	for _, d := range list {
		if ctx.Err() != nil {
			break
		}
		s, run, err := p.DB.claimFor(ctx, d.account, d.id, "schedule", p.lease())
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return n, err
		}
		p.pull(ctx, s, run)
		n++
	}
	return n, nil
}

// pull downloads or reads the feed, stages its rows, and applies them unless
// it fails or is held. It renews its claim while it runs, and stops should
// another pull take the claim over. It always releases the claim (if it
// still holds it) and schedules the next run.
func (p *Puller) pull(ctx context.Context, s Subscription, run FeedRun) {
	db := p.DB
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopBeat := p.beat(ctx, cancel, s.ID, run.ID)
	err := p.stage(ctx, s, run.ID)
	var state, msg string
	var counts applyCounts
	switch {
	case err != nil:
		state, msg = RunFailed, UserMessage(err)
	default:
		counts, state, msg, err = db.applyRun(ctx, s, run.ID)
		if err != nil {
			state, msg = RunFailed, UserMessage(err)
		}
	}
	stopBeat()
	if cause := context.Cause(ctx); errors.Is(cause, errClaimLost) || errors.Is(err, errClaimLost) {
		p.log().Warn("feed pull taken over by another pull; nothing applied", "subscription", s.ID, "run", run.ID)
		if ferr := db.dropLostRun(context.WithoutCancel(ctx), run.ID); ferr != nil {
			p.log().Error("drop taken-over feed run", "run", run.ID, "err", ferr)
		}
		return
	}
	if err != nil {
		p.log().Warn("feed pull failed", "subscription", s.ID, "run", run.ID, "err", err)
	}
	actor := run.startedBy
	if actor.Name == "" {
		actor = SystemActor
	}
	if ferr := db.finishRun(context.WithoutCancel(ctx), actor, s, run.ID, state, msg, counts); ferr != nil {
		p.log().Error("finish feed run", "run", run.ID, "err", ferr)
	}
}

// beat renews the run's claim every heartbeat until stop is called. A
// renewal that fails (the database unreachable) is tried again on the next
// beat: the lease outlasts several. A run that no longer holds its claim
// (another pull took it over) is cancelled with errClaimLost.
func (p *Puller) beat(ctx context.Context, cancel context.CancelCauseFunc, subID, runID int64) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(p.heartbeat())
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			held, err := p.DB.renewClaim(ctx, subID, runID)
			switch {
			case err != nil && ctx.Err() == nil:
				p.log().Warn("renew feed pull claim", "subscription", subID, "run", runID, "err", err)
			case err == nil && !held:
				cancel(errClaimLost)
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// renewClaim extends a running pull's lease on its subscription, and
// reports whether the run still holds it: a run another pull took over was
// closed (claim) and holds nothing.
func (db *DB) renewClaim(ctx context.Context, subID, runID int64) (bool, error) {
	return renewClaimIn(ctx, db.write, db.now(), subID, runID)
}

func renewClaimIn(ctx context.Context, tx dbtx, now time.Time, subID, runID int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET running_since = ? WHERE id = ?
		AND EXISTS (SELECT 1 FROM feed_runs WHERE id = ? AND subscription_id = ? AND state = 'running')`, now, subID, runID, subID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// dropLostRun removes what a run that lost its claim staged since (the pull
// that took over closed the run and removed what it had staged then).
func (db *DB) dropLostRun(ctx context.Context, runID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_rows WHERE run_id = ? AND run_id IN (SELECT id FROM feed_runs WHERE id = ? AND state <> 'running')", runID, runID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_errors WHERE run_id = ? AND run_id IN (SELECT id FROM feed_runs WHERE id = ? AND state <> 'running')", runID, runID); err != nil {
		return err
	}
	return tx.Commit()
}

// UserMessage is what a page says about a failed download or unreadable feed.
func UserMessage(err error) string {
	var fe *fetch.Error
	var file *feedfile.FileError
	switch {
	case errors.As(err, &fe):
		return fe.Message
	case errors.As(err, &file):
		return file.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "The pull was stopped before it finished."
	}
	return "The pull failed: " + err.Error()
}

// stage reads the subscription's source and writes its rows and row errors
// to the run, in chunks. Nothing the merchant sees changes here.
func (p *Puller) stage(ctx context.Context, s Subscription, runID int64) error {
	st := &stager{db: p.DB, runID: runID}
	defer st.close()
	if !s.External() {
		f, err := scanFeed(p.DB.read.QueryRowContext(ctx, "SELECT "+feedColumns+" FROM feeds f WHERE f.id = ? AND f.archived_at IS NULL", s.FeedID))
		if errors.Is(err, sql.ErrNoRows) {
			return errors.New("the supplier no longer publishes this feed")
		}
		if err != nil {
			return err
		}
		var linked bool
		if err := p.DB.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state IN ('active', 'paused'))
			AND (? = 1 OR EXISTS (SELECT 1 FROM feed_merchants WHERE feed_id = ? AND merchant_id = ?))`,
			f.AccountID, s.AccountID, f.AllMerchants, f.ID, s.AccountID).Scan(&linked); err != nil {
			return err
		}
		if !linked {
			return errors.New("this account may no longer pull the feed: the link ended or the supplier removed it from the feed")
		}
		if err := p.DB.FeedRows(ctx, f, func(r feedfile.Row) error { return st.add(ctx, r, nil) }); err != nil {
			return err
		}
		return st.flush(ctx)
	}
	fetcher, err := p.Downloader(ctx)
	if err != nil {
		return err
	}
	body, _, err := fetcher.Open(ctx, s.URL)
	if err != nil {
		return err
	}
	defer body.Close()
	return p.stageReader(ctx, s, st, body)
}

// StageFrom stages a subscription's rows from r instead of its URL (tests, benchmarks).
func (p *Puller) stageReader(ctx context.Context, s Subscription, st *stager, r io.Reader) error {
	// The format is recognised on every pull, so a file that changes
	// layout, or a subscription saved when a sku column was enough to be
	// taken for Dropline's template, is read by its columns; only a mapping
	// the merchant confirmed is kept.
	opt := feedfile.Options{InStockQuantity: s.InStockQuantity, BuildSKUs: s.BuildSKUs}
	if len(s.Mapping) > 0 {
		opt.Mapping = feedfile.Mapping(s.Mapping)
	}
	fr, err := feedfile.NewReader(r, opt)
	if err != nil {
		return err
	}
	if err := p.DB.read.QueryRowContext(ctx, "SELECT currency FROM accounts WHERE id = ?", s.AccountID).Scan(&st.currency); err != nil {
		return err
	}
	for {
		row, errs, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := st.add(ctx, row, errs); err != nil {
			return err
		}
	}
	st.notes = SummaryNotes(fr.Summary())
	return st.flush(ctx)
}

// stager batches staged rows and errors into chunked transactions.
type stager struct {
	db       *DB
	runID    int64
	currency string   // the merchant's; "" for a linked feed (no check)
	notes    []string // what the file held that was not imported
	rows     []feedfile.Row
	errs     []feedfile.RowError
	nRows    int
	nErrs    int
	stored   int

	ins  *sql.Stmt // the full-batch insert, prepared once per pull
	args []any
}

func (st *stager) add(ctx context.Context, r feedfile.Row, errs []feedfile.RowError) error {
	if r.Usable() {
		// The same rule as Products → Import: see checkRow.
		for _, e := range checkRow(&r, st.currency) {
			errs = append(errs, feedfile.RowError{Line: e.Line, Column: e.Column, Message: e.Message, Skipped: e.Skipped})
		}
		if r.Usable() {
			st.rows = append(st.rows, r)
		}
	}
	st.nErrs += len(errs)
	for _, e := range errs {
		if st.stored < maxStoredRowErrors {
			st.errs = append(st.errs, e)
			st.stored++
		}
	}
	if len(st.rows) >= stageChunk {
		return st.flush(ctx)
	}
	return nil
}

// stageBatch is how many rows one multi-row INSERT stages: far fewer
// statements than one per row, within SQLite's limit on parameters.
const stageBatch = 400

// stageInsert is the multi-row INSERT for n staged rows.
func stageInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO feed_run_rows (run_id, line, sku, title, options, gtin, mpn, cost_cents, price_cents, currency,
			quantity, lead_time_days, url, image_url, description, group_key, sale_price_cents) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
	}
	b.WriteString(" ON CONFLICT DO NOTHING") // a SKU's first row in the file wins
	return b.String()
}

// close releases the prepared insert.
func (st *stager) close() {
	if st.ins != nil {
		st.ins.Close()
		st.ins = nil
	}
}

func (st *stager) flush(ctx context.Context) error {
	// Parsing a 6,000-parameter statement costs about as much as running
	// it, so the full-batch insert is prepared once (on the writer, so each
	// chunk's transaction reuses it) rather than once per batch.
	if st.ins == nil && len(st.rows) >= stageBatch {
		ins, err := st.db.write.PrepareContext(ctx, stageInsert(stageBatch))
		if err != nil {
			return fmt.Errorf("stage rows: %w", err)
		}
		st.ins = ins
	}
	tx, err := st.db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var ins *sql.Stmt
	if st.ins != nil {
		ins = tx.StmtContext(ctx, st.ins)
		defer ins.Close()
	}
	for start := 0; start < len(st.rows); start += stageBatch {
		end := min(start+stageBatch, len(st.rows))
		args := st.args[:0]
		for _, r := range st.rows[start:end] {
			qty := any(nil)
			if r.HasQuantity {
				qty = r.Quantity
			} else if r.Availability == feedfile.OutOfStock || (r.HasActive && !r.Active) {
				qty = 0
			}
			lead := any(nil)
			if r.HasLeadTime {
				lead = r.LeadTimeDays
			}
			cur := r.Currency
			if cur == "" {
				cur = cmp.Or(st.currency, "USD")
			}
			args = append(args, st.runID, r.Line, r.SKU, r.Title, r.Options, r.GTIN, r.MPN, nullMoney(r.CostCents, r.HasCost), nullMoney(r.PriceCents, r.HasPrice),
				cur, qty, lead, r.URL, r.ImageURL, r.Description, r.GroupKey, nullMoney(r.SalePriceCents, r.HasSalePrice))
		}
		st.args = args
		if end-start == stageBatch {
			_, err = ins.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, stageInsert(end-start), args...)
		}
		if err != nil {
			return fmt.Errorf("stage rows: %w", err)
		}
	}
	clear(st.args[:cap(st.args)]) // let the rows' strings go
	for _, e := range st.errs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO feed_run_errors (run_id, line, col, message, skipped) VALUES (?, ?, ?, ?, ?)", st.runID, e.Line, e.Column, e.Message, e.Skipped); err != nil {
			return fmt.Errorf("stage errors: %w", err)
		}
	}
	st.nRows += len(st.rows)
	notes := ""
	if len(st.notes) > 0 {
		b, _ := json.Marshal(st.notes)
		notes = string(b)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE feed_runs SET rows = ?, errors = ?, notes = ? WHERE id = ?", st.nRows, st.nErrs, notes, st.runID); err != nil {
		return err
	}
	st.rows, st.errs = st.rows[:0], st.errs[:0]
	return tx.Commit()
}

type applyCounts struct {
	created, updated, unchanged, missing int
}

// applyRun applies a staged run in one transaction, or holds it for review
// when it would drop too many of the products the last good run had.
func (db *DB) applyRun(ctx context.Context, s Subscription, runID int64) (applyCounts, string, string, error) {
	var c applyCounts
	tx, err := db.begin(ctx)
	if err != nil {
		return c, "", "", err
	}
	defer tx.Rollback()
	// The run applies only while it holds its subscription's claim: one
	// that another pull took over (its process stalled past the lease)
	// applies nothing. The claim is renewed here, and again below with the
	// outcome, so that it outlasts the apply.
	if held, err := renewClaimIn(ctx, tx, db.now(), s.ID, runID); err != nil {
		return c, "", "", err
	} else if !held {
		return c, "", "", errClaimLost
	}
	var staged int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM feed_run_rows WHERE run_id = ?", runID).Scan(&staged); err != nil {
		return c, "", "", err
	}
	// A product this feed no longer has that another of the supplier's
	// feeds still publishes is that feed's now: not missing.
	if err := handOverShared(ctx, tx, s, runID); err != nil {
		return c, "", "", err
	}
	var missing int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM product_sources ps WHERE ps.subscription_id = ? AND ps.missing_since IS NULL
		AND NOT EXISTS (SELECT 1 FROM feed_run_rows r WHERE r.run_id = ? AND r.sku = ps.supplier_sku)`, s.ID, runID).Scan(&missing); err != nil {
		return c, "", "", err
	}
	if staged == 0 && missing == 0 && s.LastGoodRows == 0 {
		return c, RunFailed, "The feed has no usable products.", nil
	}
	if s.LastGoodRows > 0 && missing*100 > s.DropThresholdPct*s.LastGoodRows {
		msg := fmt.Sprintf("Held for review: %d of the %d products the last good pull had are missing (%d%%, more than the %d%% allowed). Nothing was changed. Approve to apply it anyway, or discard it.",
			missing, s.LastGoodRows, missing*100/s.LastGoodRows, s.DropThresholdPct)
		return applyCounts{missing: missing}, RunHeld, msg, nil
	}
	c, err = db.apply(ctx, tx, s, runID, missing == 0)
	if err != nil {
		return c, "", "", err
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET last_success_at = ?, last_good_rows = ?, running_since = ? WHERE id = ?", now, staged, now, s.ID); err != nil {
		return c, "", "", err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_rows WHERE run_id = ?", runID); err != nil {
		return c, "", "", err
	}
	if err := tx.Commit(); err != nil {
		return c, "", "", err
	}
	return c, RunSucceeded, "", nil
}

// handOverShared hands each source of subscription s that its run lacks to
// another subscription of the same merchant whose feed, from the same
// supplier, still publishes the product: one supplier product is one
// source, and a feed that dropped it must not zero what another carries.
func handOverShared(ctx context.Context, tx dbtx, s Subscription, runID int64) error {
	if s.SupplierID == 0 {
		return nil
	}
	type other struct{ sub, feed int64 }
	var others []other
	if err := eachRow(ctx, tx, `SELECT id, feed_id FROM subscriptions WHERE account_id = ? AND supplier_id = ? AND id <> ? AND feed_id IS NOT NULL ORDER BY id`,
		[]any{s.AccountID, s.SupplierID, s.ID}, func(rows *sql.Rows) error {
			var o other
			if err := rows.Scan(&o.sub, &o.feed); err != nil {
				return err
			}
			others = append(others, o)
			return nil
		}); err != nil || len(others) == 0 {
		return err
	}
	gone := map[string]int64{}
	var skus []string
	if err := eachRow(ctx, tx, `SELECT ps.id, ps.supplier_sku FROM product_sources ps WHERE ps.subscription_id = ? AND ps.missing_since IS NULL
		AND NOT EXISTS (SELECT 1 FROM feed_run_rows r WHERE r.run_id = ? AND r.sku = ps.supplier_sku)`, []any{s.ID, runID}, func(rows *sql.Rows) error {
		var id int64
		var sku string
		if err := rows.Scan(&id, &sku); err != nil {
			return err
		}
		gone[sku] = id
		skus = append(skus, sku)
		return nil
	}); err != nil || len(gone) == 0 {
		return err
	}
	for _, o := range others {
		f, err := scanFeed(tx.QueryRowContext(ctx, "SELECT "+feedColumns+" FROM feeds f WHERE f.id = ? AND f.archived_at IS NULL", o.feed))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		where, args, ok := feedSelection(f)
		if !ok {
			continue
		}
		var carried []string
		if err := eachRow(ctx, tx, "SELECT p.sku FROM products p WHERE "+where+" AND p.sku IN (SELECT value FROM json_each(?))",
			append(args, jsonStrings(skus)), func(rows *sql.Rows) error {
				var sku string
				if err := rows.Scan(&sku); err != nil {
					return err
				}
				carried = append(carried, sku)
				return nil
			}); err != nil {
			return err
		}
		for _, sku := range carried {
			id, ok := gone[sku]
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE product_sources SET subscription_id = ? WHERE id = ?
				AND NOT EXISTS (SELECT 1 FROM product_sources x WHERE x.subscription_id = ? AND x.supplier_sku = ?)`, o.sub, id, o.sub, sku); err != nil {
				return err
			}
			delete(gone, sku)
		}
		if len(gone) == 0 {
			return nil
		}
	}
	return nil
}

// apply writes a staged run into the merchant's products and sources with
// set-based statements: match by source, then by SKU, GTIN, MPN; create
// what is new; update what changed; zero what went missing. noneMissing
// says the caller has counted, in this transaction, that no source of the
// subscription is missing from the run, so there is nothing to zero.
func (db *DB) apply(ctx context.Context, tx dbtx, s Subscription, runID int64, noneMissing bool) (applyCounts, error) {
	var c applyCounts
	now := db.now()
	passive := s.InventoryMode != InventoryActive
	var supplierID any
	if s.SupplierID != 0 {
		supplierID = s.SupplierID
	}
	supplierName := s.SupplierName
	if supplierName == "" {
		supplierName = s.Name
	}
	exec := func(q string, args ...any) (int, error) {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("apply run %d: %w", runID, err)
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}
	applyRows := `CREATE TEMP TABLE IF NOT EXISTS apply_rows (sku TEXT PRIMARY KEY, title TEXT, options TEXT, gtin TEXT, mpn TEXT, cost_cents BIGINT,
			price_cents BIGINT, currency TEXT, quantity BIGINT, lead_time_days BIGINT, url TEXT, image_url TEXT, description TEXT,
			source_id BIGINT, product_id BIGINT, changed BIGINT NOT NULL DEFAULT 0, group_key TEXT, sale_price_cents BIGINT)`
	if !db.pg {
		applyRows += " WITHOUT ROWID" // SQLite: the rows live in the key's b-tree
	}
	steps := []struct {
		q    string
		args []any
	}{
		{applyRows, nil},
		{`DELETE FROM apply_rows`, nil},
		{`INSERT INTO apply_rows (sku, title, options, gtin, mpn, cost_cents, price_cents, currency, quantity, lead_time_days, url, image_url, description,
			group_key, sale_price_cents, source_id)
			SELECT r.sku, r.title, r.options, r.gtin, r.mpn, r.cost_cents, r.price_cents, r.currency, r.quantity, r.lead_time_days, r.url, r.image_url, r.description,
			r.group_key, r.sale_price_cents,
			-- Each an index seek: the subscription's own source, else the
			-- source of the same supplier product from another of its feeds.
			coalesce((SELECT ps.id FROM product_sources ps WHERE ps.subscription_id = ?1 AND ps.supplier_sku = r.sku),
				(SELECT min(ps.id) FROM product_sources ps WHERE ps.account_id = ?3 AND ps.supplier_id = ?2 AND ps.supplier_sku = r.sku))
			FROM feed_run_rows r WHERE r.run_id = ?4`, []any{s.ID, supplierID, s.AccountID, runID}},
		// One supplier product is one source, however many of the
		// supplier's feeds carry it: the subscription that saw it last
		// keeps it, so that a feed that dropped it leaves it to the one
		// that still has it.
		{`UPDATE product_sources SET subscription_id = ?1 WHERE subscription_id <> ?1
			AND id IN (SELECT source_id FROM apply_rows WHERE source_id IS NOT NULL)
			AND NOT EXISTS (SELECT 1 FROM product_sources x WHERE x.subscription_id = ?1 AND x.supplier_sku = product_sources.supplier_sku)`, []any{s.ID}},
		// New sources attach to the merchant's product with the same SKU, else GTIN, else MPN.
		{`UPDATE apply_rows SET product_id = (SELECT p.id FROM products p WHERE p.account_id = ? AND p.sku = apply_rows.sku) WHERE source_id IS NULL`, []any{s.AccountID}},
		{`UPDATE apply_rows SET product_id = (SELECT min(p.id) FROM products p WHERE p.account_id = ? AND p.gtin = apply_rows.gtin)
			WHERE source_id IS NULL AND product_id IS NULL AND gtin <> ''`, []any{s.AccountID}},
		{`UPDATE apply_rows SET product_id = (SELECT min(p.id) FROM products p WHERE p.account_id = ? AND p.mpn = apply_rows.mpn)
			WHERE source_id IS NULL AND product_id IS NULL AND mpn <> ''`, []any{s.AccountID}},
		{`INSERT INTO products (account_id, sku, title, options, gtin, mpn, price_cents, currency, quantity, lead_time_days, url, image_url, description,
			group_key, sale_price_cents, created_at, updated_at)
			SELECT ?, sku, title, options, gtin, mpn, price_cents, currency, 0, coalesce(lead_time_days, 1), '', image_url, description,
			coalesce(group_key, ''), sale_price_cents, ?, ?
			FROM apply_rows WHERE source_id IS NULL AND product_id IS NULL`, []any{s.AccountID, now, now}},
		{`UPDATE apply_rows SET product_id = (SELECT p.id FROM products p WHERE p.account_id = ? AND p.sku = apply_rows.sku)
			WHERE source_id IS NULL AND product_id IS NULL`, []any{s.AccountID}},
	}
	for _, st := range steps {
		if _, err := exec(st.q, st.args...); err != nil {
			return c, err
		}
	}
	var err error
	c.created, err = exec(`INSERT INTO product_sources (account_id, product_id, subscription_id, supplier_id, supplier_name, supplier_sku, gtin, mpn, priority,
		available, on_hand, cost_cents, currency, lead_time_days, url, last_seen_at, created_at, updated_at)
		SELECT ?, a.product_id, ?, ?, ?, a.sku, a.gtin, a.mpn,
		(SELECT coalesce(max(ps.priority), 0) + 1 FROM product_sources ps WHERE ps.product_id = a.product_id),
		coalesce(a.quantity, 0), CASE WHEN ? = 1 THEN max(coalesce(a.quantity, 0) - ?, 0) ELSE 0 END,
		a.cost_cents, a.currency, coalesce(a.lead_time_days, 1), a.url, ?, ?, ?
		FROM apply_rows a WHERE a.source_id IS NULL`,
		s.AccountID, s.ID, supplierID, supplierName, passive, s.Buffer, now, now, now)
	if err != nil {
		return c, err
	}
	if _, err := exec(`UPDATE apply_rows SET changed = 1 WHERE source_id IS NOT NULL AND EXISTS (SELECT 1 FROM product_sources ps WHERE ps.id = apply_rows.source_id AND (
		ps.missing_since IS NOT NULL
		OR ps.available IS DISTINCT FROM coalesce(apply_rows.quantity, ps.available)
		OR (? = 1 AND ps.on_hand IS DISTINCT FROM max(coalesce(apply_rows.quantity, ps.available) - ?, 0))
		OR ps.cost_cents IS DISTINCT FROM coalesce(apply_rows.cost_cents, ps.cost_cents)
		OR ps.lead_time_days IS DISTINCT FROM coalesce(apply_rows.lead_time_days, ps.lead_time_days)
		OR ps.url IS DISTINCT FROM apply_rows.url OR ps.gtin IS DISTINCT FROM apply_rows.gtin OR ps.mpn IS DISTINCT FROM apply_rows.mpn))`, passive, s.Buffer); err != nil {
		return c, err
	}
	c.updated, err = exec(`UPDATE product_sources SET
		available = coalesce(a.quantity, product_sources.available),
		on_hand = CASE WHEN ? = 1 THEN max(coalesce(a.quantity, product_sources.available) - ?, 0) ELSE product_sources.on_hand END,
		cost_cents = coalesce(a.cost_cents, product_sources.cost_cents),
		lead_time_days = coalesce(a.lead_time_days, product_sources.lead_time_days),
		url = a.url, gtin = a.gtin, mpn = a.mpn, missing_since = NULL, last_seen_at = ?, updated_at = ?
		FROM apply_rows a WHERE a.source_id = product_sources.id AND a.changed = 1`, passive, s.Buffer, now, now)
	if err != nil {
		return c, err
	}
	var present int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM apply_rows WHERE source_id IS NOT NULL").Scan(&present); err != nil {
		return c, err
	}
	c.unchanged = present - c.updated
	// Products gone from the feed are no longer available from this source.
	// This scans all the subscription's sources: skipped when none is missing.
	if !noneMissing {
		c.missing, err = exec(`UPDATE product_sources SET available = 0, on_hand = CASE WHEN ? = 1 THEN 0 ELSE on_hand END, missing_since = ?, updated_at = ?
			WHERE subscription_id = ? AND missing_since IS NULL AND NOT EXISTS (SELECT 1 FROM apply_rows a WHERE a.sku = product_sources.supplier_sku)`,
			passive, now, now, s.ID)
		if err != nil {
			return c, err
		}
	}
	// Orders that arrived before their products were linked get their
	// dropship badge now: link their lines, then refile them. An order
	// already dropshipped for its other lines is refiled too: the line
	// now linked waits to be dropshipped.
	if c.created > 0 {
		if _, err := exec(`UPDATE order_lines SET product_id = (SELECT p.id FROM products p WHERE p.account_id = order_lines.account_id AND p.sku = order_lines.sku)
			WHERE account_id = ? AND product_id IS NULL AND sku IN (SELECT sku FROM apply_rows WHERE source_id IS NULL)`, s.AccountID); err != nil {
			return c, err
		}
		// A line's product is the merchant's product with its SKU: the
		// lines are found by SKU, one index seek per new source.
		ids, err := queryIDs(ctx, tx, `SELECT DISTINCT ol.order_id FROM products p
			JOIN order_lines ol ON ol.account_id = p.account_id AND ol.sku = p.sku AND ol.product_id = p.id
			WHERE p.id IN (SELECT product_id FROM apply_rows WHERE source_id IS NULL)`)
		if err != nil {
			return c, err
		}
		if len(ids) > 0 {
			orders := make(map[int64]int64, len(ids))
			for _, id := range ids {
				orders[id] = s.AccountID
			}
			if err := db.refreshOrders(ctx, tx, orders); err != nil {
				return c, err
			}
		}
	}
	// Stores that push the merchant's stock are pushed the new quantities
	// soon (a push sends only what changed).
	if c.created+c.updated+c.missing > 0 {
		if err := markStockChanged(ctx, tx, s.AccountID); err != nil {
			return c, fmt.Errorf("apply run %d: %w", runID, err)
		}
	}
	if _, err := exec(`DELETE FROM apply_rows`); err != nil {
		return c, err
	}
	return c, nil
}

// finishRun records a run's outcome, releases the subscription and schedules its next run.
func (db *DB) finishRun(ctx context.Context, actor Actor, s Subscription, runID int64, state, msg string, c applyCounts) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := db.now()
	// Only a run that still holds its claim records an outcome and
	// releases the subscription: one taken over was closed by the pull
	// that took its subscription, which now holds the claim.
	res, err := tx.ExecContext(ctx, `UPDATE feed_runs SET state = ?, message = ?, finished_at = ?, created = ?, updated = ?, unchanged = ?, missing = ?
		WHERE id = ? AND state = 'running'`, state, msg, now, c.created, c.updated, c.unchanged, c.missing, runID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_rows WHERE run_id = ?", runID); err != nil {
			return err
		}
		return tx.Commit()
	}
	if state == RunFailed {
		if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_rows WHERE run_id = ?", runID); err != nil {
			return err
		}
	}
	loc := time.UTC
	var tz string
	if err := tx.QueryRowContext(ctx, "SELECT time_zone FROM accounts WHERE id = ?", s.AccountID).Scan(&tz); err == nil {
		loc = Account{TimeZone: tz}.Location()
	}
	if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET running_since = NULL, next_run_at = ? WHERE id = ?", nextRun(s, now, loc), s.ID); err != nil {
		return err
	}
	if err := db.audit(ctx, tx, actor, s.AccountID, "feed_run."+state, "subscription", s.ID,
		fmt.Sprintf("run %d: %d created, %d updated, %d unchanged, %d missing. %s", runID, c.created, c.updated, c.unchanged, c.missing, msg)); err != nil {
		return err
	}
	return tx.Commit()
}

// ResolveHeldRun applies (approve) or drops (discard) a run held for review.
func (db *DB) ResolveHeldRun(ctx context.Context, actor Actor, merchantID, runID int64, approve bool) (FeedRun, error) {
	run, err := db.FeedRun(ctx, merchantID, runID)
	if err != nil {
		return FeedRun{}, err
	}
	if run.State != RunHeld {
		return FeedRun{}, Conflict("Only a pull held for review can be approved or discarded.")
	}
	s, err := db.Subscription(ctx, merchantID, run.SubscriptionID)
	if err != nil {
		return FeedRun{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE feed_runs SET state = 'running' WHERE id = ? AND state = 'held'", runID)
	if err != nil {
		return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return FeedRun{}, Conflict("This pull was resolved meanwhile.")
	}
	now := db.now()
	var c applyCounts
	state, action := RunDiscarded, "feed_run.discarded"
	msg := "Discarded by " + actor.Name + ": nothing was applied."
	if approve {
		var staged int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM feed_run_rows WHERE run_id = ?", runID).Scan(&staged); err != nil {
			return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
		}
		if c, err = db.apply(ctx, tx, s, runID, false); err != nil {
			return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET last_success_at = ?, last_good_rows = ? WHERE id = ?", now, staged, s.ID); err != nil {
			return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
		}
		state, action, msg = RunSucceeded, "feed_run.approved", "Approved by "+actor.Name+" after being held for review."
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM feed_run_rows WHERE run_id = ?", runID); err != nil {
		return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE feed_runs SET state = ?, message = ?, finished_at = ?, created = ?, updated = ?, unchanged = ?, missing = ? WHERE id = ?`,
		state, msg, now, c.created, c.updated, c.unchanged, c.missing, runID); err != nil {
		return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, action, "subscription", s.ID, fmt.Sprintf("run %d", runID)); err != nil {
		return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return FeedRun{}, fmt.Errorf("store: resolve run: %w", err)
	}
	return db.FeedRun(ctx, merchantID, runID)
}

const runColumns = "id, account_id, subscription_id, trigger, state, started_at, finished_at, rows, created, updated, unchanged, missing, errors, message, notes"

func scanRun(row interface{ Scan(...any) error }) (FeedRun, error) {
	var r FeedRun
	var notes string
	err := row.Scan(&r.ID, &r.AccountID, &r.SubscriptionID, &r.Trigger, &r.State, &r.StartedAt, &r.FinishedAt, &r.Rows, &r.Created, &r.Updated, &r.Unchanged,
		&r.Missing, &r.Errors, &r.Message, &notes)
	if err == nil && notes != "" {
		_ = json.Unmarshal([]byte(notes), &r.Notes)
	}
	return r, err
}

// SummaryNotes says, in plain English, what a file held that was not
// imported or was filled in: the same words on Products → Import's preview
// and on a pull's run page.
func SummaryNotes(s feedfile.Summary) []string {
	var out []string
	if len(s.Ignored) > 0 {
		out = append(out, fmt.Sprintf("%s not imported (Dropline has no field for %s): %s.", feedfile.Plural(len(s.Ignored), "column", "columns"),
			map[bool]string{true: "it", false: "them"}[len(s.Ignored) == 1], strings.Join(s.Ignored, ", ")))
	}
	for _, e := range s.Empty {
		out = append(out, e.Sentence())
	}
	if s.InStock > 0 {
		out = append(out, fmt.Sprintf("%s said in stock without a number: given a quantity of %d.", feedfile.Plural(s.InStock, "row", "rows"), s.InStockQuantity))
	}
	if s.BuiltSKUs > 0 {
		out = append(out, fmt.Sprintf("%s had no SKU: SKUs were built from the handle and options, e.g. %s.", feedfile.Plural(s.BuiltSKUs, "variant", "variants"), s.BuiltExample))
	}
	if s.MissingSKUs > 0 {
		out = append(out, fmt.Sprintf("%s had no SKU and were skipped: let Dropline build SKUs from the handle and options to import them.", feedfile.Plural(s.MissingSKUs, "variant", "variants")))
	}
	return append(out, s.Notes...)
}

// FeedRun returns one of the acting merchant's runs.
func (db *DB) FeedRun(ctx context.Context, merchantID, runID int64) (FeedRun, error) {
	r, err := scanRun(db.rqRow(ctx, "SELECT "+runColumns+" FROM feed_runs WHERE id = ? AND account_id = ?", runID, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return FeedRun{}, fmt.Errorf("store: feed run %d: %w", runID, ErrNotFound)
	}
	if err != nil {
		return FeedRun{}, fmt.Errorf("store: feed run %d: %w", runID, err)
	}
	return r, nil
}

// FeedRuns lists a subscription's newest runs.
func (db *DB) FeedRuns(ctx context.Context, merchantID, subID int64, limit int) ([]FeedRun, error) {
	rows, err := db.rq(ctx, "SELECT "+runColumns+" FROM feed_runs WHERE account_id = ? AND subscription_id = ? ORDER BY id DESC LIMIT ?", merchantID, subID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: feed runs: %w", err)
	}
	defer rows.Close()
	var out []FeedRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: feed runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FeedRunErrors lists the row errors recorded on one of the acting merchant's runs.
func (db *DB) FeedRunErrors(ctx context.Context, merchantID, runID int64, limit int) ([]RunError, error) {
	rows, err := db.rq(ctx, `SELECT e.line, e.col, e.message, e.skipped FROM feed_run_errors e JOIN feed_runs r ON r.id = e.run_id
		WHERE e.run_id = ? AND r.account_id = ? ORDER BY e.line LIMIT ?`, runID, merchantID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: feed run errors: %w", err)
	}
	defer rows.Close()
	var out []RunError
	for rows.Next() {
		var e RunError
		if err := rows.Scan(&e.Line, &e.Column, &e.Message, &e.Skipped); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
