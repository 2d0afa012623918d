package parquetsrc

import (
	"bytes"
	"context"
	"encoding/csv"

	"github.com/evalrun/evalrun/external"
	"github.com/evalrun/evalrun/sources"
)

// LoadPredictions reads a predictions file in Parquet with the rules of
// external.LoadPredictions: key, split and score columns required, a
// cutoff column optional (cfg names them, with the same defaults).
// Messages give "line" n for row n-1 (the header of the CSV form is line
// 1).
func LoadPredictions(ctx context.Context, cfg external.PredictionsConfig) (*external.PredictionsFile, error) {
	cfg.Defaults()
	names := []string{cfg.KeyColumn, cfg.SplitColumn, cfg.ScoreColumn}
	cols, err := ColumnNames(cfg.Path)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if c == cfg.CutoffColumn {
			names = append(names, c)
		}
	}
	t, err := open(cfg.Path, names)
	if err != nil {
		return nil, err
	}
	defer t.close()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(names); err != nil {
		return nil, err
	}
	rec := make([]string, len(names))
	err = t.scan(ctx, func(_ int64, vals []sources.Value) error {
		for i, v := range vals {
			rec[i] = string(v.AppendText(nil))
		}
		return w.Write(rec)
	})
	if err != nil {
		return nil, err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return external.ParsePredictions(cfg, &buf)
}
