package events_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/evalrun/evalrun/events"
)

func Example() {
	log := `student,timestamp,action,resource,type
s1,2024-01-08T09:00:00Z,viewed,p1,page
s1,2024-01-08T09:00:00Z,viewed,p1,page
s1,2024-01-08T09:20:00Z,posted,f1,forum
s1,2024-01-10T14:00:00Z,viewed,p2,page
s2,2024-01-09T10:00:00Z,viewed,p1,page
s3,,viewed,p1,page
`
	b, err := events.NewBuilder(events.Options{
		Cutoffs:  []int{6},
		Term:     events.Term{Start: time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)},
		Students: []string{"s1", "s2"},
		Cleaning: events.DefaultCleaning(),
		Features: []events.Feature{{Kind: events.KindSessions}, {Kind: events.KindForum}},
	})
	if err != nil {
		panic(err)
	}
	format := events.CSVFormat{Student: []string{"student"}, Time: "timestamp", Action: "action", Resource: "resource", ResourceType: "type"}
	if _, err := events.ReadCSV(strings.NewReader(log), "log.csv", format, b.Symbols(), b); err != nil {
		panic(err)
	}
	res, err := b.Finish()
	if err != nil {
		panic(err)
	}
	for _, rc := range res.Report.Rules {
		if rc.Count > 0 {
			fmt.Println(rc.Rule, rc.Count)
		}
	}
	cols, _, err := res.Columns(6, []string{"s1", "s2"}, nil)
	if err != nil {
		panic(err)
	}
	for _, c := range cols {
		fmt.Println(c.Name, c.Values)
	}
	// Output:
	// missing_timestamp 1
	// duplicate 1
	// sessions [2 1]
	// time_on_task_minutes [20 0]
	// mean_session_minutes [10 0]
	// forum_posts [1 0]
	// forum_replies [0 0]
	// forum_views [0 0]
}
