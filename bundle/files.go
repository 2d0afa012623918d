package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/models"
)

// File names of a bundle directory.
const (
	ModelFile     = "model.json"
	CardFile      = "model_card.json"
	CardMarkdown  = "model_card.md"
	ManifestName  = "manifest.json"
	manifestShape = "evalrun model bundle"
)

// Bundle is a loaded (or freshly built) bundle: model.json, the model
// card, and the encoder and fitted model rebuilt from model.json.
type Bundle struct {
	Model   Model
	Card    ModelCard
	Encoder *features.Encoder
	Fitted  models.Fitted
	// Recalibrator is nil without recalibration.
	Recalibrator metrics.Recalibrator
	// Dir is the directory Load read ("" for a built bundle).
	Dir string
}

// File is one file of a bundle: a slash-separated name and its bytes.
type File struct {
	Name string
	Data []byte
}

// Manifest is manifest.json: every other file of the bundle with its
// SHA-256 and size.
type Manifest struct {
	Kind          string          `json:"kind"`
	FormatVersion int             `json:"format_version"`
	Files         []ManifestEntry `json:"files"`
}

// ManifestEntry is one file listed in the manifest.
type ManifestEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// New checks model (its encoder and fitted parameters must rebuild) and
// returns the bundle of model and card.
func New(model Model, card ModelCard) (*Bundle, error) {
	b := &Bundle{Model: model, Card: card}
	if err := b.rebuild(); err != nil {
		return nil, err
	}
	return b, nil
}

// rebuild makes the encoder, fitted model and recalibrator from Model.
func (b *Bundle) rebuild() error {
	m := &b.Model
	enc, err := features.FromDescription(m.Encoder)
	if err != nil {
		return fmt.Errorf("%s: encoder: %w", ModelFile, err)
	}
	fitted, err := models.UnmarshalFitted(m.Fitted)
	if err != nil {
		return fmt.Errorf("%s: fitted: %w", ModelFile, err)
	}
	if sc := m.Scores; sc.Name != ScoreFeature || sc.Type != "numeric" || sc.Count == 0 || len(sc.Quantiles) != 101 {
		return fmt.Errorf("%s: training_scores: want the %q distribution of the training rows' scores with 101 quantiles (got name %q, type %q, %d scores, %d quantiles)",
			ModelFile, ScoreFeature, sc.Name, sc.Type, sc.Count, len(sc.Quantiles))
	}
	if r := m.Ranking; r != nil {
		for _, f := range r.Features {
			if _, ok := m.Schema.Feature(f.Name); !ok {
				return fmt.Errorf("%s: feature_ranking: %q is not a feature of the schema", ModelFile, f.Name)
			}
		}
	}
	if len(m.Bands) == 0 {
		return fmt.Errorf("%s: risk_bands: none", ModelFile)
	}
	for i, band := range m.Bands {
		if (band.MinScore == nil) != (i == len(m.Bands)-1) {
			return fmt.Errorf("%s: risk_bands[%d] %q: only the last band has no min_score", ModelFile, i, band.Name)
		}
	}
	b.Encoder, b.Fitted = enc, fitted
	if r := m.Recalibration; r != nil {
		switch r.Method {
		case metrics.RecalibrationPlatt:
			if r.Slope == nil || r.Intercept == nil {
				return fmt.Errorf("%s: recalibration: platt needs slope and intercept", ModelFile)
			}
			b.Recalibrator = metrics.PlattScaling{Slope: *r.Slope, Intercept: *r.Intercept}
		case metrics.RecalibrationIsotonic:
			if len(r.X) == 0 || len(r.X) != len(r.Y) {
				return fmt.Errorf("%s: recalibration: isotonic needs x and y of equal, non-zero length", ModelFile)
			}
			b.Recalibrator = metrics.IsotonicCalibration{X: r.X, Y: r.Y}
		default:
			return fmt.Errorf("%s: recalibration: unknown method %q", ModelFile, r.Method)
		}
	}
	return nil
}

// NewRecalibration records a fitted recalibrator in model.json form.
func NewRecalibration(r metrics.Recalibrator) *Recalibration {
	switch c := r.(type) {
	case metrics.PlattScaling:
		s, i := c.Slope, c.Intercept
		return &Recalibration{Method: metrics.RecalibrationPlatt, Slope: &s, Intercept: &i}
	case metrics.IsotonicCalibration:
		return &Recalibration{Method: metrics.RecalibrationIsotonic, X: c.X, Y: c.Y}
	}
	return nil
}

// Files returns the bundle's files: model.json, model_card.json,
// model_card.md and manifest.json (last, listing the others).
func (b *Bundle) Files() ([]File, error) {
	model, err := marshalIndent(b.Model)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", ModelFile, err)
	}
	card, err := marshalIndent(b.Card)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", CardFile, err)
	}
	files := []File{{ModelFile, model}, {CardFile, card}, {CardMarkdown, b.Card.Markdown()}}
	man := Manifest{Kind: manifestShape, FormatVersion: FormatVersion}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		man.Files = append(man.Files, ManifestEntry{Path: f.Name, SHA256: hex.EncodeToString(sum[:]), Bytes: len(f.Data)})
	}
	mb, err := marshalIndent(man)
	if err != nil {
		return nil, err
	}
	return append(files, File{ManifestName, mb}), nil
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Load reads the bundle in dir and verifies it: manifest.json must be of
// this FormatVersion, every file it lists must exist with its SHA-256, and
// model.json must be of this FormatVersion and rebuild. Each error names
// the file.
func Load(dir string) (*Bundle, error) {
	return LoadFS(os.DirFS(dir), dir)
}

// LoadFS is Load reading from fsys; dir names the bundle in errors.
func LoadFS(fsys fs.FS, dir string) (*Bundle, error) {
	path := func(name string) string { return filepath.Join(dir, name) }
	mb, err := fs.ReadFile(fsys, ManifestName)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: not a model bundle (no %s; bundles are written by evalrun train)", dir, ManifestName)
		}
		return nil, fmt.Errorf("%s: %w", path(ManifestName), err)
	}
	var man Manifest
	if err := json.Unmarshal(mb, &man); err != nil {
		return nil, fmt.Errorf("%s: %w", path(ManifestName), err)
	}
	if man.Kind != manifestShape {
		return nil, fmt.Errorf("%s: kind %q: not an evalrun model bundle", path(ManifestName), man.Kind)
	}
	if man.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: bundle format version %d; this evalrun reads version %d%s (retrain the model with this evalrun, or score with the evalrun that trained it)", path(ManifestName), man.FormatVersion, FormatVersion, versionChange(man.FormatVersion))
	}
	data := map[string][]byte{}
	for _, mf := range man.Files {
		if !fs.ValidPath(mf.Path) {
			return nil, fmt.Errorf("%s: file %q is not a path inside the bundle", path(ManifestName), mf.Path)
		}
		b, err := fs.ReadFile(fsys, mf.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: listed in the manifest but unreadable: %w", path(mf.Path), err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != mf.SHA256 {
			return nil, fmt.Errorf("%s: checksum mismatch: SHA-256 %s, the manifest says %s (the file changed after training)", path(mf.Path), got, mf.SHA256)
		}
		data[mf.Path] = b
	}
	for _, need := range []string{ModelFile, CardFile} {
		if data[need] == nil {
			return nil, fmt.Errorf("%s: the manifest does not list %s", path(ManifestName), need)
		}
	}
	b := &Bundle{Dir: dir}
	// One pass over model.json (large for tree ensembles); its version is
	// checked after, or first when it does not parse.
	if err := json.Unmarshal(data[ModelFile], &b.Model); err != nil {
		var version struct {
			FormatVersion int `json:"format_version"`
		}
		if json.Unmarshal(data[ModelFile], &version) == nil && version.FormatVersion != FormatVersion {
			return nil, fmt.Errorf("%s: format version %d; this evalrun reads version %d%s", path(ModelFile), version.FormatVersion, FormatVersion, versionChange(version.FormatVersion))
		}
		return nil, fmt.Errorf("%s: %w", path(ModelFile), err)
	}
	if b.Model.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: format version %d; this evalrun reads version %d%s", path(ModelFile), b.Model.FormatVersion, FormatVersion, versionChange(b.Model.FormatVersion))
	}
	if err := json.Unmarshal(data[CardFile], &b.Card); err != nil {
		return nil, fmt.Errorf("%s: %w", path(CardFile), err)
	}
	if err := b.rebuild(); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return b, nil
}

// versionChange says what an older bundle lacks.
func versionChange(v int) string {
	switch v {
	case 1:
		return ", which adds the training score distribution that monitoring compares each term's scores with, and a faster layout of tree ensembles"
	case 2:
		return ", which lays out tree ensembles' nodes to load faster"
	}
	return ""
}
