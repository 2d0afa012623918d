package reports

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/evalrun/evalrun/results"
)

// Markdown renders report.md: the plain-language summary, then the
// sections (which model is best, how early, calibration, fairness, the
// risk list's first 20 students, data and warnings) as GitHub-flavoured
// Markdown tables, with the plots linked as plots/*.svg (the files
// PlotFiles renders). risk may be nil. The output is deterministic.
func Markdown(run *results.Run, risk *results.RiskList) ([]byte, error) {
	plots, err := renderPlots(run, risk, false)
	if err != nil {
		return nil, err
	}
	return markdownDoc(buildDocument(run, risk, plots, riskRowsMarkdown)), nil
}

func markdownDoc(doc reportDoc) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", mdText(doc.Title))
	for _, p := range doc.Intro {
		fmt.Fprintf(&b, "%s\n\n", mdText(p))
	}
	fmt.Fprintf(&b, "## Summary\n\n")
	for _, p := range doc.Summary {
		fmt.Fprintf(&b, "- %s\n", mdText(p))
	}
	b.WriteString("\nContents: ")
	for i, s := range doc.Sections {
		if i > 0 {
			b.WriteString(" · ")
		}
		fmt.Fprintf(&b, "[%s](#%s)", mdText(s.Title), mdAnchor(s.Title))
	}
	b.WriteString("\n")
	for _, s := range doc.Sections {
		fmt.Fprintf(&b, "\n## %s\n", mdText(s.Title))
		for _, blk := range s.Blocks {
			b.WriteString("\n")
			switch {
			case blk.Heading != "":
				fmt.Fprintf(&b, "### %s\n", mdText(blk.Heading))
			case blk.Text != "":
				fmt.Fprintf(&b, "%s\n", mdText(blk.Text))
			case blk.Items != nil:
				for _, it := range blk.Items {
					fmt.Fprintf(&b, "- %s\n", mdText(it))
				}
			case blk.Table != nil:
				mdTable(&b, blk.Table)
			case blk.Figure != nil:
				fmt.Fprintf(&b, "![%s](%s.svg)\n\n*Figure: %s* ([PNG](%s.png))\n", mdText(blk.Figure.Desc), blk.Figure.Name, mdText(blk.Figure.Title), blk.Figure.Name)
			case blk.Risk != nil:
				mdRisk(&b, blk.Risk)
			}
		}
	}
	return b.Bytes()
}

// mdText escapes the characters Markdown would read as markup in running
// text.
func mdText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "|", `\|`, "\n", " ")
	return r.Replace(s)
}

// mdAnchor is GitHub's anchor of a heading: lower case, spaces to '-',
// punctuation other than '-' and '_' dropped.
func mdAnchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mdTable(b *bytes.Buffer, t *docTable) {
	fmt.Fprintf(b, "**Table: %s**\n\n", mdText(t.Caption))
	b.WriteString("|")
	for _, h := range t.Header {
		fmt.Fprintf(b, " %s |", mdText(h))
	}
	b.WriteString("\n|")
	for _, n := range t.Numeric {
		if n {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		b.WriteString("|")
		for i, c := range row {
			if i == t.Verdict && c == "FAIL" {
				fmt.Fprintf(b, " **%s** |", c)
				continue
			}
			fmt.Fprintf(b, " %s |", mdText(c))
		}
		b.WriteString("\n")
	}
	if t.Notes != "" {
		fmt.Fprintf(b, "\n%s\n", mdText(t.Notes))
	}
}

func mdRisk(b *bytes.Buffer, r *riskBlock) {
	t := newTable("Risk list: the first students by rank, with the top three reasons in words", "rank", "student", "course", "term", "risk", "band", "why")
	t.numeric(0, 4)
	for i, s := range r.List.Students {
		if i == r.Show {
			break
		}
		t.add(fmt.Sprint(s.Rank), s.Key, s.Course, s.Term, dec(s.Score, 3), s.Band, strings.Join(riskReasons(r.List, s), "; "))
	}
	mdTable(b, t)
}
