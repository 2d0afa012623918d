// Package experiments holds the experiment specs shipped with evalrun,
// embedded in the binary so `evalrun demo` runs anywhere.
package experiments

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.toml
var specs embed.FS

// DemoName is the spec `evalrun demo` runs: synthetic OULAD-shaped data
// generated in-process from the spec's seed.
const DemoName = "demo"

// Spec returns the bytes of the shipped spec name (without ".toml").
func Spec(name string) ([]byte, error) {
	b, err := specs.ReadFile(name + ".toml")
	if err != nil {
		return nil, fmt.Errorf("no shipped experiment %q (have: %s)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// Names lists the shipped specs.
func Names() []string {
	entries, _ := fs.ReadDir(specs, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(names)
	return names
}
