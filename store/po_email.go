package store

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/dropline/dropline/store/orderfile"
)

// poEmail is what an email to an email supplier says of one PO.
type poEmail struct {
	Reason   string // LinkNew, LinkReminder or LinkResent
	Merchant string
	Number   string
	URL      string // the signed link
	Lines    []poEmailLine
	ShipTo   []string
	Customer string // the customer's email, where the link shows it
	Notes    string
	Contact  []string // the merchant's return address lines and reply-to address
	ReplyTo  string
	SLAHours int
}

type poEmailLine struct {
	Quantity int
	SKU      string
	Title    string
	Price    string // the merchant's price, where the link shows it
}

// newPOEmail gathers what the email of a PO says; p is the PO as its
// supplier may see it (PurchaseOrder.ForSupplier).
func newPOEmail(reason string, p PurchaseOrder, contact AccountContact, url string, slaHours int) poEmail {
	e := poEmail{Reason: reason, Merchant: p.MerchantName, Number: p.PONumber, URL: url, ShipTo: shipToLines(p.ShipTo),
		Customer: p.Customer.Email, Notes: p.Notes, ReplyTo: contact.ReplyToEmail, SLAHours: slaHours}
	for _, l := range p.Lines {
		if l.Status != "open" {
			continue // a line rejected or cancelled is nothing to ship
		}
		pl := poEmailLine{Quantity: l.Quantity - l.ShippedQty, SKU: l.SupplierSKU, Title: l.Title}
		if p.link.ShowPrices && l.PriceCents > 0 {
			pl.Price = FormatMoney(l.PriceCents) + " " + p.Currency
		}
		e.Lines = append(e.Lines, pl)
	}
	e.Contact = append(e.Contact, p.MerchantName)
	e.Contact = append(e.Contact, contact.ReturnAddressLines()...)
	if contact.ReplyToEmail != "" {
		e.Contact = append(e.Contact, contact.ReplyToEmail)
	}
	return e
}

// shipToLines are an address's lines that hold something.
func shipToLines(a orderfile.Address) []string {
	var out []string
	for _, l := range []string{a.Name, a.Company, a.Address1, a.Address2, strings.TrimSpace(a.City + " " + a.Region + " " + a.PostalCode), a.Country, a.Phone} {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// subject is the email's subject line.
func (e poEmail) subject() string {
	switch e.Reason {
	case LinkReminder:
		return "Reminder: purchase order " + e.Number + " from " + e.Merchant + " is waiting for you"
	case LinkResent:
		return "Purchase order " + e.Number + " from " + e.Merchant + " (new link)"
	}
	return "Purchase order " + e.Number + " from " + e.Merchant
}

// opening is the email's first paragraph.
func (e poEmail) opening() string {
	switch e.Reason {
	case LinkReminder:
		return fmt.Sprintf("%s sent you purchase order %s and has not heard back: please acknowledge it (you were asked to within %d hours), or say which lines you cannot ship.",
			e.Merchant, e.Number, e.SLAHours)
	case LinkResent:
		return fmt.Sprintf("%s sent you purchase order %s again, with a new link: links in earlier emails about it no longer work.", e.Merchant, e.Number)
	}
	return fmt.Sprintf("%s has sent you purchase order %s. Please ship it to the customer below.", e.Merchant, e.Number)
}

const poEmailHowTo = "Open the order to acknowledge it, enter tracking (one parcel or several), reject lines you cannot ship, or answer a cancellation request. No sign-in is needed:"

const poEmailWarning = "This link opens this order only. It works until 30 days after the order is closed, or until %s replaces it. Anyone who has it can act on the order in your name: do not forward it."

// text is the email's plain text body.
func (e poEmail) text() string {
	var b strings.Builder
	b.WriteString(e.opening() + "\n\n" + poEmailHowTo + "\n" + e.URL + "\n\n")
	fmt.Fprintf(&b, "PO number: %s\n\nLines\n", e.Number)
	for _, l := range e.Lines {
		fmt.Fprintf(&b, "  %d × %s  %s", l.Quantity, l.SKU, l.Title)
		if l.Price != "" {
			fmt.Fprintf(&b, "  (%s each)", l.Price)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nShip to\n")
	for _, l := range e.ShipTo {
		b.WriteString("  " + l + "\n")
	}
	if e.Customer != "" {
		b.WriteString("  " + e.Customer + "\n")
	}
	if e.Notes != "" {
		b.WriteString("\nNotes: " + e.Notes + "\n")
	}
	b.WriteString("\nQuestions about this order go to\n")
	for _, l := range e.Contact {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("\n" + fmt.Sprintf(poEmailWarning, e.Merchant) + "\n")
	return b.String()
}

var poEmailHTML = template.Must(template.New("po").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; color: #222; max-width: 40em">
<p>{{.Opening}}</p>
<p>{{.HowTo}}</p>
<p><a href="{{.URL}}" style="display: inline-block; padding: .6em 1.2em; background: #1f5f8b; color: #fff; text-decoration: none; border-radius: 4px">Open purchase order {{.Number}}</a></p>
<p style="font-size: 90%">Or copy this address into your browser: {{.URL}}</p>
<h2 style="font-size: 110%">PO number: {{.Number}}</h2>
<table cellpadding="4" style="border-collapse: collapse">
<thead><tr><th align="right">Qty</th><th align="left">SKU</th><th align="left">Item</th>{{if .Prices}}<th align="right">Price each</th>{{end}}</tr></thead>
<tbody>{{range .Lines}}<tr><td align="right">{{.Quantity}}</td><td><code>{{.SKU}}</code></td><td>{{.Title}}</td>{{if $.Prices}}<td align="right">{{.Price}}</td>{{end}}</tr>{{end}}</tbody>
</table>
<h2 style="font-size: 110%">Ship to</h2>
<p>{{range .ShipTo}}{{.}}<br>{{end}}{{with .Customer}}{{.}}<br>{{end}}</p>
{{with .Notes}}<p><strong>Notes:</strong> {{.}}</p>{{end}}
<h2 style="font-size: 110%">Questions about this order</h2>
<p>{{range .Contact}}{{.}}<br>{{end}}</p>
<p style="font-size: 85%; color: #666">{{.Warning}}</p>
</body></html>
`))

// html is the email's HTML part.
func (e poEmail) html() (string, error) {
	prices := false
	for _, l := range e.Lines {
		prices = prices || l.Price != ""
	}
	var b bytes.Buffer
	err := poEmailHTML.Execute(&b, map[string]any{"Subject": e.subject(), "Opening": e.opening(), "HowTo": poEmailHowTo, "URL": e.URL, "Number": e.Number,
		"Lines": e.Lines, "Prices": prices, "ShipTo": e.ShipTo, "Customer": e.Customer, "Notes": e.Notes, "Contact": e.Contact,
		"Warning": fmt.Sprintf(poEmailWarning, e.Merchant)})
	return b.String(), err
}
