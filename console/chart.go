package console

import (
	"fmt"
	"strings"
)

// Charts are SVG drawn here, as numbers in attributes: the browser runs no
// chart code and the CSP needs no inline style.

// bar is one rectangle of a chart.
type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// label is a text of a chart's axis.
type label struct {
	X, Y float64
	Text string
}

// chart is an SVG of bars with labels.
type chart struct {
	Width, Height float64
	Bars          []bar
	Labels        []label
	Max           int
}

// series is one stacked layer of a column chart.
type series struct {
	Name   string
	Class  string
	Values []int
}

// stackedColumns draws columns of stacked series, one per label.
func stackedColumns(labels []string, layers []series, every int) chart {
	const w, h, top, bottom, left = 720.0, 200.0, 10.0, 24.0, 36.0
	c := chart{Width: w, Height: h}
	for i := range labels {
		sum := 0
		for _, s := range layers {
			sum += s.Values[i]
		}
		c.Max = max(c.Max, sum)
	}
	scale := (h - top - bottom) / float64(max(c.Max, 1))
	slot := (w - left) / float64(max(len(labels), 1))
	for i, name := range labels {
		y := h - bottom
		for _, s := range layers {
			v := s.Values[i]
			if v == 0 {
				continue
			}
			bh := float64(v) * scale
			y -= bh
			c.Bars = append(c.Bars, bar{X: left + float64(i)*slot + 1, Y: y, W: slot - 2, H: bh, Class: s.Class,
				Title: fmt.Sprintf("%s: %d %s", name, v, s.Name)})
		}
		if every > 0 && i%every == 0 {
			c.Labels = append(c.Labels, label{X: left + float64(i)*slot, Y: h - 8, Text: name})
		}
	}
	c.Labels = append(c.Labels, label{X: 0, Y: top + 10, Text: fmt.Sprint(c.Max)}, label{X: 0, Y: h - bottom, Text: "0"})
	return c
}

// horizontalBars draws one bar per row, longest first as given.
func horizontalBars(names []string, values []int) chart {
	const w, row, left = 720.0, 22.0, 230.0
	c := chart{Width: w, Height: row*float64(len(names)) + 4}
	for _, v := range values {
		c.Max = max(c.Max, v)
	}
	scale := (w - left - 60) / float64(max(c.Max, 1))
	for i, n := range names {
		y := float64(i)*row + 2
		c.Bars = append(c.Bars, bar{X: left, Y: y + 3, W: max(float64(values[i])*scale, 1), H: row - 6, Class: "s-ok",
			Title: fmt.Sprintf("%s: %d", n, values[i])})
		c.Labels = append(c.Labels, label{X: 0, Y: y + row - 7, Text: n},
			label{X: left + float64(values[i])*scale + 6, Y: y + row - 7, Text: fmt.Sprint(values[i])})
	}
	return c
}

// sparkline is the points of a polyline of values, oldest first, in a w×h box.
func sparkline(values []float64, w, h float64) string {
	if len(values) == 0 {
		return ""
	}
	hi := 0.0
	for _, v := range values {
		hi = max(hi, v)
	}
	if hi == 0 {
		hi = 1
	}
	step := w / float64(max(len(values)-1, 1))
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", float64(i)*step, h-1-v/hi*(h-2))
	}
	return b.String()
}
