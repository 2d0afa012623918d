package metrics

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var updateResampling = flag.Bool("update-resampling", false, "rewrite testdata/resampling.json")

// TestResamplingUnchanged pins every bootstrap of the package to the bit:
// each output on a fixed OULAD-like sample (ties, 29% positives) is hashed
// (every float64 by its bits) and compared with testdata/resampling.json,
// written by the implementation that preceded the speed-ups of the draws,
// the calibration fits and the tallies. Runs are reproduced exactly by a
// spec and seed, so a faster resampling loop must not move a single bit.
// -update-resampling rewrites the file (only for an intended change of the
// numbers).
func TestResamplingUnchanged(t *testing.T) {
	all, allP, allQ := ouladSized()
	// Every fourth row keeps the test fast.
	var y []uint8
	var p, q []float64
	for i := 0; i < len(all); i += 4 {
		y, p, q = append(y, all[i]), append(p, allP[i]), append(q, allQ[i])
	}
	n := len(y)
	clusters := make([]string, n)
	for i := range clusters {
		clusters[i] = strconv.Itoa(i * 37 % 61)
	}
	thr, thrQ := threshold30(p), threshold30(q)
	got := map[string]string{}
	for _, scheme := range []string{SchemeStratified, SchemeSimple, SchemeCluster} {
		opt := BootstrapOptions{Replicates: 60, Level: 0.9, Scheme: scheme, Seed: 5, Task: "golden/" + scheme, Workers: 2}
		if scheme == SchemeCluster {
			opt.Clusters = clusters
		}
		b, err := Bootstrap(y, p, thr, opt)
		if err != nil {
			t.Fatal(err)
		}
		got["bootstrap/"+scheme] = hashJSON(t, b)
		pb, err := PairedBootstrap(y, p, q, thr, thrQ, opt)
		if err != nil {
			t.Fatal(err)
		}
		got["paired/"+scheme] = hashJSON(t, pb)
	}
	cal, err := CalibrationBootstrap(y, p, 10, 80, 5, "golden/calibration", 2)
	if err != nil {
		t.Fatal(err)
	}
	got["calibration/ece"] = hashFloats(cal.ECE)
	got["calibration/slope"] = hashFloats(cal.Slope)
	got["calibration/intercept"] = hashFloats(cal.Intercept)
	band, err := ROCConfidenceBand(y, q, 40, 80, 0.95, 5, "golden/band", 2)
	if err != nil {
		t.Fatal(err)
	}
	got["roc-band"] = hashJSON(t, band)

	path := filepath.Join("testdata", "resampling.json")
	if *updateResampling {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Errorf("%d outputs, %s holds %d", len(got), path, len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s changed: hash %s, %s has %s", k, got[k], path, w)
		}
	}
}

// hashFloats hashes float64 values by their bits.
func hashFloats(v []float64) string {
	h := sha256.New()
	for _, x := range v {
		binary.Write(h, binary.LittleEndian, math.Float64bits(x))
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// hashJSON hashes a value's JSON encoding (Go writes the shortest decimal
// that reads back to the same float64, so equal hashes mean equal bits).
func hashJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])[:24]
}
