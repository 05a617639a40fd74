package store

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// customerEmail is an email to a merchant's customer about a parcel: the
// shipping email, and the carrier's news after it. It is written in the
// merchant's name and never names the supplier.
type customerEmail struct {
	Subject    string
	Name       string   // the customer's, "" for none
	Said       string   // the opening paragraph
	Items      []string // "2 × Blue mug (A-1)", what the parcel carries
	Rest       bool     // more of the order ships separately
	Carrier    string
	Number     string
	Page       string // the order's tracking page, a link of this email's own
	CarrierURL string // the carrier's own page, "" for none
	Merchant   string
}

// text is the email's plain text body.
func (e customerEmail) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n%s\n\n", e.Name, e.Said)
	if len(e.Items) > 0 {
		b.WriteString("In this parcel:\n")
		for _, it := range e.Items {
			b.WriteString("  " + it + "\n")
		}
	}
	if e.Rest {
		b.WriteString("The rest of your order ships separately.\n")
	}
	fmt.Fprintf(&b, "\nCarrier: %s\nTracking number: %s\n", e.Carrier, e.Number)
	fmt.Fprintf(&b, "Where is it now? Follow your order here: %s\n", e.Page)
	if e.CarrierURL != "" {
		fmt.Fprintf(&b, "Or on the carrier's site: %s\n", e.CarrierURL)
	}
	fmt.Fprintf(&b, "\nThank you for shopping with %s.\n", e.Merchant)
	return b.String()
}

var customerEmailHTML = template.Must(template.New("customer").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; color: #222; max-width: 36em">
<p style="font-size: 120%; font-weight: bold">{{.Merchant}}</p>
<p>Hello {{.Name}},</p>
<p>{{.Said}}</p>
{{if .Items}}<p style="margin-bottom: .3em">In this parcel:</p>
<ul style="margin-top: 0">{{range .Items}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Rest}}<p>The rest of your order ships separately.</p>{{end}}
<p>Carrier: {{.Carrier}}<br>Tracking number: <code>{{.Number}}</code></p>
<p><a href="{{.Page}}" style="display: inline-block; padding: .6em 1.2em; background: #1f5f8b; color: #fff; text-decoration: none; border-radius: 4px">Follow your order</a></p>
{{with .CarrierURL}}<p style="font-size: 90%"><a href="{{.}}">Or follow it on the carrier's site</a></p>{{end}}
<p>Thank you for shopping with {{.Merchant}}.</p>
</body></html>
`))

// html is the email's HTML part: the same words, with a button to the page.
func (e customerEmail) html() string {
	var b bytes.Buffer
	if err := customerEmailHTML.Execute(&b, e); err != nil {
		return "" // the text part says it all
	}
	return b.String()
}
