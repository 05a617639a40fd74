package views

import (
	"strings"
	"testing"
)

// TestIconsAreOneVendoredSet: the sprite holds every icon once, each nav
// link's icon is in it, Icon uses it and is hidden from screen readers,
// and an unknown name draws nothing.
func TestIconsAreOneVendoredSet(t *testing.T) {
	doc := render(t, IconSprite())
	if got := doc.Find("symbol").Length(); got != len(iconPaths) || len(iconOrder) != len(iconPaths) {
		t.Fatalf("sprite has %d symbols, the set %d, the order %d", got, len(iconPaths), len(iconOrder))
	}
	for _, name := range iconOrder {
		if doc.Find("symbol#icon-"+name).Length() != 1 {
			t.Errorf("the sprite lacks %s", name)
		}
	}
	if sprite := doc.Find("svg.icon-sprite"); sprite.AttrOr("aria-hidden", "") != "true" {
		t.Error("the sprite is not hidden from screen readers")
	}
	for href, name := range navIcons {
		if _, ok := iconPaths[name]; !ok {
			t.Errorf("nav %s uses icon %q, not in the set", href, name)
		}
	}
	icon := render(t, Icon("truck")).Find("svg.icon")
	if icon.AttrOr("aria-hidden", "") != "true" || icon.Find("use").AttrOr("href", "") != "#icon-truck" {
		t.Errorf("Icon(truck): %v", icon.Nodes)
	}
	if html, _ := render(t, Icon("no-such")).Html(); strings.Contains(html, "<svg") {
		t.Errorf("an unknown icon drew %q", html)
	}
	// No icon reaches outside the page for its drawing.
	if s := iconSymbols(); strings.Contains(s, "http") || strings.Contains(s, "url(") {
		t.Errorf("an icon refers outside the page: %q", s)
	}
}
