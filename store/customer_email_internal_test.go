package store

import (
	"strings"
	"testing"
)

// TestCustomerEmailParts: the shipping email's text and HTML parts say the
// same, the HTML part's button opens the tracking page, and whatever a
// merchant or a store typed (a title, a name) is escaped, never markup.
func TestCustomerEmailParts(t *testing.T) {
	e := customerEmail{Subject: "Your order #1 has shipped", Name: "Ada <b>", Said: "Good news: your order #1 from Shop & Co is on its way.",
		Items: []string{"2 × <script>alert(1)</script> mug (A-1)"}, Rest: true, Carrier: "UPS", Number: "1Z999AA10123456784",
		Page: "https://shop.example/track/abc", CarrierURL: "https://www.ups.com/track?tracknum=1Z999AA10123456784", Merchant: "Shop & Co"}
	text, html := e.text(), e.html()
	for _, want := range []string{"Hello Ada <b>,", "2 × <script>alert(1)</script> mug (A-1)", "The rest of your order ships separately.",
		"Follow your order here: https://shop.example/track/abc", "Or on the carrier's site: https://www.ups.com/track?tracknum=1Z999AA10123456784"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{`href="https://shop.example/track/abc"`, "Follow your order", "&lt;script&gt;alert(1)&lt;/script&gt; mug", "Ada &lt;b&gt;",
		"Shop &amp; Co", "The rest of your order ships separately."} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML part lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("the HTML part carries a script tag")
	}
}
