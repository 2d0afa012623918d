package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/results"
)

// HTML renders report.html: one self-contained page (inline CSS and SVG,
// no scripts, no fonts or images from elsewhere) with the plain-language
// summary, the same tables as report.md with captions, every plot inline
// with its title and description for screen readers, and the risk list's
// first 50 students, each expanding (HTML <details>) to a drill-down of
// weekly activity and assessments in words. risk may be nil. The output
// is deterministic and prints on paper (figures and table rows are kept
// whole across pages).
//
// The page is built with html/template (report.html.tmpl), whose
// contextual escaping covers text, attributes and URLs: group names,
// feature labels and keys come from users' data. Only the plot SVGs,
// written by this package's own renderer, are inserted as trusted markup.
func HTML(run *results.Run, risk *results.RiskList) ([]byte, error) {
	plots, err := renderPlots(run, risk, false)
	if err != nil {
		return nil, err
	}
	return htmlDoc(buildDocument(run, risk, plots, riskRowsHTML))
}

//go:embed report.html.tmpl
var reportTemplateText string

var reportTemplate = template.Must(template.New("report").Parse(reportTemplateText))

// htmlPage is the report as the template sees it: every value already
// formatted, nothing left to compute.
type htmlPage struct {
	Title     string
	Intro     []string
	SummaryID string
	Summary   []htmlSummaryItem
	Sections  []htmlSection
}

// htmlSummaryItem is one summary paragraph; Lead, when set, is its short
// question or label shown in bold.
type htmlSummaryItem struct{ Lead, Rest string }

type htmlSection struct {
	ID, Title string
	Blocks    []htmlBlock
}

// htmlBlock is one element of a section; exactly one field is set.
type htmlBlock struct {
	Heading string
	Text    string
	Items   []string
	Table   *htmlTable
	Figure  *htmlFigure
	Risk    []htmlStudent
}

type htmlTable struct {
	N         int
	Caption   string
	Collapsed bool
	Header    []string
	Rows      [][]htmlCell
	Notes     string
}

// htmlCell is a table cell; Interval, when set, is the "lo-hi" of an
// estimate kept on one line after Value.
type htmlCell struct {
	Class    string
	Value    string
	Interval string
}

type htmlFigure struct {
	N                 int
	ID                string
	Wide              bool
	SVG               template.HTML
	Title, Desc, Name string
}

type htmlStudent struct {
	Rank                           int
	Key, Course, Term, Score       string
	Band, BandClass, Why           string
	Weekly                         *weeklyChart
	AssessmentWords, ActivityWords string
	Trail                          []trailRow
	Reasons                        []string
}

type trailRow struct {
	ID, Type, Weight, Submitted, Score string
	Due                                int
}

// weeklyChart is a student's clicks per week as a small bar chart, with
// an accessible label listing every week's count.
type weeklyChart struct {
	ID, Label                            string
	W, H, Left, Right, Baseline          float64
	LabelX, PeakY, EmptyX, EmptyY, WeekY float64
	Peak                                 string
	Bars                                 []weeklyBar
}

type weeklyBar struct {
	X, Y, W, H, TickX string
	Week              int
	Tick              bool
}

func htmlDoc(doc reportDoc) ([]byte, error) {
	page := htmlPage{Title: doc.Title, Intro: doc.Intro, SummaryID: sectionSummary}
	for _, p := range doc.Summary {
		if lead, rest, ok := summaryLead(p); ok {
			page.Summary = append(page.Summary, htmlSummaryItem{Lead: lead, Rest: rest})
		} else {
			page.Summary = append(page.Summary, htmlSummaryItem{Rest: p})
		}
	}
	tableN, figN := 0, 0
	for _, s := range doc.Sections {
		sec := htmlSection{ID: s.ID, Title: s.Title}
		for _, blk := range s.Blocks {
			var hb htmlBlock
			switch {
			case blk.Heading != "":
				hb.Heading = blk.Heading
			case blk.Text != "":
				hb.Text = blk.Text
			case blk.Items != nil:
				hb.Items = blk.Items
			case blk.Table != nil:
				tableN++
				hb.Table = htmlTableOf(blk.Table, tableN)
			case blk.Figure != nil:
				figN++
				p := blk.Figure
				hb.Figure = &htmlFigure{N: figN, ID: slug(p.Name), Wide: p.Wide, SVG: template.HTML(inlineSVG(p.SVG)), Title: p.Title, Desc: p.Desc, Name: p.Name}
			case blk.Risk != nil:
				hb.Risk = htmlStudents(blk.Risk)
			default:
				continue
			}
			sec.Blocks = append(sec.Blocks, hb)
		}
		page.Sections = append(page.Sections, sec)
	}
	var b bytes.Buffer
	if err := reportTemplate.ExecuteTemplate(&b, "page", page); err != nil {
		return nil, fmt.Errorf("report.html: %w", err)
	}
	return b.Bytes(), nil
}

func htmlTableOf(t *docTable, n int) *htmlTable {
	out := &htmlTable{N: n, Caption: t.Caption, Collapsed: t.Collapsed, Header: t.Header, Notes: t.Notes}
	for _, row := range t.Rows {
		cells := make([]htmlCell, len(row))
		for i, c := range row {
			var class []string
			if i < len(t.Numeric) && t.Numeric[i] {
				class = append(class, "num")
			}
			if i == t.Verdict {
				class = append(class, "verdict", "verdict-"+slug(c))
			}
			cells[i] = htmlCell{Class: strings.Join(class, " "), Value: c}
			if len(class) > 0 {
				if v, iv, ok := strings.Cut(c, " ("); ok && strings.HasSuffix(iv, ")") && isNumber(v) {
					cells[i].Value, cells[i].Interval = v, iv
				}
			}
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// summaryLead splits a summary paragraph after its question or label
// ("How sure:", "Is it fair by the spec's thresholds?") so the HTML can
// set it in bold; ok is false when the paragraph has no short lead.
func summaryLead(p string) (lead, rest string, ok bool) {
	i := strings.IndexAny(p, ":?")
	if i < 0 || i > 60 {
		return "", "", false
	}
	return p[:i+1], p[i+1:], true
}

func htmlStudents(r *riskBlock) []htmlStudent {
	var out []htmlStudent
	for i, s := range r.List.Students {
		if i == r.Show {
			break
		}
		why := "no reason above the model's base value"
		if reasons := riskReasons(r.List, s); len(reasons) > 0 {
			why = strings.Join(reasons, "; ")
		}
		st := htmlStudent{Rank: s.Rank, Key: s.Key, Course: s.Course, Term: s.Term, Score: dec(s.Score, 3),
			Band: s.Band, BandClass: slug(s.Band), Why: why,
			AssessmentWords: assessmentWords(s.Features, r.List.Cutoff), ActivityWords: activityWords(s.Features, r.List.Cutoff)}
		if len(s.Weekly) > 0 {
			st.Weekly = weeklyBars(s.Key, s.Weekly)
		}
		st.Trail = assessmentTrail(s.Assessments)
		for _, reason := range s.Reasons {
			st.Reasons = append(st.Reasons, fmt.Sprintf("%s (contribution %+.3f)", LabelledReasonWords(reason, s.Features, r.List.Cutoff, r.List.Labels), reason.Contribution))
		}
		if len(s.Warnings) > 0 {
			st.Why += "; extrapolation: " + strings.Join(s.Warnings, "; ")
			for _, w := range s.Warnings {
				st.Reasons = append(st.Reasons, "extrapolation: "+w)
			}
		}
		out = append(out, st)
	}
	return out
}

// assessmentTrail lists a student's assessments as of the cutoff: due
// day, type, weight, when it was submitted (late or not) and its score.
func assessmentTrail(trail []datasets.AssessmentRecord) []trailRow {
	var out []trailRow
	for _, a := range trail {
		sub := "not submitted"
		switch {
		case a.Submitted == nil:
		case a.Banked:
			sub = "banked from an earlier attempt"
		case *a.Submitted > a.Due:
			sub = fmt.Sprintf("day %d (%d days late)", *a.Submitted, *a.Submitted-a.Due)
		default:
			sub = fmt.Sprintf("day %d", *a.Submitted)
		}
		score := "—"
		if a.Score != nil {
			score = strconv.FormatFloat(*a.Score, 'f', -1, 64)
		}
		out = append(out, trailRow{ID: a.ID, Type: a.Type, Due: a.Due, Weight: strconv.FormatFloat(a.Weight, 'f', -1, 64), Submitted: sub, Score: score})
	}
	return out
}

// weeklyBars lays out clicks per week as a small bar chart.
func weeklyBars(key string, weekly []float64) *weeklyChart {
	const w, h, left, bottom, top = 360.0, 96.0, 34.0, 18.0, 8.0
	peak := 0.0
	for _, v := range weekly {
		peak = math.Max(peak, v)
	}
	var label []string
	for i, v := range weekly {
		label = append(label, fmt.Sprintf("week %d: %s", i, strconv.FormatFloat(v, 'f', -1, 64)))
	}
	plotW, plotH := w-left-4, h-bottom-top
	c := &weeklyChart{ID: "weekly-" + slug(key), Label: strings.Join(label, ", "),
		W: w, H: h, Left: left, Right: w - 4, Baseline: h - bottom,
		LabelX: left - 4, PeakY: top + 8, EmptyX: left + 8, EmptyY: top + plotH/2, WeekY: h - 5}
	if peak > 0 {
		c.Peak = strconv.FormatFloat(peak, 'f', -1, 64)
	}
	slot := plotW / float64(len(weekly))
	one := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	for i, v := range weekly {
		x := left + float64(i)*slot
		bh := 0.0
		if peak > 0 {
			bh = plotH * v / peak
		}
		c.Bars = append(c.Bars, weeklyBar{X: one(x + 1), Y: one(h - bottom - bh), W: one(math.Max(slot-2, 1)), H: one(bh),
			Week: i, Tick: len(weekly) <= 12 || i%2 == 0, TickX: one(x + slot/2)})
	}
	return c
}

// assessmentWords describes a student's assessment features in words.
func assessmentWords(f map[string]float64, cutoff *int) string {
	by := ""
	if cutoff != nil {
		by = " by day " + strconv.Itoa(*cutoff)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	var parts []string
	if due, ok := f["due_by_cutoff"]; ok {
		parts = append(parts, num(due)+" due"+by)
	}
	if v, ok := f["submitted"]; ok {
		parts = append(parts, num(v)+" submitted")
	}
	if v, ok := f["missed"]; ok {
		parts = append(parts, num(v)+" missed")
	}
	if v, ok := f["late_submissions"]; ok {
		parts = append(parts, num(v)+" submitted late")
	}
	if v, ok := f["mean_score"]; ok {
		parts = append(parts, "mean score "+strconv.FormatFloat(v, 'f', 0, 64)+" out of 100")
	} else if len(parts) > 0 {
		parts = append(parts, "no score yet")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ", ") + "."
}

// activityWords describes a student's VLE activity features in words.
func activityWords(f map[string]float64, cutoff *int) string {
	by := ""
	if cutoff != nil {
		by = " by day " + strconv.Itoa(*cutoff)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	var parts []string
	if v, ok := f["clicks_total"]; ok {
		parts = append(parts, num(v)+" clicks"+by)
	}
	if v, ok := f["active_days"]; ok {
		parts = append(parts, "active on "+num(v)+" days")
	}
	if v, ok := f["days_since_last_activity"]; ok {
		parts = append(parts, "last active "+num(v)+" days before the cutoff")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ", ") + "."
}
