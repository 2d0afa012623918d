package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/results"
)

// ScoringOptions configure ScoringFiles.
type ScoringOptions struct {
	// XAPI, when set, adds alerts.jsonl: one xAPI statement per alert,
	// built on the institution's IRIs.
	XAPI *XAPIOptions
	// Reasons is the number of reason columns of risk_list.csv.
	Reasons int
}

// ScoringFiles renders a scoring: scoring.json, risk_list.csv, alerts.csv,
// report.html and, with opts.XAPI, alerts.jsonl. Every file shows the
// students' keys (pseudonyms unless the spec shows ids), never sc.List's
// real ids.
func ScoringFiles(sc *results.Scoring, opts ScoringOptions) ([]File, error) {
	js, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return nil, err
	}
	risk, err := ScoringRiskCSV(sc, opts.Reasons)
	if err != nil {
		return nil, err
	}
	alerts, err := AlertsCSV(sc)
	if err != nil {
		return nil, err
	}
	page, err := htmlDoc(scoringDocument(sc))
	if err != nil {
		return nil, err
	}
	files := []File{{Name: "scoring.json", Data: append(js, '\n')}, {Name: "risk_list.csv", Data: risk}, {Name: "alerts.csv", Data: alerts}, {Name: "report.html", Data: page}}
	if opts.XAPI != nil {
		st, err := AlertStatements(sc, *opts.XAPI)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: "alerts.jsonl", Data: st})
	}
	return files, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ScoringRiskCSV writes risk_list.csv: one row per scored student, highest
// risk first, with the top reasons in words and the inputs outside the
// training data; with a previous scoring, the previous risk, the change
// and whether the student is newly flagged or risen.
func ScoringRiskCSV(sc *results.Scoring, reasons int) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"rank", "student", "term", "course", "risk"}
	if sc.Bundle.Calibrated {
		header = append(header, "calibrated_risk")
	}
	header = append(header, "band", "flagged")
	for r := 1; r <= reasons; r++ {
		header = append(header, fmt.Sprintf("reason_%d", r))
	}
	header = append(header, "out_of_range", "unseen_category", "missing_input")
	if sc.Previous != nil {
		header = append(header, "previous_risk", "risk_change", "newly_flagged", "risen")
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	for _, s := range sc.List {
		rec := []string{strconv.Itoa(s.Rank), s.Key, s.Term, s.Course, strconv.FormatFloat(s.Score, 'g', -1, 64)}
		if sc.Bundle.Calibrated {
			rec = append(rec, opt(s.Calibrated))
		}
		rec = append(rec, s.Band, yesNo(s.Flagged))
		for r := 0; r < reasons; r++ {
			cell := ""
			if r < len(s.Reasons) {
				cell = ReasonWords(s.Reasons[r], s.Features, sc.Bundle.CutoffDay)
			}
			rec = append(rec, cell)
		}
		rec = append(rec, strings.Join(s.RangeWords, "; "), strings.Join(s.UnseenWords, "; "), strings.Join(s.Missing, "; "))
		if sc.Previous != nil {
			prev, change := "", ""
			if s.Previous != nil {
				prev = strconv.FormatFloat(*s.Previous, 'g', -1, 64)
				change = strconv.FormatFloat(s.Score-*s.Previous, 'f', 4, 64)
			}
			rec = append(rec, prev, change, yesNo(s.NewlyFlagged), yesNo(s.Risen))
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// AlertsCSV writes alerts.csv: the newly flagged and risen students, in
// the columns a CRM import expects (one contact per row: the student key,
// the alert type and the reason in words).
func AlertsCSV(sc *results.Scoring) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"student", "term", "course", "alert", "risk", "band", "previous_risk", "risk_change", "reasons", "model", "scored_at"})
	for _, s := range sc.List {
		if s.Alert == "" {
			continue
		}
		prev, change := "", ""
		if s.Previous != nil {
			prev = strconv.FormatFloat(*s.Previous, 'f', 4, 64)
			change = strconv.FormatFloat(s.Score-*s.Previous, 'f', 4, 64)
		}
		var words []string
		for _, r := range s.Reasons {
			words = append(words, ReasonWords(r, s.Features, sc.Bundle.CutoffDay))
		}
		w.Write([]string{s.Key, s.Term, s.Course, s.Alert, strconv.FormatFloat(s.Score, 'f', 4, 64), s.Band, prev, change,
			strings.Join(words, "; "), sc.Bundle.Model, sc.ScoredAt})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// scoringDocument is report.html of a scoring: what was scored, the
// alerts, the students whose scores are extrapolations, and the ranked
// list with the run report's drill-down.
func scoringDocument(sc *results.Scoring) reportDoc {
	b := sc.Bundle
	doc := reportDoc{Title: fmt.Sprintf("Risk list: %s, %s", b.Model, strings.Join(sc.Terms, ", "))}
	doc.Intro = append(doc.Intro, fmt.Sprintf("Scored %s with bundle %s (model %s, %s, trained on %s; model.json sha256 %s). Every number below is read from scoring.json and risk_list.csv.",
		sc.ScoredAt, b.Dir, b.Model, b.Kind, strings.Join(b.TrainedOn, ", "), shortSpecHash(b.ModelSHA256)))
	bandWords := make([]string, 0, len(sc.Bands))
	for _, bc := range sc.Bands {
		bandWords = append(bandWords, fmt.Sprintf("%d %s", bc.Students, bc.Band))
	}
	doc.Summary = append(doc.Summary, fmt.Sprintf("Who should advisors call? %d of %d students are flagged (risk %s or more, threshold policy %s); bands: %s.",
		sc.Flagged, sc.Students, dec(b.Threshold, 3), b.ThresholdPolicy, strings.Join(bandWords, ", ")))
	if p := sc.Previous; p != nil {
		doc.Summary = append(doc.Summary, fmt.Sprintf("What changed since the last scoring? %d newly flagged, %d whose risk rose by more than %s, %d no longer flagged (%d of %d students of %s matched).",
			p.NewlyFlagged, p.Risen, dec(p.Rise, 2), p.NoLongerFlagged, p.Matched, p.Students, p.Dir))
	} else {
		doc.Summary = append(doc.Summary, fmt.Sprintf("Alerts: %d (no previous scoring given: every flagged student is newly flagged).", sc.Alerts))
	}
	doc.Summary = append(doc.Summary, fmt.Sprintf("Are any scores extrapolations? Students with a value outside the training range: %d; with a category the training data never showed: %d (%d of %d students in all).",
		sc.StudentsOutOfRange, sc.StudentsUnseen, sc.Extrapolated, sc.Students))
	if sc.StudentsMissing > 0 {
		doc.Summary = append(doc.Summary, fmt.Sprintf("Missing inputs: %d of %d students lack a feature value, filled in by the bundle's encoder (no extrapolation, but the score rests on the fill-in).", sc.StudentsMissing, sc.Students))
	}
	if sc.NotScored > 0 {
		doc.Summary = append(doc.Summary, fmt.Sprintf("Not scored: %d students missing a feature value (the bundle's missing-value policy drops them).", sc.NotScored))
	}
	for _, w := range sc.Warnings {
		doc.Summary = append(doc.Summary, "Warning: "+w)
	}
	alerts := docSection{ID: "alerts", Title: "Alerts"}
	t := newTable("Newly flagged and risen students (alerts.csv)", "student", "term", "course", "alert", "risk", "previous", "band").numeric(4, 5)
	for _, s := range sc.List {
		if s.Alert == "" {
			continue
		}
		prev := "—"
		if s.Previous != nil {
			prev = dec(*s.Previous, 3)
		}
		t.add(s.Key, s.Term, s.Course, strings.ReplaceAll(s.Alert, "_", " "), dec(s.Score, 3), prev, s.Band)
	}
	if len(t.Rows) == 0 {
		alerts.text("No alerts.")
	} else {
		t.Collapsed = len(t.Rows) > 20
		alerts.table(t)
	}
	extra := docSection{ID: "extrapolation", Title: "Inputs outside the training data, and missing inputs"}
	et := newTable("Students per feature with a value outside the training range, a category the training data never showed, or no value", "feature", "outside the training range", "unseen category", "missing").numeric(1, 2, 3)
	feats := map[string]bool{}
	for _, m := range []map[string]int{sc.OutOfRange, sc.Unseen, sc.Missing} {
		for f := range m {
			feats[f] = true
		}
	}
	names := make([]string, 0, len(feats))
	for f := range feats {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		et.add(f, strconv.Itoa(sc.OutOfRange[f]), strconv.Itoa(sc.Unseen[f]), strconv.Itoa(sc.Missing[f]))
	}
	if len(et.Rows) == 0 {
		extra.text("Every input lies within the training data, and none is missing.")
	} else {
		extra.table(et)
	}
	risk := &results.RiskList{Dataset: sc.Dataset, Cutoff: b.CutoffDay, Split: "terms " + strings.Join(sc.Terms, ", "), Model: b.Model,
		Threshold: b.Threshold, Pseudonymized: sc.Pseudonymized}
	show := 0
	for _, s := range sc.List {
		if s.Band != "low" || s.Alert != "" {
			show = s.Rank
		}
		rs := results.RiskStudent{Rank: s.Rank, Key: s.Key, Term: s.Term, Course: s.Course, Score: s.Score, Band: s.Band,
			Reasons: s.Reasons, Features: s.Features, Weekly: s.Weekly, Assessments: s.Assessments}
		rs.Warnings = append(append(rs.Warnings, s.RangeWords...), s.UnseenWords...)
		if len(s.Missing) > 0 {
			rs.Warnings = append(rs.Warnings, "missing input: "+strings.Join(s.Missing, ", "))
		}
		risk.Students = append(risk.Students, rs)
	}
	list := docSection{ID: sectionRisk, Title: "Who should advisors contact first?"}
	show = min(max(show, riskRowsHTML), 1000, len(risk.Students))
	list.text("Students ranked by risk, highest first; each row opens to the student's assessments, activity and reasons. The first %d of %d are shown (every flagged, medium-band or alerted student, at least %d); risk_list.csv holds all.", show, len(risk.Students), min(riskRowsHTML, len(risk.Students)))
	list.Blocks = append(list.Blocks, docBlock{Risk: &riskBlock{List: risk, Show: show}})
	doc.Sections = append(doc.Sections, list, alerts, extra)
	return doc
}
