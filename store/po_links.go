package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Why a PO's link was emailed.
const (
	LinkNew      = "new"      // the PO was placed
	LinkReminder = "reminder" // the PO was not acknowledged within the supplier's deadline
	LinkResent   = "resent"   // the merchant sent it again, revoking the earlier links
)

// LinkLifetime is how long a PO's email links keep working once the PO is
// closed (shipped, delivered, cancelled or rejected).
const LinkLifetime = 30 * 24 * time.Hour

// DefaultBaseURL is where Dropline answers when no base URL is configured.
const DefaultBaseURL = "http://localhost:8080"

// baseURL is the address links in emails start with.
func (db *DB) baseURL() string {
	if db.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(db.BaseURL, "/")
}

// POLinkPath is the path of the one-PO page a link opens: the PO's ID and
// the token bound to it.
func POLinkPath(poID int64, token string) string {
	return "/po-link/" + strconv.FormatInt(poID, 10) + "/" + token
}

// linkTokenLen is the length of a link's token: 32 random bytes (256
// bits), base64url without padding.
const linkTokenLen = 43

// EmailLink is a signed link to one PO, emailed to one of its email
// supplier's order addresses: whoever holds it acts on that PO alone,
// without signing in, in that address's name.
type EmailLink struct {
	ID            int64
	POID          int64
	Email         string
	Reason        string // LinkNew, LinkReminder or LinkResent
	CreatedBy     string
	CreatedAt     time.Time
	RevokedAt     *time.Time
	RevokedBy     string
	FirstOpenedAt *time.Time
	LastOpenedAt  *time.Time
	Opens         int
	// The email that carried it, as the outbox has it: "pending", "sent"
	// or "failed", when it was sent, and why it waits or failed.
	EmailState string
	EmailSent  *time.Time
	EmailNote  string
}

// Actor is who acts through the link, as the audit log and the order's
// timeline name them.
func (l EmailLink) Actor() Actor { return Actor{Name: "via email link (" + l.Email + ")"} }

const emailLinkColumns = `l.id, l.po_id, l.email, l.reason, l.created_by, l.created_at, l.revoked_at, l.revoked_by, l.first_opened_at, l.last_opened_at, l.opens,
	coalesce(o.state, ''), o.sent_at, coalesce(o.last_error, '')`

const emailLinkFrom = " FROM po_links l LEFT JOIN outbox o ON o.id = l.message_id"

func scanEmailLink(row interface{ Scan(...any) error }, extra ...any) (EmailLink, error) {
	var l EmailLink
	err := row.Scan(append([]any{&l.ID, &l.POID, &l.Email, &l.Reason, &l.CreatedBy, &l.CreatedAt, &l.RevokedAt, &l.RevokedBy, &l.FirstOpenedAt, &l.LastOpenedAt, &l.Opens,
		&l.EmailState, &l.EmailSent, &l.EmailNote}, extra...)...)
	return l, err
}

// linksExpireAfter is the oldest last change of a closed PO whose links
// still work at now.
func linksExpireAfter(now time.Time) time.Time { return now.Add(-LinkLifetime) }

// poLinksLive is the SQL condition (over purchase_orders po) under which a
// PO's links work: released, and open or closed less than LinkLifetime ago
// (the PO's last change, its closing or a later delivery, counts).
const poLinksLive = "po.release_at <= ? AND (po.status IN ('open', 'partially_shipped') OR po.updated_at > ?)"

// emailPO emails the PO to each of its supplier's order addresses, due at
// at, each email with a link of its own, and returns the addresses. A PO
// whose supplier is not reached by email gets nothing. The emails and the
// links are written in the caller's transaction.
func (db *DB) emailPO(ctx context.Context, tx dbtx, poID int64, reason string, actor Actor, at time.Time) ([]string, error) {
	var contact, emails string
	var slaHours int
	err := tx.QueryRowContext(ctx, "SELECT s.contact, s.order_emails, s.ack_sla_hours FROM purchase_orders po JOIN accounts s ON s.id = po.supplier_id WHERE po.id = ?", poID).
		Scan(&contact, &emails, &slaHours)
	if err != nil {
		return nil, fmt.Errorf("email PO %d: %w", poID, err)
	}
	if contact != ContactEmail || emails == "" {
		return nil, nil
	}
	pos, err := db.posWithLines(ctx, tx, "WHERE po.id = ?", poID)
	if err != nil || len(pos) == 0 {
		return nil, fmt.Errorf("email PO %d: %v", poID, err)
	}
	// The email shows what the supplier's link lets it see, like its page.
	p := pos[0].ForSupplier(pos[0].link)
	if reason == LinkNew {
		actor = Actor{Name: p.CreatedBy}
	}
	var mc AccountContact
	if err := tx.QueryRowContext(ctx, "SELECT return_address, reply_to_email FROM accounts WHERE id = ?", p.AccountID).Scan(&mc.ReturnAddress, &mc.ReplyToEmail); err != nil {
		return nil, fmt.Errorf("email PO %d: %w", poID, err)
	}
	now := db.now()
	addrs := strings.Split(emails, ", ")
	for _, addr := range addrs {
		token := randomToken(32)
		e := newPOEmail(reason, p, mc, db.baseURL()+POLinkPath(poID, token), slaHours)
		html, err := e.html()
		if err != nil {
			return nil, fmt.Errorf("email PO %d: %w", poID, err)
		}
		// The email is the merchant's: its Outbox page lists it (with the
		// link, where no SMTP server is configured to send it).
		res, err := execInsert(ctx, tx, `INSERT INTO outbox (account_id, order_id, kind, topic, recipient, subject, body, html_body, next_attempt_at, created_at, from_name, reply_to)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.AccountID, p.OrderID, OutboxEmail, "po."+reason, addr, e.subject(), e.text(), html, at, now, p.MerchantName, mc.ReplyToEmail)
		if err != nil {
			return nil, fmt.Errorf("email PO %d: %w", poID, err)
		}
		msgID, _ := res.LastInsertId()
		if _, err := tx.ExecContext(ctx, `INSERT INTO po_links (po_id, account_id, email, token_hash, reason, message_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, poID, p.AccountID, addr, hashToken(token), reason, msgID, actorName(actor), now); err != nil {
			return nil, fmt.Errorf("email PO %d: %w", poID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET emailed_at = coalesce(emailed_at, ?) WHERE id = ?", at, poID); err != nil {
		return nil, fmt.Errorf("email PO %d: %w", poID, err)
	}
	msg := fmt.Sprintf("%s emailed to %s with a link to act on it without signing in.", p.PONumber, strings.Join(addrs, ", "))
	switch reason {
	case LinkReminder:
		msg = fmt.Sprintf("Reminder emailed to %s: %s was not acknowledged within %d hours.", strings.Join(addrs, ", "), p.PONumber, slaHours)
	case LinkResent:
		msg = fmt.Sprintf("%s emailed again to %s with a new link; earlier links no longer open it.", p.PONumber, strings.Join(addrs, ", "))
	}
	if err := db.orderEvent(ctx, tx, p.AccountID, p.OrderID, actor, "po_emailed", msg); err != nil {
		return nil, fmt.Errorf("email PO %d: %w", poID, err)
	}
	if err := db.audit(ctx, tx, actor, p.AccountID, "po.emailed", "purchase_order", poID, p.PONumber+" ("+reason+") to "+strings.Join(addrs, ", ")); err != nil {
		return nil, fmt.Errorf("email PO %d: %w", poID, err)
	}
	return addrs, nil
}

// LinkedPO is a PO as its email link opens it.
type LinkedPO struct {
	Link       EmailLink
	SupplierID int64
	// PO is the PO with its lines, as the supplier's link shows it
	// (PurchaseOrder.ForSupplier).
	PO             PurchaseOrder
	Contact        AccountContact // the merchant's return address and reply-to address
	Acknowledged   bool
	AcknowledgedAt time.Time
	AcknowledgedBy string
	PromiseDate    time.Time
	// FirstOpen: this opening was the link's first.
	FirstOpen bool
}

// LinkedPO returns the PO a link opens, or ErrNotFound for a token that is
// not a link's, or not poID's, a revoked link, a PO not yet released, or
// one closed more than LinkLifetime ago. It writes nothing.
func (db *DB) LinkedPO(ctx context.Context, poID int64, token string) (LinkedPO, error) {
	var lp LinkedPO
	if len(token) != linkTokenLen {
		return lp, fmt.Errorf("store: PO link: %w", ErrNotFound)
	}
	now := db.now()
	l, err := scanEmailLink(db.rqRow(ctx, "SELECT "+emailLinkColumns+", po.supplier_id"+emailLinkFrom+
		" JOIN purchase_orders po ON po.id = l.po_id AND po.account_id = l.account_id WHERE l.token_hash = ? AND l.po_id = ? AND l.revoked_at IS NULL AND "+poLinksLive+
		// A link stops opening while the merchant or the supplier is disabled.
		" AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.id IN (po.account_id, po.supplier_id) AND x.disabled_at IS NOT NULL)",
		hashToken(token), poID, now, linksExpireAfter(now)), &lp.SupplierID)
	if errors.Is(err, sql.ErrNoRows) {
		return lp, fmt.Errorf("store: PO link: %w", ErrNotFound)
	}
	if err != nil {
		return lp, fmt.Errorf("store: PO link: %w", err)
	}
	lp.Link = l
	if lp.PO, err = db.PurchaseOrder(ctx, lp.SupplierID, l.POID); err != nil {
		return lp, err
	}
	q, err := db.QueuePurchaseOrder(ctx, lp.SupplierID, l.POID)
	if err != nil {
		return lp, err
	}
	lp.Acknowledged, lp.AcknowledgedAt, lp.AcknowledgedBy, lp.PromiseDate = q.Acknowledged, q.AcknowledgedAt, q.AcknowledgedBy, q.PromiseDate
	if lp.Contact, err = db.AccountContact(ctx, lp.PO.AccountID); err != nil {
		return lp, err
	}
	return lp, nil
}

// OpenPOLink is LinkedPO for a person opening the link: it records when
// the link was first and last opened, and the first opening on the
// order's timeline.
func (db *DB) OpenPOLink(ctx context.Context, poID int64, token string) (LinkedPO, error) {
	lp, err := db.LinkedPO(ctx, poID, token)
	if err != nil {
		return lp, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return lp, fmt.Errorf("store: open PO link: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	res, err := tx.ExecContext(ctx, "UPDATE po_links SET first_opened_at = ?, last_opened_at = ?, opens = opens + 1 WHERE id = ? AND first_opened_at IS NULL", now, now, lp.Link.ID)
	if err != nil {
		return lp, fmt.Errorf("store: open PO link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		lp.FirstOpen = true
		if err := db.orderEvent(ctx, tx, lp.PO.AccountID, lp.PO.OrderID, lp.Link.Actor(), "po_link_opened",
			fmt.Sprintf("%s opened the emailed link to %s.", lp.Link.Email, lp.PO.PONumber)); err != nil {
			return lp, fmt.Errorf("store: open PO link: %w", err)
		}
	} else if _, err := tx.ExecContext(ctx, "UPDATE po_links SET last_opened_at = ?, opens = opens + 1 WHERE id = ?", now, lp.Link.ID); err != nil {
		return lp, fmt.Errorf("store: open PO link: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return lp, fmt.Errorf("store: open PO link: %w", err)
	}
	return lp, nil
}

// POEmailing is what the merchant sees of a PO emailed to its supplier:
// when it was emailed, reminded, opened and acknowledged, and each link.
type POEmailing struct {
	EmailedAt      *time.Time
	RemindedAt     *time.Time
	OpenedAt       *time.Time // the first opening of any of its links
	LastOpenedAt   *time.Time
	AcknowledgedAt *time.Time
	AcknowledgedBy string
	// ExpiresAt is when its links stop working: LinkLifetime after it
	// closed; nil while it is worked on.
	ExpiresAt *time.Time
	Expired   bool
	Links     []EmailLink // newest first
	// ByEmail: its supplier is reached by email now, so the merchant may
	// send the link again (unless Expired).
	ByEmail bool
}

// Live counts the links that open the PO now.
func (e POEmailing) Live() int {
	if e.Expired {
		return 0
	}
	n := 0
	for _, l := range e.Links {
		if l.RevokedAt == nil {
			n++
		}
	}
	return n
}

// POEmailing returns how one of the acting merchant's POs was emailed to
// its supplier; a PO never emailed has no links.
func (db *DB) POEmailing(ctx context.Context, merchantID, poID int64) (POEmailing, error) {
	var e POEmailing
	var status, contact string
	var updated time.Time
	err := db.rqRow(ctx, `SELECT po.emailed_at, po.reminded_at, po.acknowledged_at, po.acknowledged_by, po.status, po.updated_at, s.contact
		FROM purchase_orders po JOIN accounts s ON s.id = po.supplier_id WHERE po.id = ? AND po.account_id = ?`, poID, merchantID).
		Scan(&e.EmailedAt, &e.RemindedAt, &e.AcknowledgedAt, &e.AcknowledgedBy, &status, &updated, &contact)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("store: PO emailing %d: %w", poID, ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("store: PO emailing %d: %w", poID, err)
	}
	e.ByEmail = contact == ContactEmail
	if status != POOpen && status != POPartiallyShipped {
		at := updated.Add(LinkLifetime)
		e.ExpiresAt, e.Expired = &at, !db.now().Before(at)
	}
	rows, err := db.rq(ctx, "SELECT "+emailLinkColumns+emailLinkFrom+" WHERE l.po_id = ? AND l.account_id = ? ORDER BY l.id DESC", poID, merchantID)
	if err != nil {
		return e, fmt.Errorf("store: PO emailing %d: %w", poID, err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanEmailLink(rows)
		if err != nil {
			return e, fmt.Errorf("store: PO emailing %d: %w", poID, err)
		}
		if l.FirstOpenedAt != nil && (e.OpenedAt == nil || l.FirstOpenedAt.Before(*e.OpenedAt)) {
			e.OpenedAt = l.FirstOpenedAt
		}
		if l.LastOpenedAt != nil && (e.LastOpenedAt == nil || l.LastOpenedAt.After(*e.LastOpenedAt)) {
			e.LastOpenedAt = l.LastOpenedAt
		}
		e.Links = append(e.Links, l)
	}
	return e, rows.Err()
}

// merchantPO reads what revoking and sending a PO's links need of one of
// the acting merchant's POs.
type merchantPOFacts struct {
	number, status, contact, supplier string
	orderID                           int64
	updated, release                  time.Time
}

func merchantPOIn(ctx context.Context, tx dbtx, merchantID, poID int64) (merchantPOFacts, error) {
	var f merchantPOFacts
	err := tx.QueryRowContext(ctx, `SELECT po.po_number, po.status, s.contact, s.name, po.order_id, po.updated_at, po.release_at
		FROM purchase_orders po JOIN accounts s ON s.id = po.supplier_id WHERE po.id = ? AND po.account_id = ?`, poID, merchantID).
		Scan(&f.number, &f.status, &f.contact, &f.supplier, &f.orderID, &f.updated, &f.release)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("purchase order %d: %w", poID, ErrNotFound)
	}
	return f, err
}

// revokeLinks revokes a PO's live links and returns how many.
func (db *DB) revokeLinks(ctx context.Context, tx dbtx, actor Actor, poID int64) (int, error) {
	res, err := tx.ExecContext(ctx, "UPDATE po_links SET revoked_at = ?, revoked_by = ? WHERE po_id = ? AND revoked_at IS NULL", db.now(), actorName(actor), poID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RevokePOLinks stops every link emailed for one of the acting merchant's
// POs from opening it, and returns how many it revoked.
func (db *DB) RevokePOLinks(ctx context.Context, actor Actor, merchantID, poID int64) (int, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: revoke PO links: %w", err)
	}
	defer tx.Rollback()
	f, err := merchantPOIn(ctx, tx, merchantID, poID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke PO links: %w", err)
	}
	n, err := db.revokeLinks(ctx, tx, actor, poID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke PO links: %w", err)
	}
	if n == 0 {
		return 0, Conflict("No link to " + f.number + " works now: there is nothing to revoke.")
	}
	if err := db.audit(ctx, tx, actor, merchantID, "po.links_revoked", "purchase_order", poID, fmt.Sprintf("%s: %d links", f.number, n)); err != nil {
		return 0, fmt.Errorf("store: revoke PO links: %w", err)
	}
	if err := db.orderEvent(ctx, tx, merchantID, f.orderID, actor, "po_links_revoked",
		fmt.Sprintf("The emailed links to %s were revoked: they no longer open it.", f.number)); err != nil {
		return 0, fmt.Errorf("store: revoke PO links: %w", err)
	}
	return n, tx.Commit()
}

// ResendPOLink emails one of the acting merchant's POs again to its
// supplier's order addresses (as they are now), each with a new link, and
// revokes the links sent before. It returns the addresses.
func (db *DB) ResendPOLink(ctx context.Context, actor Actor, merchantID, poID int64) ([]string, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: resend PO link: %w", err)
	}
	defer tx.Rollback()
	f, err := merchantPOIn(ctx, tx, merchantID, poID)
	if err != nil {
		return nil, fmt.Errorf("store: resend PO link: %w", err)
	}
	now := db.now()
	closed := f.status != POOpen && f.status != POPartiallyShipped
	switch {
	case f.contact != ContactEmail:
		return nil, Conflict(f.supplier + " is not reached by email: it sees " + f.number + " in Dropline.")
	case closed && !f.updated.After(linksExpireAfter(now)):
		return nil, Conflict(f.number + " closed more than 30 days ago: its links no longer work, and a new one would not either.")
	}
	if _, err := db.revokeLinks(ctx, tx, actor, poID); err != nil {
		return nil, fmt.Errorf("store: resend PO link: %w", err)
	}
	at := now
	if f.release.After(now) {
		at = f.release // not before the supplier may see the PO
	}
	addrs, err := db.emailPO(ctx, tx, poID, LinkResent, actor, at)
	if err != nil {
		return nil, fmt.Errorf("store: resend PO link: %w", err)
	}
	if len(addrs) == 0 {
		return nil, Conflict(f.supplier + " has no order email address: add one to its details first.")
	}
	return addrs, tx.Commit()
}

// SendPOReminders emails a reminder, once, for each emailed PO its
// supplier has not acknowledged within its deadline (ack SLA hours after
// release), with a new link for each order address; the first email's
// links keep working. A PO whose links the merchant revoked gets none. It
// returns how many POs were reminded. Each PO is reminded in a transaction
// of its own that claims it, so one instance reminds it, once.
func (db *DB) SendPOReminders(ctx context.Context) (int, error) {
	now := db.now()
	rows, err := db.rq(ctx, `SELECT po.id, po.release_at, s.ack_sla_hours FROM purchase_orders po JOIN accounts s ON s.id = po.supplier_id
		WHERE po.emailed_at IS NOT NULL AND po.reminded_at IS NULL AND po.acknowledged_at IS NULL AND po.release_at <= ? AND po.status = 'open'
		AND s.contact = 'email' AND EXISTS (SELECT 1 FROM po_links l WHERE l.po_id = po.id AND l.revoked_at IS NULL) AND `+liveAccount("po.account_id")+`
		ORDER BY po.release_at LIMIT 500`, now)
	if err != nil {
		return 0, fmt.Errorf("store: PO reminders: %w", err)
	}
	var due []int64
	for rows.Next() {
		var id int64
		var release time.Time
		var sla int
		if err := rows.Scan(&id, &release, &sla); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: PO reminders: %w", err)
		}
		if !release.Add(time.Duration(sla) * time.Hour).After(now) {
			due = append(due, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: PO reminders: %w", err)
	}
	n := 0
	for _, id := range due {
		if ctx.Err() != nil {
			break
		}
		sent, err := db.remindPO(ctx, id)
		if err != nil {
			return n, fmt.Errorf("store: PO reminders: %w", err)
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// remindPO claims one PO for its reminder and emails it, unless another
// pass did, or it was acknowledged meanwhile.
func (db *DB) remindPO(ctx context.Context, poID int64) (bool, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	now := db.now()
	res, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND acknowledged_at IS NULL AND status = 'open'", now, poID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := db.emailPO(ctx, tx, poID, LinkReminder, SystemActor, now); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// EmailedPO is one of an email supplier's POs, as the merchant's page of
// that supplier lists it.
type EmailedPO struct {
	ID             int64
	Number         string
	Status         string
	CreatedAt      time.Time
	EmailedAt      *time.Time
	OpenedAt       *time.Time // the first opening of any of its links
	AcknowledgedAt *time.Time
	LiveLinks      int // links that open it now
}

// EmailedPOs lists the newest POs of the acting merchant to one of its
// suppliers, with when each was emailed, opened and acknowledged.
func (db *DB) EmailedPOs(ctx context.Context, merchantID, supplierID int64, limit int) ([]EmailedPO, error) {
	now := db.now()
	rows, err := db.rq(ctx, `SELECT po.id, po.po_number, po.status, CAST(po.created_at AS TEXT), CAST(po.emailed_at AS TEXT),
		(SELECT CAST(l.first_opened_at AS TEXT) FROM po_links l WHERE l.po_id = po.id AND l.first_opened_at IS NOT NULL ORDER BY l.first_opened_at LIMIT 1),
		CAST(po.acknowledged_at AS TEXT),
		CASE WHEN `+poLinksLive+` THEN (SELECT count(*) FROM po_links l WHERE l.po_id = po.id AND l.revoked_at IS NULL) ELSE 0 END
		FROM purchase_orders po WHERE po.account_id = ? AND po.supplier_id = ? ORDER BY po.id DESC LIMIT ?`,
		now, linksExpireAfter(now), merchantID, supplierID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: emailed POs: %w", err)
	}
	defer rows.Close()
	var out []EmailedPO
	for rows.Next() {
		var p EmailedPO
		var emailed, opened, acked sql.NullTime
		if err := rows.Scan(&p.ID, &p.Number, &p.Status, textTime(&p.CreatedAt), textNullTime(&emailed), textNullTime(&opened), textNullTime(&acked), &p.LiveLinks); err != nil {
			return nil, fmt.Errorf("store: emailed POs: %w", err)
		}
		p.EmailedAt, p.OpenedAt, p.AcknowledgedAt = nullTimePtr(emailed), nullTimePtr(opened), nullTimePtr(acked)
		out = append(out, p)
	}
	return out, rows.Err()
}

func nullTimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
