package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// countingMailer counts what it sends, slowly enough for two passes to
// overlap.
type countingMailer struct {
	mu   sync.Mutex
	sent map[string]int
}

func (m *countingMailer) Send(ctx context.Context, e store.Email) error {
	time.Sleep(2 * time.Millisecond)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[e.Subject]++
	return nil
}

// TestTwoDeliveryPassesSendEachMessageOnce: two passes at once, as two
// instances serving one database run them, send every message exactly once.
func TestTwoDeliveryPassesSendEachMessageOnce(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	for i := range 60 {
		if err := p.db.EnqueueEmail(ctx, p.merchant.ID, "ada@example.com", fmt.Sprintf("message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	mailer := &countingMailer{sent: map[string]int{}}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			d := &store.Deliverer{DB: p.db, Mailer: mailer}
			for {
				n, err := d.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(mailer.sent) != 60 {
		t.Fatalf("%d of 60 messages sent", len(mailer.sent))
	}
	for subject, n := range mailer.sent {
		if n != 1 {
			t.Fatalf("%s sent %d times", subject, n)
		}
	}
}

// TestADeadPassesClaimIsTakenOver: a pass that claimed messages and died
// holds them until its claim runs out; then another pass sends them. A
// restart (RecoverInterrupted, which one process per SQLite database makes
// safe) releases them at once.
func TestADeadPassesClaimIsTakenOver(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	now := time.Now().UTC()
	p.db.Now = func() time.Time { return now }
	if err := p.db.EnqueueEmail(ctx, p.merchant.ID, "ada@example.com", "held"); err != nil {
		t.Fatal(err)
	}
	raw, err := p.db.OpenSQL()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The dead pass's claim, as DeliverDue writes it.
	if _, err := raw.Exec("UPDATE outbox SET claim_token = 'dead', claimed_until = ?", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	mailer := &countingMailer{sent: map[string]int{}}
	d := &store.Deliverer{DB: p.db, Mailer: mailer}
	if n, err := d.DeliverDue(ctx); err != nil || n != 0 {
		t.Fatalf("while the claim holds: sent %d (%v), want 0", n, err)
	}
	now = now.Add(3 * time.Minute)
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 || mailer.sent["held"] != 1 {
		t.Fatalf("after the claim ran out: sent %d (%v), want 1", n, err)
	}
	// Claimed again by a dead pass, then the server restarts.
	if err := p.db.EnqueueEmail(ctx, p.merchant.ID, "ada@example.com", "restart"); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE outbox SET claim_token = 'dead', claimed_until = ? WHERE state = 'pending'", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.db.RecoverInterrupted(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 || mailer.sent["restart"] != 1 {
		t.Fatalf("after a restart: sent %d (%v), want 1", n, err)
	}
}
