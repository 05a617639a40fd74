package fetch

import (
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength is the longest feed URL accepted, in bytes.
const MaxURLLength = 2048

const urlExample = " It should look like https://example.com/feed.csv."

// CheckURL checks the syntax of a feed URL a merchant typed, without any
// network access: http or https only, a server name, no user:password@, at
// most MaxURLLength bytes. Surrounding spaces are ignored. It returns nil or
// an *Error with Kind "invalid_url" and a Message for the merchant. Whether
// the address is public is only known when it is dialled (see Open).
func CheckURL(rawURL string) error {
	if _, e := parseURL(rawURL); e != nil {
		return e
	}
	return nil
}

// parseURL is CheckURL returning the parsed URL.
func parseURL(rawURL string) (*url.URL, *Error) {
	s := strings.TrimSpace(rawURL)
	if s == "" {
		return nil, invalidURL("Enter the feed URL."+urlExample, nil)
	}
	if len(s) > MaxURLLength {
		return nil, invalidURL("The feed URL is too long (at most "+strconv.Itoa(MaxURLLength)+" characters).", nil)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, invalidURL("The feed URL is not a valid web address."+urlExample, err)
	}
	if e := checkParsedURL(u); e != nil {
		return nil, e
	}
	return u, nil
}

// checkParsedURL applies the rules to an already parsed URL; redirects are
// checked with it too.
func checkParsedURL(u *url.URL) *Error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return invalidURL("The feed URL must start with http:// or https://."+urlExample, nil)
	default:
		return invalidURL("Only http:// and https:// feed URLs are supported (this one starts with "+strconv.Quote(u.Scheme+":")+").", nil)
	}
	if u.Opaque != "" {
		return invalidURL("The feed URL is not a valid web address."+urlExample, nil)
	}
	if u.User != nil {
		return invalidURL("The feed URL must not contain a user name or password (user:password@). Ask your supplier for a link with an access key instead.", nil)
	}
	if u.Hostname() == "" {
		return invalidURL("The feed URL has no server name."+urlExample, nil)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalidURL("The feed URL has an invalid port number.", err)
		}
	}
	return nil
}
