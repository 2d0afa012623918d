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
