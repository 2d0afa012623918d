package datasets

import (
	"testing"

	"github.com/evalrun/evalrun/synth"
)

// TestOULADTrails checks each row's assessment trail against the row's
// assessment features: the trail holds exactly the assessments due by the
// cutoff plus those submitted by it, and nothing dated after the cutoff.
func TestOULADTrails(t *testing.T) {
	fsys, _, err := synth.OULADFS(synth.OULADConfig{Students: 400, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := LoadOULAD(fsys, OULADOptions{Name: "syn", Cutoffs: []int{14, 28, 56}, Positive: []string{"Fail", "Withdrawn"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		due, _ := f.NumericByName("due_by_cutoff")
		submitted, _ := f.NumericByName("submitted")
		if len(f.Trails) != f.Len() {
			t.Fatalf("cutoff %d: %d trails for %d rows", f.Cutoff, len(f.Trails), f.Len())
		}
		nonEmpty := 0
		for r, trail := range f.Trails {
			var nDue, nSub int
			for _, a := range trail {
				if a.Due <= f.Cutoff {
					nDue++
				}
				if a.Submitted != nil {
					nSub++
					if *a.Submitted > f.Cutoff {
						t.Fatalf("cutoff %d, row %s: submission on day %d leaked", f.Cutoff, f.Keys[r], *a.Submitted)
					}
				} else if a.Score != nil {
					t.Fatalf("row %s: a score without a submission", f.Keys[r])
				}
				if a.Due > f.Cutoff && a.Submitted == nil {
					t.Fatalf("row %s: assessment %s neither due nor submitted by day %d", f.Keys[r], a.ID, f.Cutoff)
				}
				if a.ID == "" || a.Type == "" {
					t.Fatalf("row %s: assessment without id or type: %+v", f.Keys[r], a)
				}
			}
			if float64(nDue) != due.Values[r] || float64(nSub) != submitted.Values[r] {
				t.Fatalf("cutoff %d, row %s: trail has %d due and %d submitted, features say %v and %v",
					f.Cutoff, f.Keys[r], nDue, nSub, due.Values[r], submitted.Values[r])
			}
			if len(trail) > 0 {
				nonEmpty++
			}
		}
		if f.Cutoff >= 28 && nonEmpty == 0 {
			t.Errorf("cutoff %d: every trail is empty", f.Cutoff)
		}
	}
}
