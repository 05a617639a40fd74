package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// terms sets the payment terms of the world's link.
func (w *orderWorld) terms(t *testing.T, earnOn string, holding int) {
	t.Helper()
	ctx := context.Background()
	links, err := w.db.AccountLinks(ctx, w.merchant.ID)
	if err != nil || len(links) != 1 {
		t.Fatalf("links %v %v", links, err)
	}
	if _, err := w.db.UpdateMerchantLinkSettings(ctx, w.mActor, w.merchant.ID, links[0].ID, store.MerchantLinkSettings{
		POFormat: store.POFormatSequence, POPrefix: "PO-", EarnOn: earnOn, HoldingDays: holding}); err != nil {
		t.Fatal(err)
	}
}

// balance is the pair's one balance, seen from account.
func (w *orderWorld) balance(t *testing.T, account int64) store.Balance {
	t.Helper()
	bs, err := w.db.Balances(context.Background(), account, 0)
	if err != nil {
		t.Fatal(err)
	}
	switch len(bs) {
	case 0:
		return store.Balance{}
	case 1:
		return bs[0]
	}
	t.Fatalf("balances %+v", bs)
	return store.Balance{}
}

func (w *orderWorld) ship(t *testing.T, po store.PurchaseOrder, number string, lines ...store.ShipmentLine) store.Shipment {
	t.Helper()
	sh, err := w.db.AddShipment(context.Background(), w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "usps", TrackingNumber: number,
		ShipDate: w.now.Format(time.DateOnly), Override: true, Lines: lines})
	if err != nil {
		t.Fatalf("ship %s: %v", po.PONumber, err)
	}
	return sh
}

func (w *orderWorld) payout(amount, date string) error {
	_, err := w.db.RecordPayout(context.Background(), w.mActor, w.merchant.ID, store.PayoutInput{SupplierID: w.supplier.ID, Currency: "USD", Amount: amount, Date: date, Reference: "WIRE-1",
		IdempotencyKey: fmt.Sprint("payout-", rand.Int64())})
	return err
}

// TestPayoutSubmittedTwiceIsRecordedOnce: the same submit key again returns
// the first payout and records nothing, even when the balance would allow a
// second; a new key records a new payout; a form without a key is refused.
func TestPayoutSubmittedTwiceIsRecordedOnce(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#9101", orderfile.Line{SKU: "A-1", Quantity: 3})
	w.ship(t, po, "9400100000000000000011")
	w.now = w.now.AddDate(0, 0, 15)
	today := w.now.Format(time.DateOnly)
	in := store.PayoutInput{SupplierID: w.supplier.ID, Currency: "USD", Amount: "4.00", Date: today, Reference: "WIRE-7", IdempotencyKey: "form-1"}
	first, err := w.db.RecordPayout(ctx, w.mActor, w.merchant.ID, in)
	if err != nil || first.Replayed {
		t.Fatalf("first submit: %+v %v", first, err)
	}
	audit, _ := w.db.AuditLog(ctx, w.merchant.ID, 100)
	again, err := w.db.RecordPayout(ctx, w.mActor, w.merchant.ID, in)
	if err != nil || !again.Replayed || again.ID != first.ID {
		t.Fatalf("second submit: %+v %v, want the first payout %d replayed", again, err, first.ID)
	}
	if b := w.balance(t, w.merchant.ID); b.PaidCents != 400 || b.AvailableCents != 1100 {
		t.Fatalf("after a double submit: %+v, want 4.00 paid once", b)
	}
	if after, _ := w.db.AuditLog(ctx, w.merchant.ID, 100); len(after) != len(audit) {
		t.Errorf("the replay wrote %d audit entries", len(after)-len(audit))
	}
	in.IdempotencyKey = "form-2"
	if next, err := w.db.RecordPayout(ctx, w.mActor, w.merchant.ID, in); err != nil || next.Replayed || next.ID == first.ID {
		t.Fatalf("a new form: %+v %v", next, err)
	}
	if b := w.balance(t, w.merchant.ID); b.PaidCents != 800 {
		t.Fatalf("after two forms: paid %d, want 800", b.PaidCents)
	}
	in.IdempotencyKey = " "
	if _, err := w.db.RecordPayout(ctx, w.mActor, w.merchant.ID, in); fields(err)["idempotency_key"] == "" {
		t.Fatalf("a form without a key: %v", err)
	}
}

func TestEarningsAreHeldThenPaidOut(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#9001", orderfile.Line{SKU: "A-1", Quantity: 3}, orderfile.Line{SKU: "A-2", Quantity: 1})
	if b := w.balance(t, w.supplier.ID); b.EarnedCents != 0 {
		t.Fatalf("a PO earns nothing before it ships: %+v", b)
	}
	// 2 of A-1 at 5.00: 10.00 earned, held for the default 14 days.
	w.ship(t, po, "9400100000000000000001", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 2})
	b := w.balance(t, w.supplier.ID)
	if b.EarnedCents != 1000 || b.PendingCents != 1000 || b.AvailableCents != 0 || b.BalanceCents != 1000 {
		t.Fatalf("after the first parcel: %+v", b)
	}
	today := w.now.Format(time.DateOnly)
	if err := w.payout("5.00", today); fields(err)["amount"] == "" {
		t.Fatalf("a payout of held earnings: %v", err)
	}
	w.now = w.now.AddDate(0, 0, 15)
	if b := w.balance(t, w.merchant.ID); b.AvailableCents != 1000 || b.PendingCents != 0 {
		t.Fatalf("after the holding period, the merchant's view: %+v", b)
	}
	for _, bad := range []struct{ amount, date, field string }{
		{"", today, "amount"}, {"-1", today, "amount"}, {"0", today, "amount"}, {"1.001", today, "amount"}, {"10.01", w.now.Format(time.DateOnly), "amount"},
		{"1", "", "date"}, {"1", "21/11/2026", "date"}, {"1", w.now.AddDate(0, 0, 2).Format(time.DateOnly), "date"},
	} {
		if err := w.payout(bad.amount, bad.date); fields(err)[bad.field] == "" {
			t.Errorf("payout %q on %q: %v, want a %s error", bad.amount, bad.date, err, bad.field)
		}
	}
	if err := w.payout("6.00", w.now.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	b = w.balance(t, w.supplier.ID)
	if b.PaidCents != 600 || b.BalanceCents != 400 || b.AvailableCents != 400 {
		t.Fatalf("after a payout: %+v", b)
	}
	// The rest ships: 1 × A-1 and 1 × A-2 at 5.00 each, held again.
	w.ship(t, po, "9400100000000000000002")
	b = w.balance(t, w.supplier.ID)
	if b.EarnedCents != 2000 || b.PendingCents != 1000 || b.AvailableCents != 400 {
		t.Fatalf("after the second parcel: %+v", b)
	}
	// Both sides read the same statement for the whole time.
	from, to := w.now.AddDate(0, 0, -30).Format(time.DateOnly), w.now.Format(time.DateOnly)
	ms, err := w.db.Statement(ctx, w.merchant.ID, w.supplier.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := w.db.Statement(ctx, w.supplier.ID, w.merchant.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := store.StatementTotals{Currency: "USD", EarnedCents: 2000, PaidCents: 600, ClosingCents: 1400}
	if len(ms.Totals) != 1 || ms.Totals[0] != want || fmt.Sprint(ss.Totals) != fmt.Sprint(ms.Totals) {
		t.Fatalf("statements: merchant %+v, supplier %+v", ms.Totals, ss.Totals)
	}
	// A period after the first parcel opens with it.
	later, err := w.db.Statement(ctx, w.supplier.ID, w.merchant.ID, w.now.AddDate(0, 0, -1).Format(time.DateOnly), to)
	if err != nil {
		t.Fatal(err)
	}
	if got := later.Totals[0]; got.OpeningCents != 1000 || got.EarnedCents != 1000 || got.PaidCents != 600 || got.ClosingCents != 1400 {
		t.Fatalf("a later period: %+v", got)
	}
	var kinds []string
	n, err := w.db.StatementEntries(ctx, ms, 0, -1, func(e store.LedgerEntry) error {
		kinds = append(kinds, fmt.Sprintf("%s %d %s", e.Kind, e.AmountCents, e.PONumber))
		return nil
	})
	if err != nil || n != 4 || fmt.Sprint(kinds) != fmt.Sprintf("[earning 1000 %[1]s payout -600  earning 500 %[1]s earning 500 %[1]s]", po.PONumber) {
		t.Fatalf("entries %d %v %v", n, kinds, err)
	}
	// Another merchant's statement with this supplier does not exist for this one.
	if _, err := w.db.Statement(ctx, w.merchant.ID, w.merchant.ID, from, to); err == nil {
		t.Fatal("a statement with itself")
	}
}

func TestEarnOnDeliveryAndRejectAfterShipping(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	w.terms(t, store.EarnOnDelivered, 0)
	po := w.poFor(t, "#9101", orderfile.Line{SKU: "A-1", Quantity: 2}, orderfile.Line{SKU: "A-2", Quantity: 1})
	sh := w.ship(t, po, "9400100000000000000003")
	if b := w.balance(t, w.supplier.ID); b.EarnedCents != 0 {
		t.Fatalf("earning on delivery, a shipped PO earned: %+v", b)
	}
	if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh.ID); err != nil {
		t.Fatal(err)
	}
	if b := w.balance(t, w.supplier.ID); b.EarnedCents != 1500 || b.AvailableCents != 1500 {
		t.Fatalf("delivered with no holding period: %+v", b)
	}
	// Marking it delivered again earns nothing more.
	if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh.ID); err != nil {
		t.Fatal(err)
	}
	// A shipped line rejected (returned) gives back what it earned, with the reason.
	if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, po.ID, []int64{po.Lines[0].ID}, "Returned damaged"); err != nil {
		t.Fatal(err)
	}
	b := w.balance(t, w.supplier.ID)
	if b.EarnedCents != 1500 || b.AdjustCents != -1000 || b.BalanceCents != 500 || b.AvailableCents != 500 {
		t.Fatalf("after the return: %+v", b)
	}
	st, err := w.db.Statement(ctx, w.merchant.ID, w.supplier.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var reason string
	if _, err := w.db.StatementEntries(ctx, st, 0, -1, func(e store.LedgerEntry) error {
		if e.Kind == store.LedgerAdjustment {
			reason = fmt.Sprintf("%d %s %d", e.AmountCents, e.Reason, e.Quantity)
		}
		return nil
	}); err != nil || reason != "-1000 Returned damaged 2" {
		t.Fatalf("adjustment %q %v", reason, err)
	}
	// Rejecting it again is refused; cancelled lines never earn.
	if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, po.ID, []int64{po.Lines[0].ID}, "again"); fields(err)["lines"] == "" {
		t.Fatalf("reject twice: %v", err)
	}
	po2 := w.poFor(t, "#9102", orderfile.Line{SKU: "A-3", Quantity: 1})
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po2.ID, "customer changed mind"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po2.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if b := w.balance(t, w.supplier.ID); b.EarnedCents != 1500 || b.BalanceCents != 500 {
		t.Fatalf("after a cancellation: %+v", b)
	}
}

// A shipped line whose earning is still held loses it from the pending part
// too: the supplier is not told it will be paid what it will not.
func TestRejectingAHeldEarningLeavesNothingPending(t *testing.T) {
	w := newOrderWorld(t)
	po := w.poFor(t, "#9201", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000004")
	if err := w.db.RejectPOLines(context.Background(), w.sActor, w.supplier.ID, po.ID, []int64{po.Lines[0].ID}, "Lost in transit"); err != nil {
		t.Fatal(err)
	}
	if b := w.balance(t, w.supplier.ID); b.BalanceCents != 0 || b.PendingCents != 0 || b.AvailableCents != 0 {
		t.Fatalf("%+v", b)
	}
}

// TestLedgerReconcilesOverRandomPOs drives random POs through partial
// shipments, deliveries, returns, cancellations, payouts and both payment
// terms, days apart, and checks that the money reconciles to the cent: every
// statement's closing is its opening plus its movements, consecutive
// periods chain, the entries sum to the totals, both sides agree, and the
// total earned is exactly the cost of what shipped and was not returned.
func TestLedgerReconcilesOverRandomPOs(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { reconcile(t, seed) })
	}
}

func reconcile(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	w := newOrderWorld(t)
	ctx := context.Background()
	start := w.now
	// Costs vary per product; the feed carries them onto the sources.
	for i, sku := range []string{"A-1", "A-2", "A-3"} {
		page, _ := w.db.Products(ctx, w.supplier.ID, store.ProductFilter{Query: sku, Status: "all"})
		in := store.ProductInput{SKU: sku, Title: "Item " + sku, GTIN: "0001234567" + fmt.Sprint(i), Quantity: 1000, LeadTimeDays: 1,
			CostCents: 1 + rng.Int64N(99999), HasCost: true, PriceCents: 1299, HasPrice: true, Active: true}
		if _, err := w.db.SaveProduct(ctx, w.sActor, w.supplier.ID, page.Products[0].ID, in); err != nil {
			t.Fatal(err)
		}
	}
	subs, _ := w.db.Subscriptions(ctx, w.merchant.ID)
	if r := w.pull(t, subs[0].ID); r.State != store.RunSucceeded {
		t.Fatalf("pull: %s", counts(r))
	}
	// A model of what the ledger should hold: each shipment line's earning,
	// made under the terms in force when it shipped or was delivered.
	type key struct{ shipment, line int64 }
	earned := map[key]int64{}
	cost := map[int64]int64{}
	rejected := map[int64]bool{}
	var adjusted int64
	earnOn := store.EarnOnShipped
	var pos []store.PurchaseOrder
	tracking := 0
	for step := range 60 {
		w.now = w.now.Add(time.Duration(1+rng.IntN(40)) * time.Hour)
		switch op := rng.IntN(10); {
		case op < 3 || len(pos) == 0:
			if rng.IntN(4) == 0 {
				earnOn = []string{store.EarnOnShipped, store.EarnOnDelivered}[rng.IntN(2)]
				w.terms(t, earnOn, rng.IntN(20))
			}
			var lines []orderfile.Line
			for _, sku := range []string{"A-1", "A-2", "A-3"} {
				if rng.IntN(2) == 0 || len(lines) == 0 {
					lines = append(lines, orderfile.Line{SKU: sku, Quantity: 1 + rng.IntN(5)})
				}
			}
			po := w.poFor(t, fmt.Sprintf("#R%d-%d", seed, step), lines...)
			for _, l := range po.Lines {
				cost[l.ID] = l.CostCents
			}
			pos = append(pos, po)
		case op < 6:
			po := pos[rng.IntN(len(pos))]
			cur, _ := w.db.PurchaseOrder(ctx, w.supplier.ID, po.ID)
			var lines []store.ShipmentLine
			for _, l := range cur.Lines {
				if left := l.Quantity - l.ShippedQty; l.Status == "open" && left > 0 && rng.IntN(2) == 0 {
					lines = append(lines, store.ShipmentLine{POLineID: l.ID, Quantity: 1 + rng.IntN(left)})
				}
			}
			tracking++
			sh, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "usps", TrackingNumber: fmt.Sprintf("94001%017d", tracking),
				ShipDate: w.now.Format(time.DateOnly), Override: true, Lines: lines})
			if err == nil && earnOn == store.EarnOnShipped {
				for _, l := range sh.Lines {
					earned[key{sh.ID, l.POLineID}] = int64(l.Quantity) * cost[l.POLineID]
				}
			} // refused when nothing is left to ship: fine
		case op < 7:
			po := pos[rng.IntN(len(pos))]
			shs, _ := w.db.Shipments(ctx, w.supplier.ID, po.ID)
			if len(shs) == 0 {
				continue
			}
			sh := shs[rng.IntN(len(shs))]
			if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh.ID); err != nil {
				t.Fatal(err)
			}
			if sh.DeliveredAt == nil && earnOn == store.EarnOnDelivered {
				for _, l := range sh.Lines {
					if k := (key{sh.ID, l.POLineID}); !rejected[l.POLineID] && earned[k] == 0 {
						earned[k] = int64(l.Quantity) * cost[l.POLineID]
					}
				}
			}
		case op < 8:
			po := pos[rng.IntN(len(pos))]
			cur, _ := w.db.PurchaseOrder(ctx, w.supplier.ID, po.ID)
			l := cur.Lines[rng.IntN(len(cur.Lines))]
			// Refused for closed lines. An open line's remainder is
			// declined: what it shipped keeps (and still makes) its
			// earnings. A shipped line is a return: it gives them back.
			if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, po.ID, []int64{l.ID}, "returned"); err == nil && l.Status == "shipped" {
				rejected[l.ID] = true
				for k, v := range earned {
					if k.line == l.ID {
						adjusted -= v
					}
				}
			}
		case op < 9:
			po := pos[rng.IntN(len(pos))]
			if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, "changed"); err == nil {
				if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po.ID, rng.IntN(2) == 0, "too late"); err != nil {
					t.Fatal(err)
				}
			}
		default:
			if b := w.balance(t, w.merchant.ID); b.AvailableCents > 0 {
				amount := 1 + rng.Int64N(b.AvailableCents)
				if err := w.payout(store.FormatMoney(amount), w.now.Format(time.DateOnly)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var wantEarned int64
	for _, v := range earned {
		wantEarned += v
	}
	b := w.balance(t, w.supplier.ID)
	t.Logf("%d POs, %d earnings: %+v", len(pos), len(earned), b)
	if b.EarnedCents != wantEarned || b.AdjustCents != adjusted {
		t.Fatalf("earned %d adjusted %d, the model says %d and %d", b.EarnedCents, b.AdjustCents, wantEarned, adjusted)
	}
	if b.BalanceCents != b.EarnedCents+b.AdjustCents-b.PaidCents || b.AvailableCents != b.BalanceCents-b.PendingCents || b.PendingCents < 0 {
		t.Fatalf("balance does not add up: %+v", b)
	}
	// Whole history in one statement, and cut into periods of random length.
	end := w.now.AddDate(0, 0, 1)
	whole, err := w.db.Statement(ctx, w.supplier.ID, w.merchant.ID, start.AddDate(0, 0, -1).Format(time.DateOnly), end.Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Totals) != 1 {
		t.Fatalf("totals %+v", whole.Totals)
	}
	wt := whole.Totals[0]
	if wt.OpeningCents != 0 || wt.EarnedCents != b.EarnedCents || wt.AdjustCents != b.AdjustCents || wt.PaidCents != b.PaidCents || wt.ClosingCents != b.BalanceCents {
		t.Fatalf("whole statement %+v, balance %+v", wt, b)
	}
	opening := int64(0)
	for day := start.AddDate(0, 0, -1); !day.After(end); {
		next := day.AddDate(0, 0, 1+rng.IntN(9))
		to := next.AddDate(0, 0, -1)
		ms, err := w.db.Statement(ctx, w.merchant.ID, w.supplier.ID, day.Format(time.DateOnly), to.Format(time.DateOnly))
		if err != nil {
			t.Fatal(err)
		}
		ss, _ := w.db.Statement(ctx, w.supplier.ID, w.merchant.ID, day.Format(time.DateOnly), to.Format(time.DateOnly))
		if fmt.Sprint(ms.Totals) != fmt.Sprint(ss.Totals) {
			t.Fatalf("the two sides differ for %s..%s: %+v %+v", ms.From, ms.To, ms.Totals, ss.Totals)
		}
		var sum [3]int64 // earned, adjusted, paid from the entries
		if _, err := w.db.StatementEntries(ctx, ms, 0, -1, func(e store.LedgerEntry) error {
			switch e.Kind {
			case store.LedgerEarning:
				sum[0] += e.AmountCents
			case store.LedgerAdjustment:
				sum[1] += e.AmountCents
			case store.LedgerPayout:
				sum[2] -= e.AmountCents
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var got store.StatementTotals
		if len(ms.Totals) == 1 {
			got = ms.Totals[0]
		}
		if got.OpeningCents != opening || got.ClosingCents != got.OpeningCents+got.EarnedCents+got.AdjustCents-got.PaidCents ||
			sum != [3]int64{got.EarnedCents, got.AdjustCents, got.PaidCents} {
			t.Fatalf("period %s..%s: %+v, entries %v, opening carried %d", ms.From, ms.To, got, sum, opening)
		}
		opening = got.ClosingCents
		day = next
	}
	if opening != b.BalanceCents {
		t.Fatalf("the last period closes at %d, the balance is %d", opening, b.BalanceCents)
	}

	// The scorecard counts kept event by event equal those derived again
	// from the POs.
	var kept []store.Scorecard
	for _, days := range store.ScorecardWindows {
		sc, err := w.db.Scorecard(ctx, w.supplier.ID, w.supplier.ID, 0, days)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, sc)
	}
	// So do the queue's tab counts and their lists, after every kind of change.
	checkQueueCounts(t, w.db, w.supplier.ID, nil)
	if kept[0].Received == 0 || kept[0].Shipments == 0 {
		t.Fatalf("scorecard counted nothing: %+v", kept[0])
	}
	if err := w.db.RebuildScorecards(ctx); err != nil {
		t.Fatal(err)
	}
	for i, days := range store.ScorecardWindows {
		sc, _ := w.db.Scorecard(ctx, w.supplier.ID, w.supplier.ID, 0, days)
		if fmt.Sprintf("%+v", sc) != fmt.Sprintf("%+v", kept[i]) {
			t.Fatalf("%d days: kept %+v, rebuilt %+v", days, kept[i], sc)
		}
	}
}
