package external

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/evalrun/evalrun/models"
)

// CommandConfig runs a user's program as a model.
//
// The program is started directly (no shell) with Argv, in which these
// placeholders are replaced: {train} (CSV of the training rows: key, term,
// label, then the encoded feature columns), {score} (CSV of the rows to
// score: key, term, then the same feature columns), {output} (where the
// program writes a CSV with columns key and score, one row per row of
// {score}) and {seed} (a seed derived from the experiment seed and task).
type CommandConfig struct {
	Argv []string
	// Dir is the program's working directory ("" = the harness's).
	Dir string
	// Timeout bounds each run of the program (0 = no limit).
	Timeout time.Duration
}

// StderrTailLines is how many trailing lines of the program's stderr a
// failure message quotes.
const StderrTailLines = 10

// Command is a model whose scores come from running a program.
type Command struct {
	Config CommandConfig
}

// FittedCommand holds the training rows until scoring: the program sees
// training and scoring rows together on every run.
type FittedCommand struct {
	cfg   CommandConfig
	train models.TrainingSet
	seed  uint64
	// Stderr collects the program's stderr of every run, in order.
	Stderr bytes.Buffer
	runs   int
}

// Fit keeps a copy of the training rows; the program runs when rows are
// scored.
func (c Command) Fit(ctx context.Context, train models.TrainingSet, rng *rand.Rand) (models.Fitted, error) {
	if len(c.Config.Argv) == 0 {
		return nil, errors.New("command model: empty argv")
	}
	if train.X == nil || train.X.Rows != len(train.Y) || len(train.Keys) != len(train.Y) {
		return nil, errors.New("command model: training rows need a matrix, labels and keys of equal length")
	}
	f := &FittedCommand{cfg: c.Config, train: train}
	if rng != nil {
		f.seed = rng.Uint64()
	}
	return f, nil
}

// Predict writes the training rows and rows to temporary CSV files, runs
// the program and reads its scores. A program that fails, times out, or
// writes a missing, duplicate or unparseable score fails with an error
// naming the cause (with the exit code and the last lines of stderr).
func (f *FittedCommand) Predict(ctx context.Context, rows models.Rows) ([]float64, error) {
	work, err := os.MkdirTemp("", "evalrun-command-")
	if err != nil {
		return nil, fmt.Errorf("command model: %w", err)
	}
	defer os.RemoveAll(work)
	trainPath := filepath.Join(work, "train.csv")
	scorePath := filepath.Join(work, "score.csv")
	outPath := filepath.Join(work, "output.csv")
	if err := writeRows(trainPath, f.train.Rows, f.train.Y); err != nil {
		return nil, err
	}
	if err := writeRows(scorePath, rows, nil); err != nil {
		return nil, err
	}
	argv := make([]string, len(f.cfg.Argv))
	repl := strings.NewReplacer("{train}", trainPath, "{score}", scorePath, "{output}", outPath, "{seed}", strconv.FormatUint(f.seed, 10))
	for i, a := range f.cfg.Argv {
		argv[i] = repl.Replace(a)
	}
	runCtx := ctx
	if f.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, f.cfg.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	cmd.Dir = f.cfg.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr // a model's chatter is kept with its stderr
	runErr := cmd.Run()
	f.runs++
	fmt.Fprintf(&f.Stderr, "--- run %d: %s\n", f.runs, strings.Join(f.cfg.Argv, " "))
	f.Stderr.Write(stderr.Bytes())
	if runErr != nil {
		var exitErr *exec.ExitError
		switch {
		case runCtx.Err() == context.DeadlineExceeded:
			return nil, fmt.Errorf("command %q timed out after %v%s", f.cfg.Argv[0], f.cfg.Timeout, tail(stderr.Bytes()))
		case errors.As(runErr, &exitErr):
			return nil, fmt.Errorf("command %q failed with exit code %d%s", f.cfg.Argv[0], exitErr.ExitCode(), tail(stderr.Bytes()))
		default:
			return nil, fmt.Errorf("command %q: %w", f.cfg.Argv[0], runErr)
		}
	}
	out, err := os.Open(outPath)
	if err != nil {
		return nil, fmt.Errorf("command %q wrote no output file {output}: %w", f.cfg.Argv[0], err)
	}
	defer out.Close()
	p, err := parsePredictions(PredictionsConfig{Path: "output of command " + strconv.Quote(f.cfg.Argv[0]), KeyColumn: "key", ScoreColumn: "score"}, out)
	if err != nil {
		return nil, err
	}
	return p.lookup(rows.Keys, "", "")
}

// Summary describes the program.
func (f *FittedCommand) Summary() models.Summary {
	return models.Summary{Kind: "command", Params: map[string]any{"argv": f.cfg.Argv, "timeout": f.cfg.Timeout.String()}}
}

// tail formats the last StderrTailLines lines of stderr for an error.
func tail(stderr []byte) string {
	lines := strings.Split(strings.TrimRight(string(stderr), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return "; stderr was empty"
	}
	if len(lines) > StderrTailLines {
		lines = lines[len(lines)-StderrTailLines:]
	}
	return "; last lines of stderr:\n  " + strings.Join(lines, "\n  ")
}

// writeRows writes key, term, [label,] features to a CSV file.
func writeRows(path string, rows models.Rows, y []uint8) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("command model: %w", err)
	}
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	header := []string{"key", "term"}
	if y != nil {
		header = append(header, "label")
	}
	header = append(header, rows.X.Names...)
	w.Write(header)
	rec := make([]string, len(header))
	for i := 0; i < rows.X.Rows; i++ {
		rec = rec[:0]
		term := ""
		if i < len(rows.Terms) {
			term = rows.Terms[i]
		}
		rec = append(rec, rows.Keys[i], term)
		if y != nil {
			rec = append(rec, strconv.Itoa(int(y[i])))
		}
		for _, v := range rows.X.Row(i) {
			if math.IsNaN(v) {
				rec = append(rec, "")
			} else {
				rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("command model: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("command model: writing %s: %w", path, err)
	}
	return f.Close()
}
