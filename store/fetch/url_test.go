package fetch

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		wantMsg string // substring of Message when wantErr
	}{
		{"https", "https://example.com/feed.csv", false, ""},
		{"http with port and query", "http://example.com:8080/export?format=csv&key=abc", false, ""},
		{"upper-case scheme", "HTTPS://EXAMPLE.COM/FEED.CSV", false, ""},
		{"surrounding spaces", "  https://example.com/feed.csv\n", false, ""},
		{"ipv6 literal", "http://[2001:db8::1]/feed.csv", false, ""}, // syntax only; refused when dialled
		{"fragment", "https://example.com/feed.csv#top", false, ""},
		{"max length", "https://example.com/" + strings.Repeat("a", MaxURLLength-len("https://example.com/")), false, ""},

		{"empty", "", true, "Enter the feed URL"},
		{"spaces only", "   ", true, "Enter the feed URL"},
		{"not a url", "not a url", true, "must start with http:// or https://"},
		{"no scheme", "example.com/feed.csv", true, "must start with http:// or https://"},
		{"ftp", "ftp://example.com/feed.csv", true, `starts with "ftp:"`},
		{"file", "file:///etc/passwd", true, `starts with "file:"`},
		{"javascript", "javascript:alert(1)", true, `starts with "javascript:"`},
		{"gopher", "gopher://example.com:70/", true, `starts with "gopher:"`},
		{"user and password", "https://user:pass@example.com/feed.csv", true, "user name or password"},
		{"user only", "https://user@example.com/feed.csv", true, "user name or password"},
		{"empty user info", "https://@example.com/feed.csv", true, "user name or password"},
		{"no host", "https:///feed.csv", true, "no server name"},
		{"scheme only", "http://", true, "no server name"},
		{"port only", "http://:8080/feed.csv", true, "no server name"},
		{"opaque", "http:example.com/feed.csv", true, "not a valid web address"},
		{"port zero", "http://example.com:0/feed.csv", true, "port"},
		{"port too big", "http://example.com:70000/feed.csv", true, "port"},
		{"bad port", "http://example.com:80a/", true, "not a valid web address"},
		{"space in host", "http://exa mple.com/", true, "not a valid web address"},
		{"control character", "http://example.com/\x7f", true, "not a valid web address"},
		{"too long", "https://example.com/" + strings.Repeat("a", MaxURLLength), true, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckURL(tt.in)
			if got, want := err != nil, tt.wantErr; got != want {
				t.Fatalf("CheckURL(%q): got error %v, want error %v", tt.in, err, want)
			}
			if err == nil {
				return
			}
			fe := wantKind(t, err, KindInvalidURL)
			if got, want := fe.Message, tt.wantMsg; !strings.Contains(got, want) {
				t.Errorf("Message: got %q, want it to contain %q", got, want)
			}
		})
	}
}

func TestCheckURLNilInterface(t *testing.T) {
	// A nil *Error must not come back as a non-nil error interface.
	if err := CheckURL("https://example.com/"); err != nil {
		t.Fatalf("got %#v, want nil", err)
	}
	var fe *Error
	if errors.As(CheckURL("https://example.com/"), &fe) {
		t.Fatalf("errors.As on a valid URL: got true, want false")
	}
}
