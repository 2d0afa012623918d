package datasets_test

import (
	"fmt"

	"github.com/evalrun/evalrun/datasets"
)

func ExampleLoadCSV() {
	f, err := datasets.LoadCSV("testdata/csv_basic.csv.gz", datasets.CSVOptions{
		Name:         "basic",
		IDColumn:     "student",
		LabelColumn:  "at_risk",
		TermColumn:   "term",
		CourseColumn: "course",
		Numeric:      []string{"gpa", "clicks"},
		Categorical:  []string{"gender"},
		Groups:       []string{"gender", "region"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Keys, f.Labels)
	fmt.Println(f.ColumnNames())
	for _, c := range f.Report.Cleaning {
		fmt.Println(c.Rule, c.Detail, c.Count)
	}
	// Output:
	// [2013B/s1 2013B/s2 2013B/s3 2014B/s1 2014B/s5] [0 1 1 0 0]
	// [gpa clicks gender region]
	// missing_label at_risk 1
	// missing_value gpa 1
	// missing_value clicks 2
	// missing_value gender 1
	// missing_value region 1
}
