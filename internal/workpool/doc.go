// Package workpool runs the independent tasks of a computation, numbered
// 0 to n−1, on a bounded number of goroutines, so that the packages of
// evalrun share one small, tested pool instead of each writing its own.
//
// Tasks are handed out one at a time in increasing index order to
// Size(n, workers) goroutines (the calling goroutine alone when that is
// one): a goroutine slowed by other work on the machine leaves the
// remaining tasks to the others. Which goroutine runs which task depends
// on scheduling, so a task must write only its own results (a slot of a
// slice indexed by the task, or its own rows); per-worker scratch
// (ForWorkers, RunWorkers) must not carry anything that changes a task's
// result. Results then do not depend on the number of workers or on
// GOMAXPROCS.
//
// Work cut into contiguous chunks (ForChunks, Split) has boundaries that
// depend only on the number of items and the chunk size or count, never on
// the number of workers, so partial sums combined in chunk order are
// identical whatever the parallelism.
//
// Errors (Run, RunWorkers): after a task fails, or the context is done,
// no further task starts; the tasks already started finish. They return
// the error of the lowest failed index, which, since tasks start in index
// order and every task below a failed one has started, is the same
// whatever the scheduling.
//
// Panics: a panic in a task stops the handing out of tasks, and once every
// goroutine has stopped it is raised again in the caller's goroutine as a
// *PanicError holding the task's index, the value and the stack of the
// panicking goroutine (the lowest index when several panicked). A task
// must not call runtime.Goexit (testing's FailNow and SkipNow included).
package workpool
