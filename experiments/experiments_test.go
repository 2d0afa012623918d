package experiments_test

import (
	"strings"
	"testing"

	"github.com/evalrun/evalrun/experiments"
)

// Every shipped spec parsing is checked by the harness package's
// TestShippedSpecsParse (the parser lives there).

func TestUnknownSpec(t *testing.T) {
	_, err := experiments.Spec("nope")
	if err == nil || !strings.Contains(err.Error(), `no shipped experiment "nope" (have: demo,`) {
		t.Errorf("err = %v", err)
	}
}
