import { systemActor } from '../app/actor.js';
import { teamDay } from '../domain/time.js';
import type { JobName, JobRun, JobTrigger } from '../store/port.js';
import { distributeMorning } from './distribute.js';
import { isStale, recordRun, type JobDeps } from './ledger.js';
import { sampleVisits } from './qc-sample.js';
import { reclaimOverdue } from './reclaim.js';

export type RunnableJob = Extract<JobName, 'reclaim' | 'distribute' | 'qc-sample'>;

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
export async function runJob(deps: JobDeps, request: JobRequest): Promise<JobAnswer> {
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
    }
  });

  return { run, fresh: true };
}
