package synth_test

import (
	"fmt"
	"io/fs"
	"log"
	"strings"

	"github.com/evalrun/evalrun/synth"
)

func ExampleOULADFS() {
	fsys, sum, err := synth.OULADFS(synth.OULADConfig{Students: 100, Seed: 42})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum.Students, "registrations in", len(sum.Presentations), "module presentations, first", sum.Presentations[0])
	fmt.Println(sum.Rows[synth.FileStudentInfo], "studentInfo rows")
	courses, err := fs.ReadFile(fsys, synth.FileCourses)
	if err != nil {
		log.Fatal(err)
	}
	lines := strings.Split(string(courses), "\r\n") // CRLF line ends
	fmt.Println(lines[0])
	fmt.Println(lines[1])
	// Output:
	// 100 registrations in 22 module presentations, first AAA/2013J
	// 100 studentInfo rows
	// "code_module","code_presentation","module_presentation_length"
	// "AAA","2013J","268"
}
