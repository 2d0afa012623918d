package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/experiments"
	"github.com/evalrun/evalrun/harness"
)

// chromiumFlags start Debian's chromium headless without network
// services, a sandbox (root in CI) or a GPU.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--enable-logging=stderr", "--v=0", "--hide-scrollbars",
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runChromium runs chromium on a page with a fresh profile and returns
// its stdout and stderr.
func runChromium(t *testing.T, bin string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append(append([]string{}, chromiumFlags...), "--user-data-dir="+t.TempDir())
	cmd := exec.CommandContext(ctx, bin, append(all, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes(), errb.Bytes()
}

// TestDemoReportInChromium renders report.html of the demo run in
// headless Chromium: the page must load without console messages (it has
// no scripts, so any message is an error), hold every section and one
// inline SVG figure per plot file, and its screenshot must not be blank.
// It skips when chromium is not installed (.ci/run installs Debian's
// chromium package). It tests package reports through a whole run, so it
// lives here, where the whole pipeline is linked anyway, rather than
// making the reports tests link the harness and every data source.
func TestDemoReportInChromium(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium); skipping the browser test of report.html")
	}
	if testing.Short() {
		t.Skip("runs the demo and a browser; skipped with -short")
	}
	b, err := experiments.Spec(experiments.DemoName)
	if err != nil {
		t.Fatal(err)
	}
	// The demo plus a fairness threshold sweep, so the page holds every
	// section the report can show for a prediction run. The page's
	// structure does not depend on how many resamples the intervals,
	// tests and importances use: 200 (the fewest a spec may ask for) and
	// 2 permutation repeats instead of 1000 and 5.
	b = bytes.Replace(b, []byte("gate = false\n"), []byte("gate = false\nsweep = [0.3]\nreplicates = 200\npermutations = 200\n"), 1)
	if !bytes.Contains(b, []byte("sweep = [0.3]")) {
		t.Fatal("could not add a fairness sweep to the demo spec")
	}
	b = append(b, "\n[metrics.bootstrap]\nreplicates = 200\n\n[explain]\npermutation_repeats = 2\n"...)
	spec, err := harness.ParseSpec("<built-in>/"+experiments.DemoName+".toml", ".", b)
	if err != nil {
		t.Fatal(err)
	}
	// A directory of its own inside the temporary one: evalrun refuses to
	// replace a directory it did not write.
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := harness.Run(context.Background(), spec, harness.RunOptions{Output: dir}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	url := "file://" + page

	// One browser start both dumps the loaded DOM and takes the
	// screenshot checked at the end.
	shot := filepath.Join(t.TempDir(), "report.png")
	dom, logs := runChromium(t, bin, "--window-size=1280,2400", "--screenshot="+shot, "--dump-dom", url)
	for _, line := range strings.Split(string(logs), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			t.Errorf("console message while loading report.html: %s", line)
		}
	}
	for _, id := range []string{"summary", "models", "how-early", "calibration", "fairness", "risk-list", "data", "timings"} {
		if !bytes.Contains(dom, []byte(`<section id="`+id+`">`)) {
			t.Errorf("the loaded page lacks section %q", id)
		}
	}
	// The sections and words issue 15 added: the sweep tables, reasons
	// outside the training range, the failing check named, PR curves
	// described as steps, the timings table.
	for _, want := range []string{"rates per group at each sweep threshold", "verdicts at each sweep threshold", "outside the training range",
		"Curves are steps, as scikit-learn draws them", "Wall-clock seconds of each evaluation", "selection_rate_ratio"} {
		if !bytes.Contains(dom, []byte(want)) {
			t.Errorf("the loaded page lacks %q", want)
		}
	}
	svgs, err := filepath.Glob(filepath.Join(dir, "plots", "*.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if len(svgs) < 10 {
		t.Errorf("the demo wrote %d plots, want at least 10 (ROC, PR, reliability per cutoff, by cutoff, forest, group ROC)", len(svgs))
	}
	for _, svg := range svgs {
		id := strings.TrimSuffix(filepath.Base(svg), ".svg")
		id = "plots-" + id
		if !bytes.Contains(dom, []byte(`<figure id="`+id+`"`)) {
			t.Errorf("the loaded page lacks the figure of %s", filepath.Base(svg))
		}
		if _, err := os.Stat(strings.TrimSuffix(svg, ".svg") + ".png"); err != nil {
			t.Errorf("%s has no PNG: %v", filepath.Base(svg), err)
		}
	}
	if got, want := bytes.Count(dom, []byte("<figure id=")), len(svgs); got != want {
		t.Errorf("%d figures on the page, want %d (one per plot)", got, want)
	}
	if got := bytes.Count(dom, []byte(`<details class="student">`)); got != 50 {
		t.Errorf("%d risk-list drill-downs, want 50", got)
	}

	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	ink, total := inkPixels(img)
	// Text, tables and plots cover several percent of a report page; a
	// blank or failed page has (almost) none.
	if frac := float64(ink) / float64(total); frac < 0.02 {
		t.Errorf("screenshot is nearly blank: %.4f of %d pixels are not white", frac, total)
	}
}

// inkPixels counts pixels that are not (near) white.
func inkPixels(img image.Image) (ink, total int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			total++
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				ink++
			}
		}
	}
	return ink, total
}
