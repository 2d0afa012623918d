package reports

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/results"
)

// Plots of event logs (events.Description): the engagement heatmap of
// events per resource type and week, and the daily activity timeline.

func heatmapPlotName(dataset string) string  { return "plots/engagement-heatmap_" + slug(dataset) }
func timelinePlotName(dataset string) string { return "plots/activity-timeline_" + slug(dataset) }

// sequentialStops is ColorBrewer's 9-class YlGnBu scheme: colour-blind
// safe, and its lightness falls monotonically from the first stop to the
// last, so the order of counts survives greyscale printing.
var sequentialStops = []color.NRGBA{
	{0xff, 0xff, 0xd9, 0xff}, {0xed, 0xf8, 0xb1, 0xff}, {0xc7, 0xe9, 0xb4, 0xff},
	{0x7f, 0xcd, 0xbb, 0xff}, {0x41, 0xb6, 0xc4, 0xff}, {0x1d, 0x91, 0xc0, 0xff},
	{0x22, 0x5e, 0xa8, 0xff}, {0x25, 0x34, 0x94, 0xff}, {0x08, 0x1d, 0x58, 0xff},
}

// sequentialColor maps t in [0, 1] to the sequential scale by linear
// interpolation between its stops (t outside is clamped).
func sequentialColor(t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	pos := t * float64(len(sequentialStops)-1)
	i := int(pos)
	if i >= len(sequentialStops)-1 {
		return sequentialStops[len(sequentialStops)-1]
	}
	f := pos - float64(i)
	a, b := sequentialStops[i], sequentialStops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// relativeLuminance is the WCAG relative luminance of an sRGB colour.
func relativeLuminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// inkOn returns black or white, whichever contrasts more with the
// background.
func inkOn(bg color.NRGBA) color.Color {
	// Black's contrast (L+0.05)/0.05 exceeds white's 1.05/(L+0.05) when
	// L > 0.179.
	if relativeLuminance(bg) > 0.179 {
		return color.Black
	}
	return color.White
}

// compactCount writes a count in at most four characters: 9950, 95k,
// 950k, 9.5M, 95M.
func compactCount(n int64) string {
	a := math.Abs(float64(n))
	switch {
	case a < 9999.5:
		return strconv.FormatInt(n, 10)
	case a < 999500:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 0, 64) + "k"
	case a < 9.95e6:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 0, 64) + "M"
}

// heatCells draws a grid of cells at integer coordinates (column c at x =
// c, row r at y = r), each filled with its colour and labelled with its
// text in the contrasting ink.
type heatCells struct {
	Cols, Rows int
	Fill       func(c, r int) color.NRGBA
	Label      func(c, r int) string
	Font       text.Style
}

func (h heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	border := draw.LineStyle{Color: color.NRGBA{0xbb, 0xbb, 0xbb, 0xff}, Width: vg.Points(0.5)}
	for r := 0; r < h.Rows; r++ {
		for col := 0; col < h.Cols; col++ {
			x0, x1 := tx(float64(col)-0.5), tx(float64(col)+0.5)
			y0, y1 := ty(float64(r)-0.5), ty(float64(r)+0.5)
			rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			bg := h.Fill(col, r)
			c.FillPolygon(bg, rect)
			c.StrokeLines(border, append(rect, rect[0]))
			if s := h.Label(col, r); s != "" {
				sty := h.Font
				sty.Color = inkOn(bg)
				c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, s)
			}
		}
	}
}

func (h heatCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(h.Cols) - 0.5, -0.5, float64(h.Rows) - 0.5
}

// weekTicks labels every week of a heatmap row.
func weekTicks(weeks []int) []plot.Tick {
	ticks := make([]plot.Tick, len(weeks))
	for i, w := range weeks {
		ticks[i] = plot.Tick{Value: float64(i), Label: strconv.Itoa(w)}
	}
	return ticks
}

// heatmapWeeksPerRow is the most weeks one row of the heatmap shows;
// longer logs wrap onto further rows so that the counts stay readable when
// the figure is scaled to a page's width.
const heatmapWeeksPerRow = 16

// heatmapPlot draws events per resource type and week as a grid of cells
// coloured on a sequential scale (white for none, darkest for the largest
// count) with every count written in its cell, and a colour bar; logs of
// more than heatmapWeeksPerRow weeks wrap onto several rows of weeks. nil
// when the heatmap is empty.
func heatmapPlot(l results.EventLog, withPNG bool) (*renderedPlot, error) {
	if l.Description == nil {
		return nil, nil
	}
	h := l.Description.Heatmap
	if len(h.Weeks) == 0 || len(h.ResourceTypes) == 0 {
		return nil, nil
	}
	if len(h.Counts) != len(h.ResourceTypes) {
		return nil, fmt.Errorf("heatmap of %s: %d rows of counts for %d resource types", l.Dataset, len(h.Counts), len(h.ResourceTypes))
	}
	for t, row := range h.Counts {
		if len(row) != len(h.Weeks) {
			return nil, fmt.Errorf("heatmap of %s: %d counts for resource type %s, want one per week (%d)", l.Dataset, len(row), h.ResourceTypes[t], len(h.Weeks))
		}
	}
	var maxCount int64
	maxType, maxWeek := 0, 0
	for t := range h.ResourceTypes {
		for w := range h.Weeks {
			if h.Counts[t][w] > maxCount {
				maxCount, maxType, maxWeek = h.Counts[t][w], t, w
			}
		}
	}
	nT, nW := len(h.ResourceTypes), len(h.Weeks)
	shade := func(n int64) color.NRGBA {
		if n <= 0 {
			return color.NRGBA{0xff, 0xff, 0xff, 0xff}
		}
		return sequentialColor(float64(n) / float64(max(maxCount, 1)))
	}
	// Rows of weeks of nearly equal length.
	rows := (nW + heatmapWeeksPerRow - 1) / heatmapWeeksPerRow
	perRow := (nW + rows - 1) / rows
	var blocks []*plot.Plot
	var blockWeeks []int
	for from := 0; from < nW; from += perRow {
		to := min(from+perRow, nW)
		title := fmt.Sprintf("Events per resource type and week: %s", l.Dataset)
		if rows > 1 {
			title += fmt.Sprintf(", weeks %d to %d", h.Weeks[from], h.Weeks[to-1])
		}
		xl := "Week"
		if to == nW {
			xl = "Week (week 0 = days 0-6; negative weeks before the start)"
		}
		p := newPlot(title, xl, "")
		cellFont := p.X.Tick.Label
		cellFont.Font.Size = 8
		cellFont.XAlign, cellFont.YAlign = draw.XCenter, draw.YCenter
		off := from
		p.Add(heatCells{Cols: to - from, Rows: nT, Font: cellFont,
			// The first resource type is drawn at the top.
			Fill:  func(c, r int) color.NRGBA { return shade(h.Counts[nT-1-r][off+c]) },
			Label: func(c, r int) string { return compactCount(h.Counts[nT-1-r][off+c]) },
		})
		p.X.Min, p.X.Max = -0.5, float64(to-from)-0.5
		p.Y.Min, p.Y.Max = -0.5, float64(nT)-0.5
		p.X.Tick.Marker = plot.ConstantTicks(weekTicks(h.Weeks[from:to]))
		yt := make([]plot.Tick, nT)
		for t, name := range h.ResourceTypes {
			yt[t] = plot.Tick{Value: float64(nT - 1 - t), Label: name}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(yt)
		blocks = append(blocks, p)
		blockWeeks = append(blockWeeks, to-from)
	}

	bar := newPlot("Scale", "events", "")
	bar.Y.Min, bar.Y.Max = 0, float64(max(maxCount, 1))
	bar.X.Min, bar.X.Max = 0, 1
	// One blank tick label keeps the bar's plot area level with the
	// heatmap's.
	bar.X.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0.5, Label: " "}})
	bar.X.Tick.LineStyle.Width = 0
	bar.X.LineStyle.Width = 0
	bar.Y.Tick.Marker = countTicks{}
	const stripes = 64
	bar.Add(colorStrip{N: stripes, Max: bar.Y.Max, Color: func(t float64) color.NRGBA { return sequentialColor(t) }})

	const cellW = 0.42 // inches
	blockH := math.Max(2.6, 1.3+0.36*float64(nT))
	w := math.Max(6.5, 2.4+cellW*float64(perRow)+1.3)
	barW := 1.15 * vg.Inch
	f := figureDrawer{W: vg.Length(w) * vg.Inch, H: vg.Length(blockH*float64(rows)) * vg.Inch, Draw: func(dc draw.Canvas) {
		area := draw.Crop(dc, vg.Points(6), 0, 0, 0)
		area.Max.X = dc.Max.X - barW - vg.Points(8)
		bh := vg.Length(blockH) * vg.Inch
		// Every row's cells are as wide as the first row's: a shorter
		// last row gets a narrower canvas.
		full := area
		full.Min.Y = full.Max.Y - bh
		data := blocks[0].DataCanvas(full)
		cell := (data.Max.X - data.Min.X) / vg.Length(blockWeeks[0])
		for i, p := range blocks {
			c := area
			c.Max.Y = area.Max.Y - vg.Length(i)*bh
			c.Min.Y = c.Max.Y - bh
			c.Max.X = area.Max.X - cell*vg.Length(blockWeeks[0]-blockWeeks[i])
			p.Draw(draw.Crop(c, 0, 0, vg.Points(8), 0))
		}
		right := dc
		right.Min.X = dc.Max.X - barW
		right.Min.Y = dc.Max.Y - bh
		bar.Draw(draw.Crop(right, 0, -vg.Points(6), vg.Points(8), 0))
	}}
	desc := fmt.Sprintf("Heatmap of the events of %s per resource type (%s) and week (%d to %d), each cell's count written in it (k = thousands, M = millions). Colour from white (no events) through yellow and green to dark blue (the largest count, %d, %s in week %d) on a linear scale shown by the colour bar; darker is more in greyscale too.",
		l.Dataset, strings.Join(h.ResourceTypes, ", "), h.Weeks[0], h.Weeks[nW-1], maxCount, h.ResourceTypes[maxType], h.Weeks[maxWeek])
	if rows > 1 {
		desc += fmt.Sprintf(" The weeks are wrapped onto %d rows of up to %d weeks.", rows, perRow)
	}
	return render(heatmapPlotName(l.Dataset), "Engagement heatmap of "+l.Dataset+": events per resource type and week", desc, f, withPNG)
}

// countTicks are gonum's default ticks with integer labels.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = compactCount(int64(math.Round(ticks[i].Value)))
		}
	}
	return ticks
}

// dayTicks label days at whole weeks (every 7, 14, 28, ... days so that
// at most about 12 are labelled), with unlabelled ticks at every day
// between labels when the range is short, else at every week.
type dayTicks struct{}

func (dayTicks) Ticks(min, max float64) []plot.Tick {
	step := 7
	for (max-min)/float64(step) > 12 {
		step *= 2
	}
	minor := 1
	if max-min > 70 {
		minor = 7
	}
	var ticks []plot.Tick
	for d := int(math.Ceil(min)); float64(d) <= max; d++ {
		switch {
		case d%step == 0:
			ticks = append(ticks, plot.Tick{Value: float64(d), Label: strconv.Itoa(d)})
		case d%minor == 0:
			ticks = append(ticks, plot.Tick{Value: float64(d)})
		}
	}
	return ticks
}

// colorStrip draws a vertical colour bar of N stripes from 0 to Max.
type colorStrip struct {
	N     int
	Max   float64
	Color func(t float64) color.NRGBA
}

func (s colorStrip) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for i := 0; i < s.N; i++ {
		// Each stripe overlaps the next by half a point so no seam shows.
		y0, y1 := ty(s.Max*float64(i)/float64(s.N)), ty(s.Max*float64(i+1)/float64(s.N))
		if i < s.N-1 {
			y1 += vg.Points(0.5)
		}
		rect := []vg.Point{{X: tx(0), Y: y0}, {X: tx(1), Y: y0}, {X: tx(1), Y: y1}, {X: tx(0), Y: y1}}
		c.FillPolygon(s.Color((float64(i)+0.5)/float64(s.N)), rect)
	}
	outline := []vg.Point{{X: tx(0), Y: ty(0)}, {X: tx(1), Y: ty(0)}, {X: tx(1), Y: ty(s.Max)}, {X: tx(0), Y: ty(s.Max)}, {X: tx(0), Y: ty(0)}}
	c.StrokeLines(draw.LineStyle{Color: grey, Width: vg.Points(0.5)}, outline)
}

func (s colorStrip) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, 0, s.Max }

// timelinePlot draws the course's events per day (top) and active
// students per day (bottom) on a shared day axis, shading the weeks with
// the largest drops in active students; nil without a timeline.
func timelinePlot(l results.EventLog, withPNG bool) (*renderedPlot, error) {
	if l.Description == nil || len(l.Description.Timeline) == 0 {
		return nil, nil
	}
	d := l.Description
	tl := d.Timeline
	first, last := tl[0].Day, tl[len(tl)-1].Day
	xl := "Day of the course"
	for _, a := range tl {
		if a.Date != "" {
			xl = fmt.Sprintf("Day of the course (day %d is %s)", a.Day, a.Date)
			break
		}
	}
	evXY, actXY := make(plotter.XYs, len(tl)), make(plotter.XYs, len(tl))
	var maxEv int64
	maxAct := 0
	peakEv, peakAct := tl[0], tl[0]
	for i, a := range tl {
		evXY[i] = plotter.XY{X: float64(a.Day), Y: float64(a.Events)}
		actXY[i] = plotter.XY{X: float64(a.Day), Y: float64(a.ActiveStudents)}
		if a.Events > maxEv {
			maxEv, peakEv = a.Events, a
		}
		if a.ActiveStudents > maxAct {
			maxAct, peakAct = a.ActiveStudents, a
		}
	}
	span := math.Max(1, float64(last-first))
	top := newPlot("Events per day: "+l.Dataset, "", "Events")
	bottom := newPlot("Active students per day: "+l.Dataset, xl, "Active students")
	xMin, xMax := float64(first)-0.02*span, float64(last)+0.02*span
	for _, p := range []*plot.Plot{top, bottom} {
		p.Add(plotter.NewGrid())
		p.X.Tick.Marker = dayTicks{}
		p.Y.Tick.Marker = countTicks{}
	}
	// Headroom above the curves for the legends.
	topMax := float64(max(maxEv, 1)) * 1.2
	bottomMax := float64(max(maxAct, 1)) * 1.35
	var drops []string
	for i, dr := range d.LargestDrops {
		// The week's days, clipped to the drawn range (the last week may
		// extend past the log's last day).
		x0, x1 := math.Max(xMin, float64(7*dr.Week)-0.5), math.Min(xMax, float64(7*dr.Week+7)-0.5)
		if x0 >= x1 {
			continue
		}
		band, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: bottomMax}, {X: x0, Y: bottomMax}})
		if err != nil {
			return nil, err
		}
		band.Color = lightGrey
		band.LineStyle = draw.LineStyle{Color: grey, Width: vg.Points(0.5)}
		bottom.Add(band)
		if i == 0 {
			bottom.Legend.Add("weeks with the largest drops", band)
		}
		drops = append(drops, fmt.Sprintf("week %d (%d to %d active, −%s%%)", dr.Week, dr.ActiveBefore, dr.Active, dec(100*dr.RelativeDrop, 0)))
	}
	for _, s := range []struct {
		p     *plot.Plot
		xys   plotter.XYs
		st    seriesStyle
		label string
	}{{top, evXY, styleOf(0), "events (all students)"}, {bottom, actXY, styleOf(1), "students with an event that day"}} {
		area := append(plotter.XYs{{X: s.xys[0].X, Y: 0}}, s.xys...)
		area = append(area, plotter.XY{X: s.xys[len(s.xys)-1].X, Y: 0})
		poly, err := plotter.NewPolygon(area)
		if err != nil {
			return nil, err
		}
		poly.Color = s.st.fill(0x30)
		poly.LineStyle.Width = 0
		ln, err := plotter.NewLine(s.xys)
		if err != nil {
			return nil, err
		}
		ln.Color, ln.Width, ln.Dashes = s.st.Color, vg.Points(1.2), s.st.Dashes
		s.p.Add(poly, ln)
		s.p.Legend.Add(s.label, ln)
		s.p.Legend.Top, s.p.Legend.Left = true, false
		s.p.Legend.XOffs, s.p.Legend.YOffs = -vg.Points(4), -vg.Points(2)
	}
	// Adding data widens the axes to the data's range: fix them after.
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max, p.Y.Min = xMin, xMax, 0
	}
	top.Y.Max, bottom.Y.Max = topMax, bottomMax
	f := figureDrawer{W: 10 * vg.Inch, H: 6 * vg.Inch, Draw: func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(10), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
		top.Draw(cs[0][0])
		bottom.Draw(cs[1][0])
	}}
	desc := fmt.Sprintf("Daily activity of %s from day %d to day %d: events per day (top; most on day %d, %d events) and students with at least one event per day (bottom; most on day %d, %d students).",
		l.Dataset, first, last, peakEv.Day, peakEv.Events, peakAct.Day, peakAct.ActiveStudents)
	if len(drops) > 0 {
		desc += " Shaded: the weeks with the largest falls in weekly active students from the week before: " + strings.Join(drops, "; ") + "."
	}
	return render(timelinePlotName(l.Dataset), "Activity timeline of "+l.Dataset+": events and active students per day", desc, f, withPNG)
}

// eventLogPlots renders the heatmap and timeline of one event log (either
// may be nil when the description lacks its data).
func eventLogPlots(l results.EventLog, withPNG bool) ([]*renderedPlot, error) {
	var out []*renderedPlot
	for _, fn := range []func(results.EventLog, bool) (*renderedPlot, error){heatmapPlot, timelinePlot} {
		p, err := fn(l, withPNG)
		if err != nil {
			return nil, fmt.Errorf("event log %s: %w", l.Dataset, err)
		}
		if p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// EventLogPlotFiles renders the engagement heatmap and the activity
// timeline of one event log as plots/engagement-heatmap_NAME.svg|png and
// plots/activity-timeline_NAME.svg|png (NAME the dataset's name as in
// PlotFiles). Deterministic like PlotFiles.
func EventLogPlotFiles(l results.EventLog) ([]File, error) {
	list, err := eventLogPlots(l, true)
	if err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	return plotFiles(list), nil
}

// stoppedShown is how many students who stopped the reports list.
const stoppedShown = 20

// eventLogSections shows each event log: cleaning counts, the heatmap and
// timeline, the weeks with the largest drops in active students, the
// students who stopped (at most stoppedShown, with the count of the rest)
// and the engagement patterns with their at-risk rates.
func eventLogSections(run *results.Run, plots map[string]*renderedPlot) []docSection {
	if len(run.EventLogs) == 0 {
		return nil
	}
	s := docSection{ID: sectionEvents, Title: "How students engaged (event logs)"}
	s.text("Descriptive analytics of the spec's event logs over the whole log (not bound to a cutoff): what cleaning removed, events per resource type and week, daily activity, the weeks in which the most students fell away, the students whose activity stopped early, and the weekly engagement patterns with the at-risk rates of the students who followed them.")
	for _, l := range run.EventLogs {
		eventLogSection(&s, l, run.Pseudonymized, plots)
	}
	return []docSection{s}
}

func eventLogSection(s *docSection, l results.EventLog, pseudonymized bool, plots map[string]*renderedPlot) {
	s.heading(fmt.Sprintf("Event log %s (joined to %s)", l.Dataset, l.Joined))
	d := l.Description
	var cleaned []string
	for _, c := range l.Cleaning {
		if c.Count == 0 {
			continue
		}
		item := fmt.Sprintf("%s: %d", c.Rule, c.Count)
		if c.Detail != "" {
			item += " (" + c.Detail + ")"
		}
		cleaned = append(cleaned, item)
	}
	if len(cleaned) > 0 {
		s.text("Cleaning of %s (rules with a zero count omitted):", l.Dataset)
		s.items(cleaned)
	} else {
		s.text("Cleaning of %s removed no event.", l.Dataset)
	}
	if d == nil {
		s.text("The run holds no description of %s.", l.Dataset)
		return
	}
	if len(d.Warnings) > 0 {
		s.text("Warnings of %s:", l.Dataset)
		s.items(d.Warnings)
	}
	for _, name := range []string{heatmapPlotName(l.Dataset), timelinePlotName(l.Dataset)} {
		if p := plots[name]; p != nil {
			s.figure(p)
		}
	}
	if len(d.LargestDrops) > 0 {
		t := newTable(fmt.Sprintf("%s: the weeks with the largest falls in active students from the week before, largest first", l.Dataset),
			"week", "active the week before", "active", "drop", "relative drop")
		t.numeric(0, 1, 2, 3, 4)
		for _, dr := range d.LargestDrops {
			t.add(strconv.Itoa(dr.Week), strconv.Itoa(dr.ActiveBefore), strconv.Itoa(dr.Active), strconv.Itoa(dr.Drop), dec(100*dr.RelativeDrop, 0)+"%")
		}
		s.table(t)
	}
	keys := "pseudonymous keys"
	if !pseudonymized {
		keys = "real student ids (the spec opted in)"
	}
	never := ""
	switch {
	case d.NeverActive == 1:
		never = " 1 student was never active (not listed)."
	case d.NeverActive > 1:
		never = fmt.Sprintf(" %d students were never active (not listed).", d.NeverActive)
	}
	if len(d.Stopped) == 0 {
		s.text("No student stopped at least %d days before day %d.%s", d.QuietDays, d.EndDay, never)
	} else {
		shown := min(len(d.Stopped), stoppedShown)
		rest := ""
		if len(d.Stopped) > shown {
			rest = fmt.Sprintf("; %d more are not listed (results.json and evalrun describe --json list all)", len(d.Stopped)-shown)
		}
		s.text("%s stopped at least %d days before day %d (the end of the log); the first %d by last active day are listed by %s%s.%s",
			studentsText(len(d.Stopped)), d.QuietDays, d.EndDay, shown, keys, rest, never)
		hasDate := false
		for _, st := range d.Stopped[:shown] {
			hasDate = hasDate || st.Date != ""
		}
		header := []string{"student", "last active day"}
		if hasDate {
			header = append(header, "date")
		}
		header = append(header, "quiet days")
		t := newTable(fmt.Sprintf("%s: students whose activity stopped, earliest first", l.Dataset), header...)
		t.Numeric[1], t.Numeric[len(header)-1] = true, true
		for _, st := range d.Stopped[:shown] {
			row := []string{st.Student, strconv.Itoa(st.LastActiveDay)}
			if hasDate {
				row = append(row, st.Date)
			}
			t.add(append(row, strconv.Itoa(st.QuietDays))...)
		}
		s.table(t)
	}
	if len(d.Patterns) > 0 {
		weeks := len(d.Patterns[0].Pattern)
		t := newTable(fmt.Sprintf("%s: the commonest weekly engagement patterns over weeks 0 to %d (1 = active that week, 0 = inactive; first week on the left) and the at-risk rate of their students", l.Dataset, weeks-1),
			"pattern", "students", "with known outcome", "at-risk rate")
		t.numeric(1, 2, 3)
		for _, p := range d.Patterns {
			rate := undefinedCell
			if p.OutcomeRate != nil {
				rate = dec(100**p.OutcomeRate, 1) + "%"
			}
			t.add(patternCell(p), strconv.Itoa(p.Students), strconv.Itoa(p.WithOutcome), rate)
		}
		t.Notes = "At-risk rate: the share labelled at risk among the pattern's students whose outcome is known (" + undefinedCell + " when none is)."
		s.table(t)
	}
}

// patternCell writes an engagement pattern with its weeks spaced so
// Markdown and HTML do not read it as a number.
func patternCell(p events.Pattern) string {
	return strings.Join(strings.Split(p.Pattern, ""), " ")
}

func studentsText(n int) string {
	if n == 1 {
		return "1 student"
	}
	return strconv.Itoa(n) + " students"
}
