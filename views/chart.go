package views

import (
	"math"
	"strconv"
	"strings"
)

// Bar is one bar of a chart: a label under it and its value.
type Bar struct {
	Label string  // e.g. "Nov 2" (week start)
	Value float64 // counts or hours; not money
}

// Chart is a bar chart drawn as inline SVG.
type Chart struct {
	ID     string // unique element id in the page, used for aria-labelledby (e.g. "chart-volume-30")
	Title  string // e.g. "POs received per week"
	XLabel string // axis label under the x axis, e.g. "Week starting"
	YLabel string // axis label beside the y axis, e.g. "POs"
	Bars   []Bar
	Empty  string // text shown inside the plot when there are no bars or all values are 0, e.g. "No POs in this window"
	// LabelEvery labels every nth bar counting back from the last (a
	// month of days labelled weekly); 0 labels each, or every second past
	// crowdedBars.
	LabelEvery int
	// Small draws the chart narrower, beside a dashboard's counts.
	Small bool
}

// The chart is drawn in a fixed viewBox and scaled by CSS; these are its
// user-space measurements.
const (
	chartWidth  = 640
	chartHeight = 260
	plotLeft    = 64 // room for tick labels up to six digits and the rotated y label
	plotTop     = 16 // room for the value printed above the tallest bar
	plotRight   = chartWidth - 12
	plotBottom  = chartHeight - 48 // room for bar labels and the x label
	plotWidth   = plotRight - plotLeft
	plotHeight  = plotBottom - plotTop

	maxBarWidth = 56 // so one or two bars don't turn into slabs
	// Past this many bars the labels under them would collide, so only
	// every second one is labelled and values are left to the bar titles.
	crowdedBars = 14
)

// chartTick is one y-axis tick: where its gridline runs and what it reads.
type chartTick struct {
	Y      string
	LabelY string
	Label  string
}

// chartBar is one bar placed in the plot.
type chartBar struct {
	X, Y, Width, Height string
	Mid                 string // x of the bar's centre, for the texts under and above it
	ValueY              string
	Label               string
	ShowLabel           bool
	Value               string
	ShowValue           bool
	Title               string // "Label: value", for hover and screen readers
}

// chartLayout is a Chart worked out into SVG coordinates, so the template
// only places what is here.
type chartLayout struct {
	ViewBox   string
	Ticks     []chartTick
	Bars      []chartBar
	Empty     bool
	Summary   string // every bar's "Label: value", for the SVG's desc
	PlotLeft  string
	PlotRight string
	PlotTop   string
	PlotBot   string
	PlotMidX  string
	PlotMidY  string
	TickX     string
	BarLabelY string
	XLabelY   string
	YLabelX   string // in the rotated frame: minus the plot's vertical middle
}

// layoutChart places the ticks and bars of c in the chart's viewBox.
func layoutChart(c Chart) chartLayout {
	l := chartLayout{
		ViewBox:   "0 0 " + itoa(chartWidth) + " " + itoa(chartHeight),
		PlotLeft:  itoa(plotLeft),
		PlotRight: itoa(plotRight),
		PlotTop:   itoa(plotTop),
		PlotBot:   itoa(plotBottom),
		PlotMidX:  coord(plotLeft + plotWidth/2.0),
		PlotMidY:  coord(plotTop + plotHeight/2.0),
		TickX:     itoa(plotLeft - 6),
		BarLabelY: itoa(plotBottom + 16),
		XLabelY:   itoa(chartHeight - 8),
		YLabelX:   coord(-(plotTop + plotHeight/2.0)),
	}

	values := make([]float64, len(c.Bars))
	highest := 0.0
	whole := true
	for i, b := range c.Bars {
		v := barValue(b.Value)
		values[i] = v
		highest = math.Max(highest, v)
		if v != math.Trunc(v) {
			whole = false
		}
	}
	l.Empty = highest == 0

	top := 0.0
	if l.Empty {
		l.Ticks = []chartTick{tickAt(0, 0)}
	} else {
		step, steps := niceStep(highest, whole)
		top = step * float64(steps)
		for i := 0; i <= steps; i++ {
			// Rounded so 3×0.1 reads 0.3, not 0.30000000000000004.
			v := math.Round(float64(i)*step*10) / 10
			l.Ticks = append(l.Ticks, tickAt(v, v/top))
		}
	}

	n := len(c.Bars)
	if n == 0 {
		return l
	}
	slot := float64(plotWidth) / float64(n)
	width := math.Min(slot*0.7, maxBarWidth)
	summary := make([]string, n)
	for i, b := range c.Bars {
		h := 0.0
		if top > 0 {
			h = values[i] / top * plotHeight
		}
		mid := plotLeft + slot*(float64(i)+0.5)
		value := chartNumber(values[i])
		title := b.Label + ": " + value
		summary[i] = title
		l.Bars = append(l.Bars, chartBar{
			X:         coord(mid - width/2),
			Y:         coord(plotBottom - h),
			Width:     coord(width),
			Height:    coord(h),
			Mid:       coord(mid),
			ValueY:    coord(plotBottom - h - 4),
			Label:     b.Label,
			ShowLabel: showLabel(c.LabelEvery, i, n),
			Value:     value,
			ShowValue: n <= crowdedBars,
			Title:     title,
		})
	}
	l.Summary = strings.Join(summary, "; ")
	return l
}

// showLabel reports whether bar i of n gets its label under it.
func showLabel(every, i, n int) bool {
	if every > 0 {
		return (n-1-i)%every == 0
	}
	return n <= crowdedBars || i%2 == 0
}

// tickAt is the tick for value v drawn at fraction f of the plot's height.
func tickAt(v, f float64) chartTick {
	y := plotBottom - f*plotHeight
	return chartTick{Y: coord(y), LabelY: coord(y + 4), Label: chartNumber(v)}
}

// barValue is v as the chart draws it: counts and hours are never negative,
// and a NaN or infinity from a bad division should not wreck the scale.
func barValue(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// niceStep picks the y-axis step, a 1, 2 or 5 times a power of ten, and how
// many steps reach highest: the smallest step that gets there in at most five,
// which makes it at least three. Whole-number data (counts) never gets a
// fractional step, so a week of 2 POs reads 0–3 rather than 0, 0.5, …; other
// data steps by at least 0.1 so every label fits one decimal. When that floor
// leaves fewer than three steps the axis is stretched to three.
func niceStep(highest float64, whole bool) (step float64, steps int) {
	exp := -1
	if whole {
		exp = 0
	}
	for i := 0; ; i++ {
		step = [3]float64{1, 2, 5}[i%3] * math.Pow10(exp+i/3)
		// The small allowance keeps 1.1/0.1 = 11.000000000000002 at 11.
		steps = int(math.Ceil(highest/step - 1e-9))
		if steps <= 5 {
			break
		}
	}
	return step, max(steps, 3)
}

// chartNumber writes a tick or bar value: whole numbers without decimals,
// anything else to one decimal.
func chartNumber(v float64) string {
	if r := math.Round(v*10) / 10; r != math.Trunc(r) {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// coord writes an SVG coordinate to two decimals at most.
func coord(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
