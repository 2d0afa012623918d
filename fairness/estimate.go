package fairness

import (
	"encoding/json"
	"math"
)

// Estimate is a number that may be undefined on valid input, such as a rate
// whose denominator is zero. When Defined is false, Value is 0 and must not
// be read, and Reason says why the number does not exist.
//
// An Estimate encodes as a JSON number when defined and as null otherwise;
// structs holding Estimates list the reasons of their null fields in an
// "undefined" map keyed by JSON field name.
type Estimate struct {
	Value   float64
	Defined bool
	Reason  string
}

// Known returns a defined Estimate holding v. A NaN or infinite v is
// recorded as undefined with the reason "not a finite number", so no NaN
// ever reaches a result.
func Known(v float64) Estimate {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Estimate{Reason: "not a finite number"}
	}
	return Estimate{Value: v, Defined: true}
}

// Unknown returns an undefined Estimate with the given reason.
func Unknown(reason string) Estimate { return Estimate{Reason: reason} }

// MarshalJSON encodes a defined Estimate as its number and an undefined one
// as null.
func (e Estimate) MarshalJSON() ([]byte, error) {
	if !e.Defined {
		return []byte("null"), nil
	}
	return json.Marshal(e.Value)
}

// UnmarshalJSON decodes a number as a defined Estimate and null as an
// undefined one (whose Reason is then empty: reasons travel in the
// enclosing struct's "undefined" map).
func (e *Estimate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*e = Estimate{}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*e = Estimate{Value: v, Defined: true}
	return nil
}

// namedEstimate pairs an Estimate with its JSON field name.
type namedEstimate struct {
	name string
	est  Estimate
}

// undefinedReasons returns the reasons of the undefined estimates keyed by
// name, or nil when all are defined.
func undefinedReasons(fields []namedEstimate) map[string]string {
	var out map[string]string
	for _, f := range fields {
		if !f.est.Defined {
			if out == nil {
				out = make(map[string]string)
			}
			out[f.name] = f.est.Reason
		}
	}
	return out
}

// ratioEstimate returns num/den, or an undefined Estimate with the reason
// when den is zero.
func ratioEstimate(num, den int, reason string) Estimate {
	if den == 0 {
		return Unknown(reason)
	}
	return Known(float64(num) / float64(den))
}
