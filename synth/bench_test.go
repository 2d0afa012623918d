package synth

import "testing"

// BenchmarkWriteOULADFull writes the real data set's size (32,593
// registrations, about 10.6 million studentVle rows) to a temporary
// directory.
func BenchmarkWriteOULADFull(b *testing.B) {
	dir := b.TempDir()
	var sum Summary
	for b.Loop() {
		var err error
		sum, err = WriteOULAD(dir, OULADConfig{Students: 32593, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sum.Rows[FileStudentVLE]), "vle-rows")
}

// BenchmarkOULADFSDemo builds the default demo data set in memory.
func BenchmarkOULADFSDemo(b *testing.B) {
	for b.Loop() {
		if _, _, err := OULADFS(OULADConfig{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
