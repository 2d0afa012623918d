// Package rundir writes the directories evalrun produces (run directories,
// describe outputs, and any other directory a command fills) so that evalrun
// never destroys what it did not write and a crash never loses a run.
//
// The rules, which every command writing a directory gets by using Open and
// Commit:
//
//   - Ownership. Every directory written here holds a marker file
//     (MarkerName) listing each file with its size and SHA-256. An existing
//     directory is replaced only when its marker is present and every file
//     in it is listed and unchanged; anything else in the way (a file, a
//     symbolic link, a directory without the marker, a file added or edited
//     after evalrun wrote it) is a *NotOwnedError naming the path, returned
//     by Open before any computation.
//   - Atomic replacement. Files are written into a hidden sibling directory
//     (".NAME.evalrun-new-*") that Commit swaps with the target in one
//     renameat2(RENAME_EXCHANGE) call, so a reader, or a crash at any
//     instant, sees either the complete old directory or the complete new
//     one at the target path. Where the file system cannot exchange, the old
//     directory is first renamed to ".NAME.evalrun-old-*" and the next Open
//     moves it back if the process died before the new one was in place.
//   - Recovery. Open removes the hidden leftovers of interrupted writes
//     (they carry the marker, so they are provably evalrun's) and restores a
//     moved-aside directory when the target is missing; Writer.Notes says
//     what it did, for the command to print and record.
//   - Locking. One process at a time per directory: Open takes an advisory
//     flock on ".NAME.evalrun-lock" beside the directory and records the
//     holder's process id, command line and start time in it. A second Open
//     fails with a *LockedError naming the holder; the first is not
//     disturbed. The lock file stays after a completed write; a write that
//     fails or is interrupted removes it if it created it (a process that
//     opened it before the removal finds, once it holds the lock, that the
//     path no longer names its file, and starts again). It holds nothing
//     else.
//   - Writability. Open creates the hidden directory it will write into, so
//     an unwritable parent is found before computing, and checks that the
//     directory to be replaced can be removed.
//   - Interrupts. CatchInterrupts answers SIGINT and SIGTERM: it cancels the
//     command's context, removes exactly what this process's unfinished
//     writes created (recorded by Open, Create and WriteFileAtomic as they
//     go), finishes a swap already begun rather than leave the target
//     half-replaced, and exits with 130 or 143. A second signal exits at
//     once.
//
// Typical use:
//
//	w, err := rundir.Open(dir, rundir.Options{Kind: "run"})
//	if err != nil {
//		return err // not evalrun's, locked, or unwritable: nothing computed
//	}
//	defer w.Close() // discards the new files unless Commit succeeded
//	for _, n := range w.Notes() {
//		log.Print(n) // leftovers recovered from an interrupted run
//	}
//	// ... compute ...
//	if err := w.WriteFile("results.json", data); err != nil {
//		return err
//	}
//	return w.Commit()
package rundir
