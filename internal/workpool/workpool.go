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
	_ = runPool(nil, n, workers, tasks{each: fn})
}

// ForWorkers calls start(w) once on each of the Size(n, workers)
// goroutines, w in [0, Size(n, workers)), and the function it returns for
// every task i in [0, n) that goroutine takes. start sets up the worker's
// scratch space; a caller that keeps per-worker totals in a slice indexed
// by w and adds them up afterwards gets a result that depends on the
// scheduling unless the addition is exact (integers), as which tasks a
// worker runs is not fixed.
func ForWorkers(n, workers int, start func(worker int) func(i int)) {
	_ = runPool(nil, n, workers, tasks{start: start})
}

// Run calls fn(i) for i in [0, n) on Size(n, workers) goroutines until a
// call returns an error or ctx is done; the tasks already started finish.
// It returns the error of the lowest index that failed, or, when no task
// failed but some did not run because ctx was done, ctx.Err().
func Run(ctx context.Context, n, workers int, fn func(i int) error) error {
	return runPool(ctx, n, workers, tasks{try: fn})
}

// RunWorkers is Run with per-worker scratch: start(w) runs once on each
// goroutine, as in ForWorkers, and returns the function the goroutine
// calls for its tasks. Errors, cancellation and panics are Run's.
func RunWorkers(ctx context.Context, n, workers int, start func(worker int) func(i int) error) error {
	return runPool(ctx, n, workers, tasks{startTry: start})
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

// tasks holds the task function of one call: exactly one field is set,
// by For, ForWorkers, Run or RunWorkers.
type tasks struct {
	each     func(i int)
	start    func(worker int) func(i int)
	try      func(i int) error
	startTry func(worker int) func(i int) error
}

// pool is the state the goroutines of one call share. The failure fields
// are guarded by a spin lock on an atomic flag rather than a sync.Mutex
// (whose methods make the pool escape), so that a one-worker pool stays on
// the caller's stack; result reads them after the workers are done.
type pool struct {
	tasks
	ctx context.Context // nil: never done
	n   int

	next atomic.Int64 // the next index to hand out
	stop atomic.Bool  // set at the first error, panic or done context
	wg   sync.WaitGroup

	locked   atomic.Bool
	errIndex int // the lowest failed index (n: none)
	err      error
	panicked *PanicError
}

// lock and unlock guard the failure fields; they are taken only when a
// task fails.
func (p *pool) lock() {
	for !p.locked.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
}

func (p *pool) unlock() { p.locked.Store(false) }

// runPool runs n tasks on Size(n, workers) goroutines, each taking
// indices in increasing order until none is left or the pool stops, and
// returns the error Run documents (nil for For and ForWorkers). With one
// worker the pool stays on the caller's stack: no allocation.
func runPool(ctx context.Context, n, workers int, t tasks) error {
	if n <= 0 {
		if ctx != nil {
			return ctx.Err()
		}
		return nil
	}
	w := Size(n, workers)
	if w == 1 {
		var p pool
		p.tasks, p.ctx, p.n, p.errIndex = t, ctx, n, n
		p.work(0)
		return p.result()
	}
	p := &pool{tasks: t, ctx: ctx, n: n, errIndex: n}
	p.wg.Add(w)
	for k := range w {
		go p.goWork(k)
	}
	p.wg.Wait()
	return p.result()
}

// result raises a task's panic again or returns the pool's error.
func (p *pool) result() error {
	if p.panicked != nil {
		panic(p.panicked)
	}
	if p.err != nil {
		return p.err
	}
	if p.next.Load() < int64(p.n) { // stopped by ctx before every index was handed out
		return p.ctx.Err()
	}
	return nil
}

func (p *pool) goWork(worker int) {
	defer p.wg.Done()
	p.work(worker)
}

// work is one goroutine's loop. The stop flag is read before an index is
// taken, and an index taken is always run, so every index below a failed
// one runs: the lowest failed index does not depend on the scheduling.
func (p *pool) work(worker int) {
	i := -1 // the running task, for a panic
	defer func() {
		if v := recover(); v != nil {
			p.stop.Store(true)
			stack := debug.Stack()
			p.lock()
			if p.panicked == nil || i < p.panicked.Index {
				p.panicked = &PanicError{Index: i, Value: v, Stack: stack}
			}
			p.unlock()
		}
	}()
	each, try := p.each, p.try
	switch {
	case p.start != nil:
		each = p.start(worker)
	case p.startTry != nil:
		try = p.startTry(worker)
	}
	for !p.stop.Load() {
		if p.ctx != nil && p.ctx.Err() != nil {
			p.stop.Store(true)
			return
		}
		i = int(p.next.Add(1) - 1)
		if i >= p.n {
			return
		}
		if try == nil {
			each(i)
		} else if err := try(i); err != nil {
			p.stop.Store(true)
			p.lock()
			if i < p.errIndex {
				p.errIndex, p.err = i, err
			}
			p.unlock()
		}
	}
}
