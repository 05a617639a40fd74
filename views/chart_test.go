package views

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// node is one element of rendered chart markup, enough to query it in tests.
type node struct {
	name     string
	attrs    map[string]string
	text     string
	children []*node
}

// all returns n and every element under it, in document order.
func (n *node) all() []*node {
	out := []*node{n}
	for _, c := range n.children {
		out = append(out, c.all()...)
	}
	return out
}

// find returns the elements under n named name whose class list holds class
// (any class when class is empty).
func (n *node) find(name, class string) []*node {
	var out []*node
	for _, e := range n.all() {
		if e.name == name && (class == "" || slices.Contains(strings.Fields(e.attrs["class"]), class)) {
			out = append(out, e)
		}
	}
	return out
}

// texts returns the text of each element.
func texts(ns []*node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.text
	}
	return out
}

// renderChart renders c and returns both the markup and its parsed tree. The
// markup must be well-formed XML, which inline SVG wants anyway.
func renderChart(t *testing.T, c Chart) (string, *node) {
	t.Helper()
	var buf bytes.Buffer
	if err := BarChart(c).Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	html := buf.String()
	root := &node{name: "#root"}
	stack := []*node{root}
	dec := xml.NewDecoder(strings.NewReader(html))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart markup is not well formed: %v\n%s", err, html)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top := stack[len(stack)-1]
			top.text += strings.TrimSpace(string(tok))
		}
	}
	return html, root
}

func number(t *testing.T, n *node, attr string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attrs[attr], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.name, attr, n.attrs[attr], err)
	}
	return v
}

func volumeChart(bars ...Bar) Chart {
	return Chart{
		ID:     "chart-volume-30",
		Title:  "POs received per week",
		XLabel: "Week starting",
		YLabel: "POs",
		Bars:   bars,
		Empty:  "No POs in this window",
	}
}

func TestBarChartDrawsOneBarPerValueWithItsTitle(t *testing.T) {
	_, doc := renderChart(t, volumeChart(Bar{"Nov 2", 12}, Bar{"Nov 9", 0}, Bar{"Nov 16", 7.25}))

	bars := doc.find("rect", "chart-bar")
	if got, want := len(bars), 3; got != want {
		t.Fatalf("got %d bars, want %d", got, want)
	}
	var titles []string
	for _, b := range bars {
		titles = append(titles, texts(b.find("title", ""))...)
	}
	if want := []string{"Nov 2: 12", "Nov 9: 0", "Nov 16: 7.3"}; !slices.Equal(titles, want) {
		t.Errorf("got bar titles %q, want %q", titles, want)
	}
	if got, want := texts(doc.find("g", "chart-labels")[0].find("text", "")), []string{"Nov 2", "Nov 9", "Nov 16"}; !slices.Equal(got, want) {
		t.Errorf("got labels under the bars %q, want %q", got, want)
	}
}

func TestBarChartBarHeightsAreProportional(t *testing.T) {
	_, doc := renderChart(t, volumeChart(Bar{"Nov 2", 20}, Bar{"Nov 9", 10}, Bar{"Nov 16", 0}))

	bars := doc.find("rect", "chart-bar")
	if len(bars) != 3 {
		t.Fatalf("got %d bars, want 3", len(bars))
	}
	for i, want := range []float64{plotHeight, plotHeight / 2, 0} {
		if got := number(t, bars[i], "height"); got != want {
			t.Errorf("bar %d: got height %v, want %v", i, got, want)
		}
		if got := number(t, bars[i], "y") + number(t, bars[i], "height"); got != plotBottom {
			t.Errorf("bar %d: bottom at %v, want it on the x axis at %v", i, got, plotBottom)
		}
	}
}

func TestBarChartTickLabels(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		want   []string
	}{
		{"counts to 20", []float64{20, 3}, []string{"0", "5", "10", "15", "20"}},
		{"counts to 12 round up", []float64{12, 7}, []string{"0", "5", "10", "15"}},
		{"counts to 137", []float64{137}, []string{"0", "50", "100", "150"}},
		{"one PO gets whole steps", []float64{1, 0}, []string{"0", "1", "2", "3"}},
		{"hours by halves", []float64{2.5, 1.25}, []string{"0", "0.5", "1", "1.5", "2", "2.5"}},
		{"hours under one", []float64{0.9}, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{"tiny hours", []float64{0.05}, []string{"0", "0.1", "0.2", "0.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bars []Bar
			for _, v := range tt.values {
				bars = append(bars, Bar{"w", v})
			}
			_, doc := renderChart(t, volumeChart(bars...))

			ticks := doc.find("g", "chart-ticks")[0].find("text", "")
			if got := texts(ticks); !slices.Equal(got, tt.want) {
				t.Errorf("got ticks %q, want %q", got, tt.want)
			}
			if got, want := len(doc.find("g", "chart-grid")[0].find("line", "")), len(tt.want); got != want {
				t.Errorf("got %d gridlines, want one per tick, %d", got, want)
			}
		})
	}
}

func TestBarChartLabelsItsAxes(t *testing.T) {
	_, doc := renderChart(t, volumeChart(Bar{"Nov 2", 4}))

	labels := doc.find("text", "chart-axis-label")
	if got, want := texts(labels), []string{"Week starting", "POs"}; !slices.Equal(got, want) {
		t.Fatalf("got axis labels %q, want %q", got, want)
	}
	if got, want := labels[1].attrs["transform"], "rotate(-90)"; got != want {
		t.Errorf("got y label transform %q, want %q", got, want)
	}
	if got := len(doc.find("line", "chart-axis")); got != 2 {
		t.Errorf("got %d axis lines, want 2", got)
	}

	svg := doc.find("svg", "chart-svg")[0]
	if got, want := svg.attrs["role"], "img"; got != want {
		t.Errorf("got svg role %q, want %q", got, want)
	}
	if got, want := svg.attrs["aria-labelledby"], "chart-volume-30-title"; got != want {
		t.Errorf("got aria-labelledby %q, want %q", got, want)
	}
	if got, want := svg.attrs["viewBox"], "0 0 640 260"; got != want {
		t.Errorf("got viewBox %q, want %q", got, want)
	}
	var title string
	for _, e := range svg.children {
		if e.name == "title" && e.attrs["id"] == "chart-volume-30-title" {
			title = e.text
		}
	}
	if want := "POs received per week"; title != want {
		t.Errorf("got svg title %q, want %q", title, want)
	}
	if got, want := texts(doc.find("figcaption", "")), []string{"POs received per week"}; !slices.Equal(got, want) {
		t.Errorf("got figcaption %q, want %q", got, want)
	}
}

func TestBarChartShowsEmptyTextWithoutData(t *testing.T) {
	tests := []struct {
		name  string
		bars  []Bar
		empty bool
	}{
		{"no bars", nil, true},
		{"all zero", []Bar{{"Nov 2", 0}, {"Nov 9", 0}}, true},
		{"some data", []Bar{{"Nov 2", 0}, {"Nov 9", 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := renderChart(t, volumeChart(tt.bars...))

			got := texts(doc.find("text", "chart-empty"))
			var want []string
			if tt.empty {
				want = []string{"No POs in this window"}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got empty text %q, want %q", got, want)
			}
			if got, want := len(doc.find("rect", "chart-bar")), len(tt.bars); got != want {
				t.Errorf("got %d bars, want %d", got, want)
			}
		})
	}
}

func TestBarChartLabelsEverySecondBarWhenCrowded(t *testing.T) {
	var bars []Bar
	for i := range 20 {
		bars = append(bars, Bar{"w" + strconv.Itoa(i), float64(i)})
	}
	_, doc := renderChart(t, volumeChart(bars...))

	got := texts(doc.find("g", "chart-labels")[0].find("text", ""))
	want := []string{"w0", "w2", "w4", "w6", "w8", "w10", "w12", "w14", "w16", "w18"}
	if !slices.Equal(got, want) {
		t.Errorf("got labels %q, want %q", got, want)
	}
	if got := len(doc.find("rect", "chart-bar")); got != 20 {
		t.Errorf("got %d bars, want 20", got)
	}
}

func TestBarChartEscapesWhatItIsGiven(t *testing.T) {
	c := volumeChart(Bar{"<b>x</b>", 3})
	c.Title = `<script>alert(1)</script>`
	c.YLabel = `"><i>y`
	html, doc := renderChart(t, c)

	if strings.Contains(html, "<b>") || strings.Contains(html, "<script>") || strings.Contains(html, "<i>") {
		t.Errorf("markup from the caller came through unescaped:\n%s", html)
	}
	if !strings.Contains(html, "&lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("want the label escaped as &lt;b&gt;x&lt;/b&gt;:\n%s", html)
	}
	if got, want := texts(doc.find("g", "chart-labels")[0].find("text", "")), []string{"<b>x</b>"}; !slices.Equal(got, want) {
		t.Errorf("got label %q, want %q", got, want)
	}
}

func TestBarChartHasNoInlineStyles(t *testing.T) {
	charts := []Chart{
		volumeChart(),
		volumeChart(Bar{"Nov 2", 0}),
		volumeChart(Bar{"Nov 2", 3}, Bar{"Nov 9", 1.5}),
	}
	for _, c := range charts {
		html, _ := renderChart(t, c)
		if strings.Contains(html, "style=") || strings.Contains(html, "<style") {
			t.Errorf("the site's CSP blocks inline styles, got:\n%s", html)
		}
	}
}

func TestBarChartSurvivesBadValues(t *testing.T) {
	// A median over no shipments can come out NaN; it draws as nothing, not a
	// broken axis.
	_, doc := renderChart(t, volumeChart(Bar{"Nov 2", math.NaN()}, Bar{"Nov 9", -4}, Bar{"Nov 16", 6}))

	for i, b := range doc.find("rect", "chart-bar")[:2] {
		if got := number(t, b, "height"); got != 0 {
			t.Errorf("bar %d: got height %v, want 0", i, got)
		}
	}
	if got, want := texts(doc.find("g", "chart-ticks")[0].find("text", "")), []string{"0", "2", "4", "6"}; !slices.Equal(got, want) {
		t.Errorf("got ticks %q, want %q", got, want)
	}
}
