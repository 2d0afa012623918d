package harness

import (
	"fmt"
	"time"

	"github.com/evalrun/evalrun/external"
	"github.com/evalrun/evalrun/models"
)

// predictionsParams are the keys of kind = "predictions": scores computed
// elsewhere, read from a CSV keyed by row key, split and (optionally) cutoff.
type predictionsParams struct {
	Path         string `toml:"path"`
	KeyColumn    string `toml:"key_column"`
	ScoreColumn  string `toml:"score_column"`
	SplitColumn  string `toml:"split_column"`
	CutoffColumn string `toml:"cutoff_column"`
}

// commandParams are the keys of kind = "command": a program the harness
// runs on each fold's rows (only with experiment.allow_commands = true and
// the --allow-commands flag).
type commandParams struct {
	Argv    []string `toml:"argv"`
	Dir     string   `toml:"dir"`
	Timeout string   `toml:"timeout"`
}

func init() {
	modelKinds["predictions"] = modelKind{
		newParams: func() any { return &predictionsParams{} },
		check: func(p any) error {
			if p.(*predictionsParams).Path == "" {
				return paramError{"path", "missing: the CSV of scores (columns key, split, [cutoff,] score)"}
			}
			return nil
		},
		build: func(p any, bc buildContext) (models.Model, error) {
			file, ok := bc.predictions[bc.model]
			if !ok {
				return nil, fmt.Errorf("predictions of model %q were not loaded", bc.model)
			}
			return file.Model(bc.split, bc.cutoff), nil
		},
		external: true,
	}
	modelKinds["command"] = modelKind{
		newParams: func() any { return &commandParams{} },
		check: func(p any) error {
			cp := p.(*commandParams)
			if len(cp.Argv) == 0 || cp.Argv[0] == "" {
				return paramError{"argv", `missing: the program and its arguments, e.g. ["python3", "model.py", "{train}", "{score}", "{output}"]`}
			}
			if cp.Timeout != "" {
				d, err := time.ParseDuration(cp.Timeout)
				if err != nil || d <= 0 {
					return paramError{"timeout", fmt.Sprintf("want a positive duration such as \"10m\", got %q", cp.Timeout)}
				}
			}
			return nil
		},
		build: func(p any, bc buildContext) (models.Model, error) {
			cp := p.(*commandParams)
			cfg := external.CommandConfig{Argv: cp.Argv, Dir: cp.Dir}
			if cp.Timeout != "" {
				cfg.Timeout, _ = time.ParseDuration(cp.Timeout)
			}
			return external.Command{Config: cfg}, nil
		},
		external: true,
	}
}

// loadPredictionFiles reads the file of every "predictions" model once.
func loadPredictionFiles(env sourceEnv, s *Spec) (map[string]*external.PredictionsFile, error) {
	files := map[string]*external.PredictionsFile{}
	for _, m := range s.Models {
		p, ok := m.Params.(*predictionsParams)
		if !ok {
			continue
		}
		f, err := loadPredictions(env, external.PredictionsConfig{
			Path: s.ResolvePath(p.Path), KeyColumn: p.KeyColumn, ScoreColumn: p.ScoreColumn,
			SplitColumn: p.SplitColumn, CutoffColumn: p.CutoffColumn,
		})
		if err != nil {
			return nil, fmt.Errorf("model %q (%s:%d): %w", m.Name, s.File, s.lines.line(fmt.Sprintf("models[%d]", m.index)), err)
		}
		files[m.Name] = f
	}
	return files, nil
}

// commandModels lists the models that run programs, for the consent check.
func commandModels(s *Spec) []ModelSpec {
	var out []ModelSpec
	for _, m := range s.Models {
		if m.Kind == "command" {
			out = append(out, m)
		}
	}
	return out
}
