package reports

import "testing"

// BenchmarkRunFiles renders every file of the fixture run: the CSVs, 8
// plots as SVG and PNG, report.md and report.html.
func BenchmarkRunFiles(b *testing.B) {
	run, risk := reportRun(), reportRiskList()
	for b.Loop() {
		if _, err := RunFiles(run, risk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarkdown renders report.md of the fixture (plots as SVG only).
func BenchmarkMarkdown(b *testing.B) {
	run, risk := reportRun(), reportRiskList()
	for b.Loop() {
		if _, err := Markdown(run, risk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunFilesPilotEvents renders every file of the pilot and
// event-log fixture run: abtest.csv, 3 plots as SVG and PNG, report.md and
// report.html.
func BenchmarkRunFilesPilotEvents(b *testing.B) {
	run := pilotEventsRun()
	for b.Loop() {
		if _, err := RunFiles(run, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeatmap30Weeks renders (SVG and PNG) the heatmap of a log of
// 8 resource types over 30 weeks (two rows of 15 weeks).
func BenchmarkHeatmap30Weeks(b *testing.B) {
	l := fixtureEventLog()
	h := &l.Description.Heatmap
	h.ResourceTypes = []string{"forum", "glossary", "homepage", "oucontent", "quiz", "resource", "subpage", "url"}
	h.Weeks, h.Counts = nil, make([][]int64, 8)
	for w := 0; w < 30; w++ {
		h.Weeks = append(h.Weeks, w)
		for t := range h.Counts {
			h.Counts[t] = append(h.Counts[t], int64(100*t+37*w))
		}
	}
	for b.Loop() {
		if _, err := heatmapPlot(l, true); err != nil {
			b.Fatal(err)
		}
	}
}
