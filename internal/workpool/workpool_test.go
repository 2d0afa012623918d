package workpool

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// withGOMAXPROCS runs f with runtime.GOMAXPROCS set to procs.
func withGOMAXPROCS(procs int, f func()) {
	old := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(old)
	f()
}

func TestSize(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	cases := []struct {
		n, workers, want int
	}{
		{0, 4, 1},
		{1, 4, 1},
		{10, 4, 4},
		{3, 4, 3},
		{10, 1, 1},
		{10, -3, min(procs, 10)},
		{10, 0, min(procs, 10)},
		{1000, 0, procs},
	}
	for i, c := range cases {
		if got := Size(c.n, c.workers); got != c.want {
			t.Errorf("%d: Size(%d, %d) = %d, want %d", i, c.n, c.workers, got, c.want)
		}
	}
}

// TestForRunsEveryIndexOnce counts the calls of every index for task counts
// and worker counts around the edges, at several GOMAXPROCS.
func TestForRunsEveryIndexOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 5} {
		for _, n := range []int{0, 1, 2, 7, 333} {
			for _, workers := range []int{-1, 0, 1, 2, 3, 8, 1000} {
				withGOMAXPROCS(procs, func() {
					calls := make([]atomic.Int32, n)
					For(n, workers, func(i int) { calls[i].Add(1) })
					for i := range calls {
						if c := calls[i].Load(); c != 1 {
							t.Errorf("GOMAXPROCS %d, n %d, workers %d: index %d ran %d times", procs, n, workers, i, c)
						}
					}
				})
			}
		}
	}
}

// TestForUsesSizeGoroutines checks that the tasks really run on
// Size(n, workers) goroutines at once: each task waits until that many
// have started.
func TestForUsesSizeGoroutines(t *testing.T) {
	for _, workers := range []int{2, 3, 4} {
		var started sync.WaitGroup
		started.Add(workers)
		var running atomic.Int32
		For(workers, workers, func(i int) {
			running.Add(1)
			started.Done()
			started.Wait() // deadlocks unless workers tasks run at once
		})
		if running.Load() != int32(workers) {
			t.Errorf("workers %d: %d tasks ran", workers, running.Load())
		}
	}
}

// TestForWorkersScratch checks that start runs once per worker with the
// worker numbers 0..Size−1 and that every task runs once, on the scratch
// of the worker that took it.
func TestForWorkersScratch(t *testing.T) {
	cases := []struct{ n, workers int }{{1, 4}, {5, 1}, {5, 2}, {100, 3}, {100, 0}, {2, 8}}
	for _, c := range cases {
		size := Size(c.n, c.workers)
		starts := make([]atomic.Int32, size)
		perWorker := make([][]int, size)
		ForWorkers(c.n, c.workers, func(w int) func(int) {
			starts[w].Add(1)
			mine := &perWorker[w] // the worker's own scratch: no lock needed
			return func(i int) { *mine = append(*mine, i) }
		})
		var all []int
		for w := range size {
			if s := starts[w].Load(); s != 1 {
				t.Errorf("n %d, workers %d: worker %d started %d times", c.n, c.workers, w, s)
			}
			if !slices.IsSorted(perWorker[w]) {
				t.Errorf("n %d, workers %d: worker %d took %v, not in increasing order", c.n, c.workers, w, perWorker[w])
			}
			all = append(all, perWorker[w]...)
		}
		slices.Sort(all)
		for i, v := range all {
			if v != i {
				t.Fatalf("n %d, workers %d: tasks run %v, want 0..%d once each", c.n, c.workers, all, c.n-1)
			}
		}
		if len(all) != c.n {
			t.Errorf("n %d, workers %d: %d tasks ran", c.n, c.workers, len(all))
		}
	}
}

// TestRunFirstErrorInIndexOrder makes higher indices fail sooner than
// lower ones, so the first error in time is not the first in index
// order; Run must still return the lowest failed index's error, and every
// index below it must have run.
func TestRunFirstErrorInIndexOrder(t *testing.T) {
	cases := []struct {
		n, workers int
		fail       []int
		want       int // -1: no error
	}{
		{10, 1, nil, -1},
		{10, 4, nil, -1},
		{10, 1, []int{3, 7}, 3},
		{10, 4, []int{3, 7}, 3},
		{40, 8, []int{5, 6, 7, 30}, 5},
		{40, 3, []int{0}, 0},
		{40, 3, []int{39}, 39},
		{40, 0, []int{12, 13}, 12},
	}
	for k, c := range cases {
		for rep := range 6 {
			var ran [64]atomic.Bool
			task := func(i int) error {
				ran[i].Store(true)
				// Lower indices take longer: a later index fails first.
				time.Sleep(time.Duration(c.n-i) * 20 * time.Microsecond)
				if slices.Contains(c.fail, i) {
					return fmt.Errorf("task %d failed", i)
				}
				return nil
			}
			var err error
			if rep%2 == 0 {
				err = Run(context.Background(), c.n, c.workers, task)
			} else {
				err = RunWorkers(context.Background(), c.n, c.workers, func(int) func(int) error { return task })
			}
			switch {
			case c.want < 0 && err != nil:
				t.Errorf("case %d rep %d: error %v, want none", k, rep, err)
			case c.want >= 0 && (err == nil || err.Error() != fmt.Sprintf("task %d failed", c.want)):
				t.Errorf("case %d rep %d: error %v, want task %d's", k, rep, err, c.want)
			}
			last := c.n - 1
			if c.want >= 0 {
				last = c.want
			}
			for i := 0; i <= last; i++ {
				if !ran[i].Load() {
					t.Errorf("case %d rep %d: index %d did not run, below the first failure %d", k, rep, i, c.want)
				}
			}
		}
	}
}

// TestRunStopsAfterError checks that no new task starts once one failed:
// with one worker, nothing after the failed index runs.
func TestRunStopsAfterError(t *testing.T) {
	var ran atomic.Int32
	err := Run(context.Background(), 100, 1, func(i int) error {
		ran.Add(1)
		if i == 9 {
			return errors.New("stop here")
		}
		return nil
	})
	if err == nil || err.Error() != "stop here" {
		t.Fatalf("error %v", err)
	}
	if ran.Load() != 10 {
		t.Errorf("%d tasks ran, want 10 (0..9)", ran.Load())
	}
}

func TestRunContext(t *testing.T) {
	t.Run("done before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var ran atomic.Int32
		for _, workers := range []int{1, 4} {
			err := Run(ctx, 50, workers, func(int) error { ran.Add(1); return nil })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("workers %d: error %v, want context.Canceled", workers, err)
			}
		}
		if ran.Load() != 0 {
			t.Errorf("%d tasks ran with a done context", ran.Load())
		}
		if err := Run(ctx, 0, 2, func(int) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("no tasks, done context: error %v", err)
		}
	})
	t.Run("cancelled by a task", func(t *testing.T) {
		for _, workers := range []int{1, 2, 4} {
			ctx, cancel := context.WithCancel(context.Background())
			var ran, finished atomic.Int32
			err := Run(ctx, 1000, workers, func(i int) error {
				ran.Add(1)
				if i == 20 {
					cancel()
				}
				time.Sleep(50 * time.Microsecond)
				finished.Add(1)
				return nil
			})
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Errorf("workers %d: error %v, want context.Canceled", workers, err)
			}
			if r := ran.Load(); r < 21 || r > 20+int32(workers) {
				t.Errorf("workers %d: %d tasks ran, want 21 to %d", workers, r, 20+workers)
			}
			if finished.Load() != ran.Load() {
				t.Errorf("workers %d: %d tasks started, %d finished", workers, ran.Load(), finished.Load())
			}
		}
	})
	t.Run("cancelled by the last task", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		err := Run(ctx, 10, 1, func(i int) error {
			if i == 9 {
				cancel()
			}
			return nil
		})
		if err != nil {
			t.Errorf("every task ran, yet error %v", err)
		}
	})
	t.Run("task error before cancellation", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		err := Run(ctx, 10, 1, func(i int) error {
			if i == 3 {
				cancel()
				return errors.New("task 3")
			}
			return nil
		})
		if err == nil || err.Error() != "task 3" {
			t.Errorf("error %v, want task 3's", err)
		}
	})
}

// TestPanicRaisedInCaller checks that a task's panic comes back in the
// caller's goroutine as a *PanicError naming the lowest panicking index,
// its value and the stack where it panicked, inline and on goroutines.
func TestPanicRaisedInCaller(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name    string
		workers int
		panics  []int
		value   any
		want    int
	}{
		{"inline", 1, []int{4}, "bad input", 4},
		{"goroutines", 4, []int{4}, "bad input", 4},
		{"two panics", 4, []int{17, 6}, boom, 6},
		{"error value", 3, []int{0}, boom, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := func() (r any) {
				defer func() { r = recover() }()
				For(30, c.workers, func(i int) {
					// The lowest panicking index panics last in time.
					if len(c.panics) > 1 && i == c.want {
						time.Sleep(5 * time.Millisecond)
					}
					if slices.Contains(c.panics, i) {
						panicInTask(c.value)
					}
				})
				return nil
			}()
			pe, ok := got.(*PanicError)
			if !ok {
				t.Fatalf("recovered %#v, want *PanicError", got)
			}
			if pe.Index != c.want || pe.Value != c.value {
				t.Errorf("PanicError{Index: %d, Value: %v}, want {%d, %v}", pe.Index, pe.Value, c.want, c.value)
			}
			if !strings.Contains(string(pe.Stack), "panicInTask") {
				t.Errorf("stack does not show the panicking function:\n%s", pe.Stack)
			}
			if err, isErr := c.value.(error); isErr && !errors.Is(pe, err) {
				t.Errorf("errors.Is(%v, %v) is false", pe, err)
			}
			if !strings.Contains(pe.Error(), fmt.Sprint(c.value)) {
				t.Errorf("message %q does not hold the value", pe.Error())
			}
		})
	}
	t.Run("start", func(t *testing.T) {
		defer func() {
			pe, ok := recover().(*PanicError)
			if !ok || pe.Index != -1 || pe.Value != "no scratch" {
				t.Errorf("recovered %v, want PanicError{Index: -1, Value: no scratch}", pe)
			}
		}()
		ForWorkers(10, 2, func(w int) func(int) {
			if w == 1 {
				panic("no scratch")
			}
			return func(int) {}
		})
	})
}

//go:noinline
func panicInTask(v any) { panic(v) }

func TestForChunks(t *testing.T) {
	cases := []struct {
		n, size int
		want    [][3]int // chunk, lo, hi
	}{
		{0, 4, nil},
		{3, 4, [][3]int{{0, 0, 3}}},
		{4, 4, [][3]int{{0, 0, 4}}},
		{10, 4, [][3]int{{0, 0, 4}, {1, 4, 8}, {2, 8, 10}}},
		{5, 1, [][3]int{{0, 0, 1}, {1, 1, 2}, {2, 2, 3}, {3, 3, 4}, {4, 4, 5}}},
	}
	for _, c := range cases {
		for _, workers := range []int{1, 2, 3, 0} {
			var mu sync.Mutex
			var got [][3]int
			ForChunks(c.n, c.size, workers, func(ch, lo, hi int) {
				mu.Lock()
				got = append(got, [3]int{ch, lo, hi})
				mu.Unlock()
			})
			slices.SortFunc(got, func(a, b [3]int) int { return a[0] - b[0] })
			if !slices.Equal(got, c.want) {
				t.Errorf("ForChunks(%d, %d, %d): %v, want %v", c.n, c.size, workers, got, c.want)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("chunk size 0 did not panic")
		}
	}()
	ForChunks(10, 0, 1, func(int, int, int) {})
}

func TestSplit(t *testing.T) {
	cases := []struct {
		n, parts int
		want     [][2]int
	}{
		{10, 1, [][2]int{{0, 10}}},
		{10, 3, [][2]int{{0, 3}, {3, 6}, {6, 10}}},
		{2, 4, [][2]int{{0, 0}, {0, 1}, {1, 1}, {1, 2}}},
		{7, 7, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}}},
	}
	for _, c := range cases {
		for p, w := range c.want {
			if lo, hi := Split(c.n, c.parts, p); lo != w[0] || hi != w[1] {
				t.Errorf("Split(%d, %d, %d) = [%d, %d), want [%d, %d)", c.n, c.parts, p, lo, hi, w[0], w[1])
			}
		}
	}
}

// TestSumIdenticalWhateverGOMAXPROCS sums floats whose total depends on
// the order of addition, in chunks combined in chunk order, and checks the
// bits are the same for every GOMAXPROCS and worker count.
func TestSumIdenticalWhateverGOMAXPROCS(t *testing.T) {
	x := make([]float64, 100_003)
	for i := range x {
		x[i] = math.Sin(float64(i)) * math.Pow(10, float64(i%17-8))
	}
	sum := func(workers int) float64 {
		const size = 1000
		part := make([]float64, (len(x)+size-1)/size)
		ForChunks(len(x), size, workers, func(c, lo, hi int) {
			for _, v := range x[lo:hi] {
				part[c] += v
			}
		})
		total := 0.0
		for _, p := range part {
			total += p
		}
		return total
	}
	want := sum(1)
	for _, procs := range []int{1, 2, 3, 8} {
		for _, workers := range []int{0, 2, 7} {
			withGOMAXPROCS(procs, func() {
				if got := sum(workers); math.Float64bits(got) != math.Float64bits(want) {
					t.Errorf("GOMAXPROCS %d, workers %d: sum %v, want %v", procs, workers, got, want)
				}
			})
		}
	}
}

// TestOneWorkerDoesNotAllocate guards the inline path, which hot loops
// (one chunk, one worker) call many times: the pool stays on the stack.
func TestOneWorkerDoesNotAllocate(t *testing.T) {
	x := make([]int, 64)
	inc := func(i int) { x[i]++ }
	if a := testing.AllocsPerRun(50, func() { For(len(x), 1, inc) }); a != 0 {
		t.Errorf("For with one worker: %v allocations per call, want 0", a)
	}
	try := func(i int) error { x[i]++; return nil }
	if a := testing.AllocsPerRun(50, func() { _ = Run(context.Background(), len(x), 1, try) }); a != 0 {
		t.Errorf("Run with one worker: %v allocations per call, want 0", a)
	}
}

// TestRunWorkersScratch checks RunWorkers' per-worker scratch: each
// worker's buffer is used by that worker only (a task finding it dirty
// would mean two goroutines share it), and cancellation stops it like Run.
func TestRunWorkersScratch(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		var starts atomic.Int32
		err := RunWorkers(context.Background(), 200, workers, func(w int) func(int) error {
			starts.Add(1)
			buf := make([]int, 8)
			return func(i int) error {
				for k := range buf {
					if buf[k] != 0 {
						return fmt.Errorf("task %d: worker %d's scratch in use", i, w)
					}
					buf[k] = i
				}
				time.Sleep(time.Microsecond)
				clear(buf)
				return nil
			}
		})
		if err != nil {
			t.Errorf("workers %d: %v", workers, err)
		}
		if s := starts.Load(); s != int32(workers) {
			t.Errorf("workers %d: start ran %d times", workers, s)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var ran atomic.Int32
		err = RunWorkers(ctx, 200, workers, func(int) func(int) error {
			return func(i int) error {
				ran.Add(1)
				if i == 10 {
					cancel()
				}
				return nil
			}
		})
		if !errors.Is(err, context.Canceled) || ran.Load() > 10+int32(workers) {
			t.Errorf("workers %d, cancelled at task 10: error %v after %d tasks", workers, err, ran.Load())
		}
	}
}
