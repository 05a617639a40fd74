package main

// The multi-instance test: two `dropline serve` processes (this test
// binary, re-run with DROPLINE_MULTI_CHILD set) on one PostgreSQL
// database, one killed with SIGKILL in the middle of a feed pull and
// another in the middle of sending an email. Every pull completes once,
// every email is sent once, and a session made on one instance is good on
// the other.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/dropline/dropline/store/storetest"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to look at the database

	"github.com/dropline/dropline/store"
)

const (
	multiChildEnv = "DROPLINE_MULTI_CHILD" // the serve arguments, as JSON
	multiLeaseEnv = "DROPLINE_MULTI_LEASES"
	// The children's leases: a pull's, its heartbeat, an email's. An
	// email's outlasts the time the test keeps the SMTP server waiting
	// before it kills the sender (as 2 minutes outlast a send in
	// production): a send is never taken over while it runs.
	multiLeases = "3s 500ms 8s"
)

func TestMain(m *testing.M) {
	if args := os.Getenv(multiChildEnv); args != "" {
		os.Exit(multiChild(args))
	}
	os.Exit(m.Run())
}

// multiChild is one serve process of the test, with short leases.
func multiChild(rawArgs string) int {
	var args []string
	if err := json.Unmarshal([]byte(rawArgs), &args); err != nil {
		fmt.Fprintln(os.Stderr, "multi child:", err)
		return 2
	}
	for i, f := range strings.Fields(os.Getenv(multiLeaseEnv)) {
		d, err := time.ParseDuration(f)
		if err != nil || i > 2 {
			fmt.Fprintln(os.Stderr, "multi child leases:", os.Getenv(multiLeaseEnv))
			return 2
		}
		*[]*time.Duration{&leases.pull, &leases.heartbeat, &leases.outbox}[i] = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "multi child:", err)
		return 1
	}
	return 0
}

// instance is one serve process.
type instance struct {
	name string
	cmd  *exec.Cmd
	url  string
	log  string // its stderr, a file
}

func startInstance(t *testing.T, name, dsn string, smtpPort int) *instance {
	t.Helper()
	args, _ := json.Marshal([]string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--demo=false", "--tick", "200ms",
		"--smtp-host", "127.0.0.1", "--smtp-port", fmt.Sprint(smtpPort), "--mail-from", "dropline@example.com"})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), multiChildEnv+"="+string(args), multiLeaseEnv+"="+multiLeases)
	logPath := filepath.Join(t.TempDir(), name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := &instance{name: name, cmd: cmd, log: logPath}
	t.Cleanup(func() {
		in.cmd.Process.Kill()
		in.cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(in.log)
			t.Logf("--- %s's log:\n%s", in.name, b)
		}
	})
	started := make(chan error, 1)
	go func() {
		// serve prints one JSON object: where it answers.
		dec := json.NewDecoder(stdout)
		var out struct{ URL string }
		err := dec.Decode(&out)
		in.url = out.URL
		started <- err
		io.Copy(io.Discard, io.MultiReader(dec.Buffered(), stdout))
	}()
	select {
	case err := <-started:
		if err != nil || in.url == "" {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("%s did not print its address (%v); its log:\n%s", name, err, b)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start", name)
	}
	return in
}

// kill ends the instance as a power cut would.
func (in *instance) kill(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	in.cmd.Wait()
}

// slowFeed serves a CSV feed and counts its requests. While held, a
// request sends its first rows and waits for the release before the rest.
type slowFeed struct {
	mu       sync.Mutex
	requests int
	hold     chan struct{}
	arrived  chan struct{}
}

func (f *slowFeed) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	hold := f.hold
	f.mu.Unlock()
	f.arrived <- struct{}{}
	fmt.Fprint(rw, "sku,title,quantity,cost\n")
	for i := range 50 {
		fmt.Fprintf(rw, "M-%d,Item %d,%d,1.50\n", i, i, 5)
	}
	rw.(http.Flusher).Flush()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	for i := 50; i < 100; i++ {
		fmt.Fprintf(rw, "M-%d,Item %d,%d,1.50\n", i, i, 5)
	}
}

func (f *slowFeed) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *slowFeed) setHold(c chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = c
}

// smtpSink is an SMTP server that counts the messages it accepts, by
// subject. While held, it waits at DATA before taking the message: a
// client killed then has sent nothing.
type smtpSink struct {
	ln       net.Listener
	mu       sync.Mutex
	subjects map[string]int
	hold     chan struct{}
	dataAt   chan struct{} // gets a value per DATA command
}

func newSMTPSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, subjects: map[string]int{}, dataAt: make(chan struct{}, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpSink) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpSink) setHold(c chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = c
}

func (s *smtpSink) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.subjects)
}

func (s *smtpSink) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(conn)
	reply := func(line string) bool {
		_, err := fmt.Fprintf(conn, "%s\r\n", line)
		return err == nil
	}
	reply("220 sink.example ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250 sink.example")
		case strings.HasPrefix(cmd, "QUIT"):
			reply("221 bye")
			return
		case strings.HasPrefix(cmd, "DATA"):
			s.dataAt <- struct{}{}
			s.mu.Lock()
			hold := s.hold
			s.mu.Unlock()
			if hold != nil {
				<-hold
			}
			if !reply("354 go on") {
				return
			}
			subject, complete := "", false
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return // the client died: nothing was sent
				}
				l = strings.TrimRight(l, "\r\n")
				if l == "." {
					complete = true
					break
				}
				if v, ok := strings.CutPrefix(l, "Subject: "); ok && subject == "" {
					subject = v
				}
			}
			if complete {
				s.mu.Lock()
				s.subjects[subject]++
				s.mu.Unlock()
				reply("250 queued")
			}
		default:
			reply("250 ok")
		}
	}
}

// waitFor polls cond until it holds or the time runs out.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestSeveralInstancesShareOnePostgresDatabase(t *testing.T) {
	dsn := storetest.EmptyPostgres(t)
	ctx := context.Background()

	// The accounts and the feed subscription, made as the CLI would.
	db, err := openStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	merchant, admin, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Shop", Kind: store.KindMerchant}, "owner@shop.example", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAccountSettings(ctx, store.CLIActor, merchant.ID, store.AccountSettings{Name: merchant.Name, TimeZone: merchant.TimeZone, DropshipEnabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	feed := &slowFeed{arrived: make(chan struct{}, 100)}
	feedSrv := &http.Server{Handler: feed}
	feedLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go feedSrv.Serve(feedLn)
	defer feedSrv.Close()
	hold := make(chan struct{})
	feed.setHold(hold) // the first pull stalls halfway through the file
	sub, err := db.SaveSubscription(ctx, store.Actor{UserID: admin.ID, Name: admin.Email}, merchant.ID, 0, store.SubscriptionInput{
		URL: "http://" + feedLn.Addr().String() + "/feed.csv", Name: "Slow feed", IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	look, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer look.Close()
	runs := func() []string {
		var out []string
		rows, err := look.Query("SELECT state || ':' || message FROM feed_runs WHERE subscription_id = $1 ORDER BY id", sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	mail := newSMTPSink(t)

	// 1. A pulls the feed (it is the only instance); B starts meanwhile and
	// leaves A's live claim alone; A is killed mid-pull; B takes over once
	// A's lease runs out, and pulls once.
	a := startInstance(t, "A", dsn, mail.port())
	select {
	case <-feed.arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("A did not pull the due feed")
	}
	b := startInstance(t, "B", dsn, mail.port())
	time.Sleep(time.Second) // B ticks five times
	if got := runs(); feed.count() != 1 || !slices.Equal(got, []string{"running:"}) {
		t.Fatalf("with A pulling, B started: %d requests, runs %q; want B to leave A's pull alone", feed.count(), got)
	}
	a.kill(t)
	feed.setHold(nil)
	close(hold)
	t0 := time.Now()
	waitFor(t, "B to take the pull over", 20*time.Second, func() bool {
		got := runs()
		return len(got) == 2 && got[1] == "succeeded:"
	})
	t.Logf("B took the pull over %s after A was killed", time.Since(t0).Round(100*time.Millisecond))
	if got := runs(); feed.count() != 2 || !strings.HasPrefix(got[0], "failed:Interrupted") {
		t.Fatalf("after the takeover: %d requests, runs %q; want A's failed as interrupted and B's succeeded", feed.count(), got)
	}
	var products int
	if err := look.QueryRow("SELECT count(*) FROM product_sources WHERE subscription_id = $1", sub.ID).Scan(&products); err != nil || products != 100 {
		t.Fatalf("%d sources (%v), want the feed's 100", products, err)
	}

	// 2. B sends emails (it is the only instance) and is killed while the
	// SMTP server keeps it waiting at the first; A2, started meanwhile,
	// sends nothing until B's claims run out, then sends each once.
	mailHold := make(chan struct{})
	mail.setHold(mailHold)
	var subjects []string
	for i := range 5 {
		subject := fmt.Sprintf("Multi %d", i)
		subjects = append(subjects, subject)
		if _, err := look.Exec(`INSERT INTO outbox (account_id, kind, topic, recipient, subject, body, next_attempt_at, created_at, from_name, reply_to)
			VALUES ($1, 'email', 'test', 'ada@example.com', $2, 'Hello', now(), now(), '', '')`, merchant.ID, subject); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-mail.dataAt:
	case <-time.After(20 * time.Second):
		t.Fatal("B did not send the emails")
	}
	a2 := startInstance(t, "A2", dsn, mail.port())
	time.Sleep(time.Second)
	if got := mail.counts(); len(got) != 0 || len(mail.dataAt) != 0 {
		t.Fatalf("A2 sent %v while B held the claims", got)
	}
	b.kill(t)
	mail.setHold(nil)
	close(mailHold)
	t0 = time.Now()
	waitFor(t, "A2 to send B's emails", 20*time.Second, func() bool { return len(mail.counts()) == len(subjects) })
	t.Logf("A2 sent B's emails %s after B was killed", time.Since(t0).Round(100*time.Millisecond))
	time.Sleep(500 * time.Millisecond) // a second send would come now
	for _, s := range subjects {
		if n := mail.counts()[s]; n != 1 {
			t.Errorf("%s sent %d times, want once", s, n)
		}
	}
	var pending int
	if err := look.QueryRow("SELECT count(*) FROM outbox WHERE state <> 'sent'").Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d messages not marked sent (%v)", pending, err)
	}

	// 3. With two live instances, each due pull runs once, and each new
	// email goes once.
	b2 := startInstance(t, "B2", dsn, mail.port())
	for round := range 3 {
		before := feed.count()
		if _, err := look.Exec("UPDATE subscriptions SET next_run_at = now() - interval '1 minute' WHERE id = $1", sub.ID); err != nil {
			t.Fatal(err)
		}
		subject := fmt.Sprintf("Round %d", round)
		subjects = append(subjects, subject)
		if _, err := look.Exec(`INSERT INTO outbox (account_id, kind, topic, recipient, subject, body, next_attempt_at, created_at, from_name, reply_to)
			VALUES ($1, 'email', 'test', 'ada@example.com', $2, 'Hello', now(), now(), '', '')`, merchant.ID, subject); err != nil {
			t.Fatal(err)
		}
		waitFor(t, fmt.Sprintf("round %d's pull", round), 10*time.Second, func() bool {
			got := runs()
			return len(got) == 3+round && got[len(got)-1] == "succeeded:"
		})
		waitFor(t, fmt.Sprintf("round %d's email", round), 10*time.Second, func() bool { return mail.counts()[subject] > 0 })
		time.Sleep(600 * time.Millisecond) // three ticks of each: a second pull or send would come now
		if n := feed.count() - before; n != 1 || len(runs()) != 3+round {
			t.Fatalf("round %d: the feed was requested %d times, runs %q; want once", round, n, runs())
		}
	}
	for _, s := range subjects {
		if n := mail.counts()[s]; n != 1 {
			t.Errorf("%s sent %d times, want once", s, n)
		}
	}

	// 4. A session made on A2 is good on B2; the sign-in limits count the
	// attempts made on both.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	signIn := func(base, email, password string) int {
		t.Helper()
		res, err := client.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`name="_csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_csrf"`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF field on %s/login:\n%s", base, page)
		}
		token := string(m[1]) + string(m[2])
		res, err = client.PostForm(base+"/login", url.Values{"_csrf": {token}, "email": {email}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if code := signIn(a2.url, "owner@shop.example", "a long password"); code != http.StatusSeeOther {
		t.Fatalf("sign-in on A2: %d, want 303", code)
	}
	// The cookie jar keeps cookies by host, not port: B2 gets A2's cookie.
	res, err := client.Get(b2.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Shop") {
		t.Fatalf("B2 with A2's session: %d %s\n%.500s", res.StatusCode, res.Header.Get("Location"), page)
	}
	jar, _ = cookiejar.New(nil)
	client.Jar = jar
	for i := range 5 {
		base := []string{a2.url, b2.url}[i%2]
		if code := signIn(base, "owner@shop.example", "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, code)
		}
	}
	for _, base := range []string{a2.url, b2.url} {
		if code := signIn(base, "owner@shop.example", "a long password"); code != http.StatusTooManyRequests {
			t.Fatalf("sixth attempt on %s after five wrong on both: %d, want 429", base, code)
		}
	}
}
