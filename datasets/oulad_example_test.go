package datasets_test

import (
	"fmt"
	"log"
	"os"

	"github.com/evalrun/evalrun/datasets"
)

// Load the small OULAD-shaped fixture at day 28 and show one student's
// assessment and click features. BBB/2013J has no click rows, so its
// students' click features are NaN and a note says so.
func ExampleLoadOULAD() {
	frames, err := datasets.LoadOULAD(os.DirFS("testdata/oulad_tiny"), datasets.OULADOptions{
		Name:     "tiny",
		Cutoffs:  []int{28},
		Positive: []string{"Fail", "Withdrawn"},
		Clicks:   true,
	})
	if err != nil {
		log.Fatal(err)
	}
	f := frames[0]
	fmt.Println(f.Len(), "rows at day", f.Cutoff)
	for _, name := range []string{"submitted", "missed", "mean_score", "clicks_total", "days_since_last_activity"} {
		col, _ := f.NumericByName(name)
		fmt.Printf("%s: %s=%v %s=%v\n", name, f.Keys[0], col.Values[0], f.Keys[3], col.Values[3])
	}
	fmt.Println(f.Report.Notes[0])
	// Output:
	// 5 rows at day 28
	// submitted: AAA/2013J/1=2 BBB/2013J/1=1
	// missed: AAA/2013J/1=0 BBB/2013J/1=0
	// mean_score: AAA/2013J/1=70 BBB/2013J/1=55
	// clicks_total: AAA/2013J/1=27 BBB/2013J/1=NaN
	// days_since_last_activity: AAA/2013J/1=8 BBB/2013J/1=NaN
	// BBB/2013J: studentVle.csv has no click rows for this presentation; its click features are NaN
}
