package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/shard"
)

// shardUsage documents the commands of sharded runs.
const shardUsage = `
Sharded runs (many machines; PLAN is a directory every machine sees):
  evalrun plan spec.toml -o PLAN            write the run's cells (PLAN/plan.jsonl) and the spec
  evalrun run spec.toml --plan PLAN --shard i/N|auto
                                           compute the cells at positions i mod N into PLAN/cells
                                           (auto: JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID minus
                                           SLURM_ARRAY_TASK_MIN; N from EVALRUN_SHARDS or
                                           SLURM_ARRAY_TASK_COUNT, or auto/N)
  evalrun merge PLAN -o RUN                 check every cell is present and current, write the run
                                           directory a single-machine run writes
`

func planCmd(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("plan", stderr)
	dir := fs.String("o", "", "plan directory (required; shared by every machine)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *dir == "" {
		return fmt.Errorf("%w: plan takes one spec file and -o PLAN", errUsage)
	}
	spec, err := harness.LoadSpecFile(fs.Arg(0))
	if err != nil {
		return err
	}
	out, err := harness.Plan(ctx, spec, *dir, harness.RunOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d cells planned in %s (%d already computed)\n", len(out.Cells), out.Dir, out.Current)
	return nil
}

// runShard is evalrun run with --plan: one shard's cells.
func runShard(ctx context.Context, stdout io.Writer, spec *harness.Spec, plan, shardFlag string, opts harness.RunOptions) error {
	if shardFlag == "" {
		return fmt.Errorf("%w: --plan needs --shard i/N (or auto)", errUsage)
	}
	sh, err := shard.ParseShard(shardFlag, os.Getenv)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	out, err := harness.RunShard(ctx, spec, plan, sh, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "shard %s: %d cells, %d computed, %d already current\n", out.Shard, out.Cells, out.Computed, out.Skipped)
	return nil
}

func mergeCmd(ctx context.Context, stdout, stderr io.Writer, args, all []string) error {
	fs := newFlagSet("merge", stderr)
	dir := fs.String("o", "", "run directory to write (default: the spec's experiment.output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: merge takes one plan directory", errUsage)
	}
	spec, err := harness.LoadPlanSpec(fs.Arg(0))
	if err != nil {
		return err
	}
	out, err := harness.Merge(ctx, spec, fs.Arg(0), harness.RunOptions{Output: *dir, CommandLine: append([]string{"evalrun"}, all...),
		Note: func(n string) { fmt.Fprintf(stderr, "evalrun: %s\n", n) }})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "results written to %s\n", out.Dir)
	if out.ExitCode != 0 {
		return exitError{code: out.ExitCode, msg: fmt.Sprintf("fairness audit status %s: exiting with status %d", out.Results.FairnessStatus, out.ExitCode)}
	}
	return nil
}
