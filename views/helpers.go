package views

import (
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func itoa(n int) string { return strconv.Itoa(n) }

func hasInitial(ss []StatusRow) bool {
	for _, s := range ss {
		if s.Initial {
			return true
		}
	}
	return false
}

func renameValue(v StatusesView, s StatusRow) string {
	if v.RenameID == s.ID {
		return v.RenameName
	}
	return s.Name
}

func invalidIf(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func joinComma(ss []string) string { return strings.Join(ss, ", ") }

// humanAction turns an audit action code such as "link.accepted" into words.
func humanAction(code string) string {
	words := strings.NewReplacer(".", " ", "_", " ").Replace(code)
	if words == "" {
		return ""
	}
	return strings.ToUpper(words[:1]) + words[1:]
}

func costLabel(merchant bool) string {
	if merchant {
		return "Cost (your own stock; sources show each supplier's)"
	}
	return "Cost (what merchants pay)"
}

func qtyLabel(merchant bool) string {
	if merchant {
		return "Own stock (besides what sources supply)"
	}
	return "Available quantity"
}

// fieldLabel names a feed field for people.
func fieldLabel(f string) string {
	switch f {
	case "lead_time":
		return "Lead time"
	case "images":
		return "Images"
	}
	if f == "" {
		return f
	}
	return strings.ToUpper(f[:1]) + f[1:]
}

// formatName names a feed file format for people.
func formatName(f string) string {
	switch f {
	case "dropline":
		return "Dropline template"
	case "shopify":
		return "Shopify product CSV"
	case "google_tsv":
		return "Google Merchant TSV"
	case "google_xml":
		return "Google Merchant XML"
	case "woocommerce":
		return "WooCommerce product CSV"
	case "magento":
		return "Magento 2 product export"
	case "bigcommerce":
		return "BigCommerce product export"
	case "amazon_template":
		return "Amazon inventory file template"
	case "amazon_listings":
		return "Amazon listings report"
	case "amazon_price_quantity":
		return "Amazon price and quantity file"
	case "mapped":
		return "CSV with a column mapping"
	}
	return f
}

func triggerText(t string) string {
	if t == "schedule" {
		return "scheduled"
	}
	return t
}

func ifElse(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// count is n and the noun that goes with it: "1 row", "2 rows", "10,000 rows".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return grouped(n) + " " + many
}

// grouped writes n with its thousands separated by commas: "10,000".
func grouped(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// was is "was" for one, "were" for any other number.
func was(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// poLineStatus is a PO line's status in words; a line that shipped in part
// before its remainder was cancelled or rejected says both.
func poLineStatus(status string, shipped, quantity int) string {
	if (status == "cancelled" || status == "rejected") && shipped > 0 && shipped < quantity {
		return "Shipped " + itoa(shipped) + " of " + itoa(quantity) + ", the rest " + status
	}
	return humanAction(status)
}

// FieldLabel names a Dropline field (feedfile.Fields) for people.
func FieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
}

var fieldLabels = map[string]string{
	"sku": "SKU", "title": "Title", "options": "Variant options", "gtin": "GTIN / UPC / EAN", "mpn": "MPN", "cost": "Cost",
	"price": "Price", "quantity": "Quantity", "lead_time_days": "Lead time (days)", "url": "Product page URL",
	"image_url": "Image URL", "description": "Description", "tags": "Tags", "active": "Active",
}

// fieldOrder lists a mapping's fields in a stable order.
func fieldOrder(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for f := range m {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// joinAnd joins words as a sentence does: "titles and quantities".
func joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// hintText says in a sentence what a tracking number alone says about its
// carrier.
func hintText(v CarrierHintView) string {
	var b strings.Builder
	if v.Problem != "" {
		// The chosen carrier's own word first: what saving would say.
		b.WriteString(strings.TrimSuffix(v.Problem, ".") + ". ")
	}
	switch {
	case len(v.Sure) > 0:
		b.WriteString("Looks like: " + orList(v.Sure))
		if len(v.Sure) > 1 {
			b.WriteString(" (choose the one on the label)")
		}
	case len(v.Elsewhere) > 0:
		b.WriteString("Looks like: " + orList(v.Elsewhere) + ", which is not one of this account's carriers (Settings → Carriers)")
	case len(v.Maybe) > 0:
		b.WriteString("Could be: " + orList(v.Maybe) + " (no check digit to confirm it)")
	default:
		b.WriteString("No carrier's format matches this number")
	}
	if v.Issuer != "" {
		b.WriteString(", issued by " + v.Issuer)
	}
	b.WriteString(".")
	if v.Chosen != "" && len(v.Sure) > 0 {
		b.WriteString(" You chose " + v.Chosen + ": is that right?")
	}
	return b.String()
}

// orList joins names as "A, B or C".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ariaCurrent marks the navigation link of the page being shown.
func ariaCurrent(active bool) templ.Attributes {
	if active {
		return templ.Attributes{"aria-current": "page"}
	}
	return nil
}
