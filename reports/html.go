package reports

import (
	"bytes"
	"fmt"
	"html"
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
func HTML(run *results.Run, risk *results.RiskList) ([]byte, error) {
	plots, err := renderPlots(run, risk, false)
	if err != nil {
		return nil, err
	}
	return htmlDoc(buildDocument(run, risk, plots, riskRowsHTML)), nil
}

const htmlStyle = `
:root { color-scheme: light; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #111; background: #fff; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #0072B2; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; }
a { color: #0059a0; }
.intro { color: #333; }
.summary li { margin: .45rem 0; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: .86rem; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: .3rem 0; max-width: 60rem; }
th, td { border: 1px solid #bbb; padding: .2rem .45rem; vertical-align: top; }
th { background: #e8eef4; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ci { white-space: nowrap; color: #333; }
tbody tr:nth-child(even) { background: #f5f5f5; }
td.verdict { font-weight: bold; white-space: nowrap; }
td.verdict-FAIL { background: #f9d9c4; border: 2px solid #D55E00; }
td.verdict-FAIL::before { content: "✗ "; }
td.verdict-PASS { background: #d3eee5; }
td.verdict-PASS::before { content: "✓ "; }
td.verdict-INCONCLUSIVE { background: #dcebf6; font-style: italic; }
td.verdict-INCONCLUSIVE::before { content: "? "; }
p.note { font-size: .82rem; color: #444; }
figure { display: inline-block; vertical-align: top; width: 34rem; max-width: 100%; margin: 1.2rem 1.5rem 1.2rem 0; break-inside: avoid; page-break-inside: avoid; }
figure.wide { display: block; width: auto; }
details.more { margin: .8rem 0; }
details.more > summary { cursor: pointer; color: #0059a0; }
figure svg { max-width: 100%; height: auto; }
svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif !important; }
figcaption { font-size: .86rem; color: #333; max-width: 60rem; }
ol.risk { padding-left: 0; list-style: none; }
ol.risk > li { border-bottom: 1px solid #ddd; padding: .25rem 0; }
ol.risk summary { cursor: pointer; }
.band { font-weight: bold; }
.band-high { color: #a33f00; }
.band-medium { color: #7a5a00; }
.band-low { color: #333; }
.drill { margin: .4rem 0 .6rem 1.5rem; font-size: .9rem; }
.drill svg { display: block; margin: .3rem 0; }
.key { font-family: "Liberation Mono", monospace; }
footer { margin-top: 3rem; font-size: .8rem; color: #555; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  .table-wrap { overflow: visible; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  a { color: #111; text-decoration: none; }
}
`

func esc(s string) string { return html.EscapeString(s) }

func htmlDoc(doc reportDoc) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>%s</h1>\n", esc(doc.Title), htmlStyle, esc(doc.Title))
	for _, p := range doc.Intro {
		fmt.Fprintf(&b, "<p class=\"intro\">%s</p>\n", esc(p))
	}
	b.WriteString("</header>\n<nav aria-label=\"Contents\"><ul>\n")
	fmt.Fprintf(&b, "<li><a href=\"#%s\">Summary</a></li>\n", sectionSummary)
	for _, s := range doc.Sections {
		fmt.Fprintf(&b, "<li><a href=\"#%s\">%s</a></li>\n", s.ID, esc(s.Title))
	}
	b.WriteString("</ul></nav>\n<main>\n")
	fmt.Fprintf(&b, "<section id=\"%s\">\n<h2>Summary</h2>\n<ul class=\"summary\">\n", sectionSummary)
	for _, p := range doc.Summary {
		if lead, rest, ok := summaryLead(p); ok {
			fmt.Fprintf(&b, "<li><strong>%s</strong>%s</li>\n", esc(lead), esc(rest))
			continue
		}
		fmt.Fprintf(&b, "<li>%s</li>\n", esc(p))
	}
	b.WriteString("</ul>\n</section>\n")
	tableN, figN := 0, 0
	for _, s := range doc.Sections {
		fmt.Fprintf(&b, "<section id=\"%s\">\n<h2>%s</h2>\n", s.ID, esc(s.Title))
		for _, blk := range s.Blocks {
			switch {
			case blk.Heading != "":
				fmt.Fprintf(&b, "<h3>%s</h3>\n", esc(blk.Heading))
			case blk.Text != "":
				fmt.Fprintf(&b, "<p>%s</p>\n", esc(blk.Text))
			case blk.Items != nil:
				b.WriteString("<ul>\n")
				for _, it := range blk.Items {
					fmt.Fprintf(&b, "<li>%s</li>\n", esc(it))
				}
				b.WriteString("</ul>\n")
			case blk.Table != nil:
				tableN++
				htmlTable(&b, blk.Table, tableN)
			case blk.Figure != nil:
				figN++
				htmlFigure(&b, blk.Figure, figN)
			case blk.Risk != nil:
				htmlRisk(&b, blk.Risk)
			}
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</main>\n<footer>Rendered by evalrun from results.json and the risk list; no statistic is recomputed by the report. Plots are also written as plots/*.svg and plots/*.png.</footer>\n</body>\n</html>\n")
	return b.Bytes()
}

// numberCell escapes a table cell, keeping an interval "(lo-hi)" after
// an estimate on one line so narrow columns wrap between the two.
func numberCell(c string) string {
	if v, iv, ok := strings.Cut(c, " ("); ok && strings.HasSuffix(iv, ")") && isNumber(v) {
		return esc(v) + " <span class=\"ci\">(" + esc(iv) + "</span>"
	}
	return esc(c)
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

func htmlTable(b *bytes.Buffer, t *docTable, n int) {
	if t.Collapsed {
		fmt.Fprintf(b, "<details class=\"more\"><summary>Table %d (%d rows): %s</summary>\n", n, len(t.Rows), esc(t.Caption))
		defer b.WriteString("</details>\n")
	}
	fmt.Fprintf(b, "<div class=\"table-wrap\">\n<table>\n<caption>Table %d. %s</caption>\n<thead><tr>", n, esc(t.Caption))
	for _, h := range t.Header {
		fmt.Fprintf(b, "<th scope=\"col\">%s</th>", esc(h))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, row := range t.Rows {
		b.WriteString("<tr>")
		for i, c := range row {
			var class []string
			if i < len(t.Numeric) && t.Numeric[i] {
				class = append(class, "num")
			}
			if i == t.Verdict {
				class = append(class, "verdict", "verdict-"+slug(c))
			}
			if len(class) > 0 {
				fmt.Fprintf(b, "<td class=\"%s\">%s</td>", strings.Join(class, " "), numberCell(c))
			} else {
				fmt.Fprintf(b, "<td>%s</td>", esc(c))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n</div>\n")
	if t.Notes != "" {
		fmt.Fprintf(b, "<p class=\"note\">%s</p>\n", esc(t.Notes))
	}
}

func htmlFigure(b *bytes.Buffer, p *renderedPlot, n int) {
	class := ""
	if p.Wide {
		class = " class=\"wide\""
	}
	fmt.Fprintf(b, "<figure id=\"%s\"%s>\n", slug(p.Name), class)
	b.Write(inlineSVG(p.SVG))
	fmt.Fprintf(b, "<figcaption><b>Figure %d. %s.</b> %s Files: <a href=\"%s.svg\">SVG</a>, <a href=\"%s.png\">PNG</a>.</figcaption>\n</figure>\n",
		n, esc(p.Title), esc(p.Desc), esc(p.Name), esc(p.Name))
}

func htmlRisk(b *bytes.Buffer, r *riskBlock) {
	b.WriteString("<p class=\"note\">Select a student to see the weekly activity and the assessments behind the score.</p>\n<ol class=\"risk\">\n")
	for i, s := range r.List.Students {
		if i == r.Show {
			break
		}
		reasons := riskReasons(s, r.List.Cutoff)
		why := "no reason above the model's base value"
		if len(reasons) > 0 {
			why = strings.Join(reasons, "; ")
		}
		fmt.Fprintf(b, "<li><details class=\"student\"><summary>%d. <span class=\"key\">%s</span> · %s %s · risk %s · <span class=\"band band-%s\">%s</span> · %s</summary>\n<div class=\"drill\">\n",
			s.Rank, esc(s.Key), esc(s.Course), esc(s.Term), dec(s.Score, 3), slug(s.Band), esc(s.Band), esc(why))
		if len(s.Weekly) > 0 {
			b.WriteString("<p><b>Weekly activity</b> (clicks in the VLE per week):</p>\n")
			b.WriteString(weeklyBars(s.Key, s.Weekly))
		} else {
			b.WriteString("<p><b>Weekly activity:</b> no click data for this dataset.</p>\n")
		}
		if words := assessmentWords(s.Features, r.List.Cutoff); words != "" {
			fmt.Fprintf(b, "<p><b>Assessments:</b> %s</p>\n", esc(words))
		}
		if len(s.Assessments) > 0 {
			b.WriteString(assessmentTrail(s.Assessments))
		}
		if words := activityWords(s.Features, r.List.Cutoff); words != "" {
			fmt.Fprintf(b, "<p><b>Activity:</b> %s</p>\n", esc(words))
		}
		if len(s.Reasons) > 0 {
			b.WriteString("<p><b>Why the score is high</b> (the features that raised it most, with their contribution to the model's raw score):</p>\n<ul>\n")
			for _, reason := range s.Reasons {
				fmt.Fprintf(b, "<li>%s (contribution %+.3f)</li>\n", esc(ReasonWords(reason, s.Features, r.List.Cutoff)), reason.Contribution)
			}
			b.WriteString("</ul>\n")
		}
		b.WriteString("</div></details></li>\n")
	}
	b.WriteString("</ol>\n")
}

// assessmentTrail lists a student's assessments as of the cutoff: due
// day, type, weight, when it was submitted (late or not) and its score.
func assessmentTrail(trail []datasets.AssessmentRecord) string {
	var b strings.Builder
	b.WriteString("<table class=\"trail\"><caption>Assessment trail as of the prediction day</caption>\n<thead><tr><th>assessment</th><th>type</th><th>due day</th><th>weight</th><th>submitted</th><th>score</th></tr></thead><tbody>\n")
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
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td class=\"num\">%d</td><td class=\"num\">%s</td><td>%s</td><td class=\"num\">%s</td></tr>\n",
			esc(a.ID), esc(a.Type), a.Due, strconv.FormatFloat(a.Weight, 'f', -1, 64), esc(sub), esc(score))
	}
	b.WriteString("</tbody></table>\n")
	return b.String()
}

// weeklyBars draws clicks per week as a small bar chart with an
// accessible label listing every week's count.
func weeklyBars(key string, weekly []float64) string {
	const w, h, left, bottom, top = 360.0, 96.0, 34.0, 18.0, 8.0
	peak := 0.0
	for _, v := range weekly {
		peak = math.Max(peak, v)
	}
	var label []string
	for i, v := range weekly {
		label = append(label, fmt.Sprintf("week %d: %s", i, strconv.FormatFloat(v, 'f', -1, 64)))
	}
	var b strings.Builder
	id := "weekly-" + slug(key)
	fmt.Fprintf(&b, "<svg role=\"img\" aria-labelledby=\"%s\" width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"%s\">Clicks per week: %s</title>\n",
		id, w, h, w, h, id, esc(strings.Join(label, ", ")))
	plotW, plotH := w-left-4, h-bottom-top
	fmt.Fprintf(&b, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#333\"/>\n", left, h-bottom, w-4, h-bottom)
	if peak > 0 {
		fmt.Fprintf(&b, "<text x=\"%g\" y=\"%g\" font-size=\"10\" text-anchor=\"end\">%s</text>\n", left-4, top+8, strconv.FormatFloat(peak, 'f', -1, 64))
	} else {
		fmt.Fprintf(&b, "<text x=\"%g\" y=\"%g\" font-size=\"11\">no clicks in any week</text>\n", left+8, top+plotH/2)
	}
	fmt.Fprintf(&b, "<text x=\"%g\" y=\"%g\" font-size=\"10\" text-anchor=\"end\">0</text>\n", left-4, h-bottom)
	fmt.Fprintf(&b, "<text x=\"%g\" y=\"%g\" font-size=\"9\" text-anchor=\"end\">week</text>\n", left-4, h-5)
	n := float64(len(weekly))
	slot := plotW / n
	for i, v := range weekly {
		x := left + float64(i)*slot
		bh := 0.0
		if peak > 0 {
			bh = plotH * v / peak
		}
		fmt.Fprintf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#0072B2\" stroke=\"#003e66\" stroke-width=\"0.5\"/>\n", x+1, h-bottom-bh, math.Max(slot-2, 1), bh)
		if len(weekly) <= 12 || i%2 == 0 {
			fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%g\" font-size=\"9\" text-anchor=\"middle\">%d</text>\n", x+slot/2, h-5, i)
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
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
