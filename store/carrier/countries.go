package carrier

import "github.com/dropline/dropline/store/orderfile"

// isCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 code. S10 numbers end in the code of the issuing post, so a suffix
// outside the list is a typo even when the check digit happens to match. XK
// (Kosovo) is user-assigned: addresses use it, but no post issues S10
// numbers under it.
func isCountry(code string) bool { return code != "XK" && orderfile.IsCountry(code) }
