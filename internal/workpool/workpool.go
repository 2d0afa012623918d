package workpool

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Size returns the number of goroutines that run n tasks when workers are
// asked for: workers, or GOMAXPROCS when workers ≤ 0, at most n and at
// least 1.
func Size(n, workers int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(1, min(workers, n))
}

// For calls fn(i) for every i in [0, n) on Size(n, workers) goroutines.
func For(n, workers int, fn func(i int)) {
	run(nil, n, workers, func(int) func(int) error {
		return func(i int) error { fn(i); return nil }
	})
}

// ForWorkers calls start(w) once on each of the Size(n, workers)
// goroutines, w in [0, Size(n, workers)), and the function it returns for
// every task i in [0, n) that goroutine takes. start sets up the worker's
// scratch space; a caller that keeps per-worker totals in a slice indexed
// by w and adds them up afterwards gets a result that depends on the
// scheduling unless the addition is exact (integers), as which tasks a
// worker runs is not fixed.
func ForWorkers(n, workers int, start func(worker int) func(i int)) {
	run(nil, n, workers, func(w int) func(int) error {
		fn := start(w)
		return func(i int) error { fn(i); return nil }
	})
}

// Run calls fn(i) for i in [0, n) on Size(n, workers) goroutines until a
// call returns an error or ctx is done; the tasks already started finish.
// It returns the error of the lowest index that failed, or, when no task
// failed but some did not run because ctx was done, ctx.Err().
func Run(ctx context.Context, n, workers int, fn func(i int) error) error {
	return run(ctx, n, workers, func(int) func(int) error { return fn })
}

// ForChunks calls fn(c, lo, hi) for every chunk c of [0, n) cut into
// chunks of size consecutive indices, [c·size, min((c+1)·size, n)), on
// Size(chunks, workers) goroutines. The boundaries depend only on n and
// size.
func ForChunks(n, size, workers int, fn func(c, lo, hi int)) {
	if size < 1 {
		panic(fmt.Sprintf("workpool: chunk size %d", size))
	}
	For((n+size-1)/size, workers, func(c int) {
		lo := c * size
		fn(c, lo, min(lo+size, n))
	})
}

// Split returns the bounds [lo, hi) of part p of [0, n) cut into parts
// nearly equal contiguous parts: lo = p·n/parts, hi = (p+1)·n/parts.
func Split(n, parts, p int) (lo, hi int) {
	return p * n / parts, (p + 1) * n / parts
}

// PanicError is the value a panicking task is raised again with in the
// caller's goroutine.
type PanicError struct {
	Index int    // the task that panicked (−1: the worker's start function)
	Value any    // the value it panicked with
	Stack []byte // the stack of its goroutine at the panic
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("workpool: task %d panicked: %v\n\n%s", e.Index, e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// pool is the state the goroutines of one call share.
type pool struct {
	ctx  context.Context // nil: never done
	n    int
	next atomic.Int64 // the next index to hand out
	stop atomic.Bool  // set at the first error, panic or done context

	mu       sync.Mutex
	errIndex int // lowest failed index (n: none)
	err      error
	ctxErr   error
	panicked *PanicError
}

// run is the one loop behind every function of the package: each of the
// Size(n, workers) goroutines gets its task function from start(w) and
// takes indices in increasing order until none is left or the pool stops.
func run(ctx context.Context, n, workers int, start func(worker int) func(i int) error) error {
	if n <= 0 {
		if ctx != nil {
			return ctx.Err()
		}
		return nil
	}
	p := &pool{ctx: ctx, n: n, errIndex: n}
	w := Size(n, workers)
	if w == 1 {
		p.work(0, start)
	} else {
		var wg sync.WaitGroup
		wg.Add(w)
		for k := range w {
			go func() {
				defer wg.Done()
				p.work(k, start)
			}()
		}
		wg.Wait()
	}
	if p.panicked != nil {
		panic(p.panicked)
	}
	if p.err != nil {
		return p.err
	}
	if p.next.Load() < int64(n) { // some index was never handed out
		return p.ctxErr
	}
	return nil
}

// work is one goroutine's loop. The stop flag is read before an index is
// taken, and an index taken is always run, so every index below a failed
// one runs: the lowest failed index does not depend on the scheduling.
func (p *pool) work(worker int, start func(int) func(int) error) {
	i := -1 // the running task, for a panic
	defer func() {
		if v := recover(); v != nil {
			p.stop.Store(true)
			p.mu.Lock()
			if p.panicked == nil || i < p.panicked.Index {
				p.panicked = &PanicError{Index: i, Value: v, Stack: debug.Stack()}
			}
			p.mu.Unlock()
		}
	}()
	fn := start(worker)
	for !p.stop.Load() {
		if p.ctx != nil {
			if err := p.ctx.Err(); err != nil {
				p.stop.Store(true)
				p.mu.Lock()
				p.ctxErr = err
				p.mu.Unlock()
				return
			}
		}
		i = int(p.next.Add(1) - 1)
		if i >= p.n {
			return
		}
		if err := fn(i); err != nil {
			p.stop.Store(true)
			p.mu.Lock()
			if i < p.errIndex {
				p.errIndex, p.err = i, err
			}
			p.mu.Unlock()
		}
	}
}
