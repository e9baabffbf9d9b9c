import { systemActor } from '../app/actor.js';
import { teamDay } from '../domain/time.js';
import type { SheetsOptions } from '../sheets/sheets-api.js';
import { syncSheet } from '../sheets/sync.js';
import type { JobName, JobRun, JobTrigger } from '../store/port.js';
import { distributeMorning } from './distribute.js';
import { isStale, recordRun, type JobDeps } from './ledger.js';
import { sampleVisits } from './qc-sample.js';
import { reclaimOverdue } from './reclaim.js';

export type RunnableJob = Extract<JobName, 'reclaim' | 'distribute' | 'qc-sample' | 'sheet-sync'>;

/** The sheet sync's connection; Application Default Credentials when left out. */
export type RunDeps = JobDeps & { sheets?: SheetsOptions };

export type JobRequest = {
  job: RunnableJob;
  trigger: JobTrigger;
  triggeredBy: string;
  /** Cloud Scheduler's X-CloudScheduler-ScheduleTime: retries of one firing share it. */
  scheduleTime: string | null;
  now: Date;
};

export type JobAnswer = { run: JobRun; fresh: boolean };

/** Still working, as far as anyone can tell; a run killed half-way is not. */
function live(run: JobRun, now: Date): boolean {
  return run.status === 'running' && !isStale(run, now);
}

/**
 * Runs a job unless it already ran for this firing (a scheduler retry) or, for the daily
 * jobs (distribution, QC sampling), already finished for this team day. Those cases answer
 * the earlier run.
 */
export async function runJob(deps: RunDeps, request: JobRequest): Promise<JobAnswer> {
  const { job, scheduleTime, now } = request;
  if (scheduleTime !== null) {
    const earlier = await deps.store.findJobRuns({ job, scheduleTime });
    const answered = earlier.find((run) => run.status === 'done' || live(run, now));
    if (answered) return { run: answered, fresh: false };
  }

  const policy = await deps.store.getPolicy();
  const daily = job === 'distribute' || job === 'qc-sample';
  const day = daily ? teamDay(now, policy.timeZone) : null;
  if (day !== null) {
    // Finished today, or running now (an admin and the scheduler at once): answer that run.
    const today = await deps.store.findJobRuns({ job, day });
    const answered = today.find((run) => run.status === 'done' || live(run, now));
    if (answered) return { run: answered, fresh: false };
  }

  const run = await recordRun(deps, { ...request, day }, async (runId) => {
    const actor = systemActor(`job:${job}`, runId, now);
    switch (job) {
      case 'reclaim':
        return { ...(await reclaimOverdue(deps, now, actor)) };
      case 'distribute':
        return { ...(await distributeMorning(deps, now, actor)) };
      case 'qc-sample':
        return { ...(await sampleVisits(deps, now, actor)) };
      case 'sheet-sync':
        return { ...(await syncSheet(deps, now)) };
    }
  });

  if (job === 'reclaim' || job === 'distribute') await syncAfter(deps, request, run);

  return { run, fresh: true };
}

/**
 * Shows what reclaim or distribution moved without waiting for the next scheduled sync.
 * Best-effort: the follow-up is a run of its own in the ledger, and its failure never
 * fails the job it follows.
 */
async function syncAfter(deps: RunDeps, request: JobRequest, after: JobRun): Promise<void> {
  // On the clock of the run it follows, from where that run ended.
  const now = after.endedAt ? new Date(after.endedAt) : request.now;
  try {
    const { spreadsheetId } = await deps.store.getPolicy();
    if (spreadsheetId === null) return;

    const start = {
      job: 'sheet-sync',
      trigger: request.trigger,
      triggeredBy: `job:${request.job}`,
      scheduleTime: null,
      day: null,
      now,
    } as const;
    await recordRun(deps, start, () => syncSheet(deps, now));
  } catch (error) {
    deps.log('ERROR', 'sheet sync after a job failed', {
      job: request.job,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}
