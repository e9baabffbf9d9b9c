import type { Logger } from '../log.js';
import type { JobName, JobRun, JobTrigger, Store } from '../store/port.js';

export type JobDeps = {
  store: Store;
  newId: () => string;
  log: Logger;
  /** Names the team in the QC sample's seed; one deployment serves one team. */
  team?: string;
};

export type JobStart = {
  job: JobName;
  trigger: JobTrigger;
  triggeredBy: string;
  scheduleTime: string | null;
  day: string | null;
  now: Date;
};

/**
 * A run left 'running' this long ago was killed: the function's timeout (540 s, the longest
 * a scheduler attempt waits) ends any real run well before.
 */
const INTERRUPTED_AFTER_MS = 10 * 60_000;

/** A run that still says 'running' but cannot be: it was killed half-way. */
export function isStale(run: JobRun, now: Date): boolean {
  return (
    run.status === 'running' &&
    now.getTime() - new Date(run.startedAt).getTime() >= INTERRUPTED_AFTER_MS
  );
}

/**
 * Runs `work` as one recorded run of `job`. The ledger entry is written before the work
 * starts, so a run killed half-way is still visible; the next run of the job marks it
 * interrupted, and, because every job is deadline-based, simply finishes its work.
 */
export async function recordRun(
  deps: JobDeps,
  start: JobStart,
  work: (runId: string) => Promise<Record<string, number>>,
): Promise<JobRun> {
  await markInterrupted(deps, start.job, start.now);

  const run: JobRun = {
    id: deps.newId(),
    job: start.job,
    trigger: start.trigger,
    triggeredBy: start.triggeredBy,
    scheduleTime: start.scheduleTime,
    day: start.day,
    status: 'running',
    startedAt: start.now.toISOString(),
    endedAt: null,
    counts: {},
    error: null,
  };
  await deps.store.saveJobRun(run);
  deps.log('INFO', 'job started', { job: run.job, runId: run.id, trigger: run.trigger });

  // The run's clock is the one it was started with (a test may set it); only the elapsed
  // time is real.
  const started = Date.now();
  const endedAt = () => new Date(start.now.getTime() + Date.now() - started).toISOString();

  try {
    const counts = await work(run.id);
    const done: JobRun = { ...run, status: 'done', endedAt: endedAt(), counts };
    await deps.store.saveJobRun(done);
    deps.log('INFO', 'job finished', { job: run.job, runId: run.id, counts });
    return done;
  } catch (error) {
    const failed: JobRun = {
      ...run,
      status: 'failed',
      endedAt: endedAt(),
      error: error instanceof Error ? error.message : String(error),
    };
    await deps.store.saveJobRun(failed);
    deps.log('ERROR', 'job failed', {
      job: run.job,
      runId: run.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return failed;
  }
}

async function markInterrupted(deps: JobDeps, job: JobName, now: Date): Promise<void> {
  const running = await deps.store.findJobRuns({ job, status: 'running' });
  for (const run of running) {
    if (!isStale(run, now)) continue;

    await deps.store.saveJobRun({ ...run, status: 'interrupted', endedAt: now.toISOString() });
  }
}
