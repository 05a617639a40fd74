package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/dropline/dropline/handlers"
	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
)

// serveConfig is what serve needs.
type serveConfig struct {
	Addr string
	DB   string
	Demo bool
	// Tick is how often the background ticker looks for due feed pulls and outbox messages.
	Tick time.Duration
	// SMTP sends the outbox's emails; with no host they wait on the Outbox page.
	SMTP store.SMTPConfig
	// BaseURL is where people reach this Dropline, for links in emails;
	// "" is the address it listens on.
	BaseURL string
}

// leases are the lengths of the background jobs' claims; zero is the
// store's (a pull's claim lasts 2 minutes, renewed every 20 seconds; an
// outbox message's 2 minutes). The multi-instance test shortens them.
var leases struct{ pull, heartbeat, outbox time.Duration }

// app is a running Dropline: the store, the HTTP server and its listener.
// Tests boot it on port 0.
type app struct {
	db     *store.DB
	lock   *os.File // DB.lock, held while serving
	srv    *http.Server
	ln     net.Listener
	logins []store.DemoLogin
	puller *store.Puller
	mail   *store.Deliverer
	log    *slog.Logger
	tick   time.Duration
	stop   context.CancelFunc
	done   chan struct{}
	// polledAt is when this process last asked the tracking providers for
	// missed updates (the ticker's goroutine alone reads and writes it).
	polledAt time.Time
}

// startApp opens the store, migrates, seeds demo data on an empty database
// when asked, and listens. Serve must be called to answer requests. One
// process serves a SQLite database: it holds DB.lock while it runs. Several
// may serve a PostgreSQL database: each claims the background jobs it runs
// (feed pulls, outbox messages) in the database, for a lease it renews, so
// that each job runs once and a job of an instance that died is taken over
// by another when its lease runs out.
func startApp(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*app, error) {
	if store.IsPostgres(cfg.DB) {
		// Instances on one PostgreSQL database share it: every background
		// job is claimed in the database, not by a lock file.
		return openApp(ctx, cfg, logger)
	}
	lock, err := lockDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	a, err := openApp(ctx, cfg, logger)
	if err != nil {
		lock.Close()
		return nil, err
	}
	a.lock = lock
	return a, nil
}

// lockDB takes an exclusive lock on a file beside the database, so that a
// second `dropline serve` on the same file stops at once instead of
// closing the first one's running feed pulls as interrupted. The kernel
// drops the lock when the process ends, however it ends.
func lockDB(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another dropline is serving %s (it holds %s.lock): stop it first, or use another --db", path, path)
	}
	return f, nil
}

func openApp(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*app, error) {
	db, err := openStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 30 * time.Second
	}
	a := &app{db: db, log: logger, tick: cfg.Tick,
		puller: &store.Puller{DB: db, Fetcher: &fetch.Fetcher{}, Log: logger, Lease: leases.pull, Heartbeat: leases.heartbeat}}
	a.mail = &store.Deliverer{DB: db, Log: logger, Lease: leases.outbox}
	if cfg.SMTP.Host != "" {
		a.mail.Mailer = &store.SMTPMailer{Config: cfg.SMTP}
	}
	if cfg.Demo {
		logins, created, err := db.SeedDemo(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if created {
			a.logins = logins
		}
	}
	if n, err := db.RecoverInterrupted(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		logger.Warn("closed feed pulls interrupted by a server that stopped; they run again on the next tick", "runs", n)
	}
	hashKey, err := db.Secret(ctx, "session-hash-key", 64)
	if err != nil {
		db.Close()
		return nil, err
	}
	blockKey, err := db.Secret(ctx, "session-block-key", 32)
	if err != nil {
		db.Close()
		return nil, err
	}
	e, err := handlers.New(handlers.Config{Store: db, Logger: logger, SessionKeys: [][]byte{hashKey, blockKey}, Puller: a.puller})
	if err != nil {
		db.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a.ln = ln
	db.BaseURL = cfg.BaseURL
	if db.BaseURL == "" {
		db.BaseURL = a.URL()
	}
	a.srv = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of up to 50 MB
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return a, nil
}

// URL is where the app answers.
func (a *app) URL() string {
	addr := a.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() || addr.IP.IsLoopback() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Serve answers requests and runs the background ticker until Close.
func (a *app) Serve() error {
	ctx, stop := context.WithCancel(context.Background())
	a.stop, a.done = stop, make(chan struct{})
	go a.ticker(ctx)
	err := a.srv.Serve(a.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// ticker moves POs past their queue clock instants (late, due, stale),
// starts due feed pulls, emails reminders of POs email suppliers have not
// acknowledged in time, flags parcels with no carrier scan in time (not
// moving), asks the tracking providers hourly for updates their webhooks
// missed, delivers the outbox, pulls connected stores' orders
// and pushes them stock, now and then every tick. Schedules live in the
// database, so after a restart it resumes where the last process stopped.
func (a *app) ticker(ctx context.Context) {
	defer close(a.done)
	t := time.NewTicker(a.tick)
	defer t.Stop()
	for {
		if n, err := a.db.SweepQueueClock(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("queue ticker", "err", err)
		} else if n > 0 {
			a.log.Info("queue ticker", "requeued", n)
		}
		if n, err := a.puller.PullDue(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("feed ticker", "err", err)
		} else if n > 0 {
			a.log.Info("feed ticker", "pulled", n)
		}
		if n, err := a.db.SendPOReminders(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("reminder ticker", "err", err)
		} else if n > 0 {
			a.log.Info("reminder ticker", "reminded", n)
		}
		if n, err := a.db.FlagNotMoving(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("tracking ticker", "err", err)
		} else if n > 0 {
			a.log.Info("tracking ticker", "not_moving", n)
		}
		if now := a.db.Now(); now.Sub(a.polledAt) >= trackingPollEvery {
			a.polledAt = now
			a.pollTracking(ctx)
		}
		if n, err := a.mail.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("outbox ticker", "err", err)
		} else if n > 0 {
			a.log.Info("outbox ticker", "sent", n)
		}
		a.syncChannels(ctx)
		a.pushStock(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// trackingPollEvery is how often the ticker asks the tracking providers
// for the updates their webhooks missed: each pass asks about at most
// store.TrackingPollBatch shipments, each at most every
// store.TrackingPollAfter, so this only bounds how many calls an hour.
const trackingPollEvery = time.Hour

// pollTracking runs one pass of store.RefreshTracking over the guarded
// client feed downloads use. It logs counts and the provider's words,
// never a credential (the store never hands them out).
func (a *app) pollTracking(ctx context.Context) {
	fetcher, err := a.puller.Downloader(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("tracking poll", "err", err)
		}
		return
	}
	out, err := a.db.RefreshTracking(ctx, store.TrackingAPI{HTTP: fetcher.GuardedClient(), URLs: a.mail.TrackingURLs})
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Error("tracking poll", "err", err)
	case out.Failed > 0:
		a.log.Warn("tracking poll", "asked", out.Asked, "events_added", out.Added, "failed", out.Failed, "problem", out.Problem)
	case out.Asked > 0:
		a.log.Info("tracking poll", "asked", out.Asked, "events_added", out.Added)
	}
}

// channelSyncTimeout bounds one store's pull, so a slow store does not hold
// the ticker.
const channelSyncTimeout = 2 * time.Minute

// eachStore runs work on each store due returns, one after another, over
// the guarded client feed downloads use, each bounded by
// channelSyncTimeout, until ctx ends. what names the step in the log.
func (a *app) eachStore(ctx context.Context, what string, due func(context.Context, time.Time) ([]store.SalesChannel, error),
	work func(context.Context, store.SalesChannel, *http.Client)) {
	list, err := due(ctx, a.db.Now())
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error(what, "err", err)
		}
		return
	}
	for _, ch := range list {
		if ctx.Err() != nil {
			return
		}
		fetcher, err := a.puller.Downloader(ctx)
		if err != nil {
			a.log.Error(what, "err", err)
			return
		}
		sctx, cancel := context.WithTimeout(ctx, channelSyncTimeout)
		work(sctx, ch, fetcher.GuardedClient())
		cancel()
	}
}

// syncChannels pulls the orders of each store not pulled for
// store.ChannelSyncEvery. It logs counts and the platform's message, never
// credentials (the store never hands them out).
func (a *app) syncChannels(ctx context.Context) {
	a.eachStore(ctx, "channel ticker", a.db.ChannelsDueForSync, func(sctx context.Context, ch store.SalesChannel, client *http.Client) {
		res, err := a.db.SyncChannelOrders(sctx, ch.AccountID, ch.ID, client)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Warn("channel ticker", "channel", ch.ID, "kind", ch.Kind, "err", store.UserChannelMessage(err))
		case err == nil && (res.Created > 0 || res.Invalid > 0):
			a.log.Info("channel ticker", "channel", ch.ID, "kind", ch.Kind, "created", res.Created, "unchanged", res.Unchanged,
				"cancelled", res.Cancelled, "invalid", res.Invalid)
		}
	})
}

// pushStock pushes, to each store that pushes stock and is due (see
// store.ChannelsDueForStockPush), the sellable quantities that changed since
// its last push. A store whose push is throttled or fails keeps what was not
// sent for its next push; the platform's message is on the store's page.
func (a *app) pushStock(ctx context.Context) {
	a.eachStore(ctx, "stock ticker", a.db.ChannelsDueForStockPush, func(sctx context.Context, ch store.SalesChannel, client *http.Client) {
		res, err := a.db.PushChannelStock(sctx, ch.AccountID, ch.ID, client, false)
		switch {
		case errors.Is(err, store.ErrConflict):
			// Paused, turned off or taken by another push since the list
			// was read: nothing to do.
		case err != nil && ctx.Err() == nil:
			a.log.Error("stock ticker", "channel", ch.ID, "err", err)
		case err == nil && res.Error != "":
			a.log.Warn("stock ticker", "channel", ch.ID, "kind", ch.Kind, "sent", res.Sent, "waiting", res.Waiting, "err", res.Error)
		case err == nil && (res.Sent > 0 || res.Missing > 0):
			a.log.Info("stock ticker", "channel", ch.ID, "kind", ch.Kind, "sent", res.Sent, "missing", res.Missing, "waiting", res.Waiting)
		}
	})
}

// Close stops serving, waiting for requests in flight and background pulls, and closes the store.
func (a *app) Close(ctx context.Context) error {
	err := a.srv.Shutdown(ctx)
	if a.stop != nil {
		a.stop()
		<-a.done
	}
	a.puller.Wait()
	err = errors.Join(err, a.db.Close())
	if a.lock != nil {
		err = errors.Join(err, a.lock.Close())
	}
	return err
}

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlags("serve", getenv)
	defAddr := getenv("DROPLINE_ADDR")
	if defAddr == "" {
		defAddr = "localhost:8080"
	}
	addr := fs.String("addr", defAddr, "address to listen on (env DROPLINE_ADDR)")
	demo := fs.Bool("demo", true, "create demo accounts when the database is empty")
	tick := fs.Duration("tick", 30*time.Second, "how often to look for due feed pulls and outbox messages")
	smtpHost := fs.String("smtp-host", getenv("DROPLINE_SMTP_HOST"), "SMTP server for emails (env DROPLINE_SMTP_HOST); none: emails wait in the outbox")
	smtpPort := fs.Int("smtp-port", 587, "SMTP port")
	smtpUser := fs.String("smtp-user", getenv("DROPLINE_SMTP_USER"), "SMTP user name (env DROPLINE_SMTP_USER)")
	smtpPass := fs.String("smtp-password", getenv("DROPLINE_SMTP_PASSWORD"), "SMTP password (env DROPLINE_SMTP_PASSWORD)")
	mailFrom := fs.String("mail-from", getenv("DROPLINE_MAIL_FROM"), "From address of emails (env DROPLINE_MAIL_FROM)")
	baseURL := fs.String("base-url", getenv("DROPLINE_BASE_URL"), "where people reach this server, for links in emails, e.g. https://dropline.example.com (env DROPLINE_BASE_URL; default: the listen address)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *smtpHost != "" && *mailFrom == "" {
		return errors.New("serve: --smtp-host needs --mail-from (the address emails are sent from)")
	}
	if *baseURL != "" {
		u, err := url.Parse(*baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("serve: --base-url %q: give the scheme and host people reach this server at, e.g. https://dropline.example.com", *baseURL)
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	handlers.TuneGC(getenv)
	a, err := startApp(ctx, serveConfig{Addr: *addr, DB: *dbPath, Demo: *demo, Tick: *tick,
		SMTP: store.SMTPConfig{Host: *smtpHost, Port: *smtpPort, Username: *smtpUser, Password: *smtpPass, From: *mailFrom}, BaseURL: *baseURL}, logger)
	if err != nil {
		return err
	}
	out := map[string]any{"url": a.URL(), "db": store.DisplayName(*dbPath)}
	if a.logins != nil {
		out["demo_logins"] = a.logins
	}
	if err := printJSON(stdout, out); err != nil {
		return err
	}
	logger.Info("Dropline is serving", "url", a.URL(), "db", store.DisplayName(*dbPath))
	done := make(chan error, 1)
	go func() { done <- a.Serve() }()
	select {
	case err := <-done:
		a.Close(context.Background())
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		logger.Info("shutting down")
		return a.Close(shutdown)
	}
}
