// Package views holds the templ components: the layout, one page per screen,
// and the partials htmx swaps in. Components take plain view structs and never
// touch the database.
package views

import "encoding/json"

// NavItem is one link in the side navigation.
type NavItem struct {
	Label  string
	Href   string
	Active bool
}

// NavSection is a titled group of navigation links.
type NavSection struct {
	Title string
	Items []NavItem
}

// AccountChoice is an account the signed-in user can switch to.
type AccountChoice struct {
	ID       int64
	Label    string
	Selected bool
}

// Frame is what the layout needs on every page.
type Frame struct {
	Title       string
	CSRF        string
	UserEmail   string
	AccountName string
	AccountPID  string
	Accounts    []AccountChoice
	Nav         []NavSection
	Flash       string
	FlashError  string
}

// FieldErrors maps form field names to their messages.
type FieldErrors map[string]string

// hxHeaders is the hx-headers value that sends the CSRF token with every htmx request.
func (f Frame) hxHeaders() string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": f.CSRF})
	return string(b)
}

func invalid(errs FieldErrors, name string) string {
	if _, ok := errs[name]; ok {
		return "true"
	}
	return "false"
}
