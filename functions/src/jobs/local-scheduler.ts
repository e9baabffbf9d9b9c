import { teamTime } from '../domain/time.js';
import type { Policy } from '../domain/policy.js';
import type { JobDeps } from './ledger.js';
import { runJob, type RunnableJob } from './run.js';

export type LocalSchedule = {
  /** How often overdue leads are reclaimed. */
  reclaimEveryMs: number;
  /** How often the schedule is looked at. */
  tickMs: number;
};

export const DEFAULT_LOCAL_SCHEDULE: LocalSchedule = { reclaimEveryMs: 5 * 60_000, tickMs: 60_000 };

/**
 * Which jobs are due at `now`: reclaim when the last one is old enough, distribution once
 * the team's morning time has come, the QC sample once its evening time has. The daily jobs
 * run once per team day and answer the earlier run after that, so asking every tick after
 * their time is harmless.
 */
export function dueJobs(
  now: Date,
  policy: Policy,
  lastReclaimAt: Date | null,
  schedule: LocalSchedule,
): RunnableJob[] {
  const due: RunnableJob[] = [];
  if (!lastReclaimAt || now.getTime() - lastReclaimAt.getTime() >= schedule.reclaimEveryMs) {
    due.push('reclaim');
  }

  const time = teamTime(now, policy.timeZone);
  if (time >= policy.distributionTime) due.push('distribute');
  if (time >= policy.qcSampleTime) due.push('qc-sample');

  return due;
}

/**
 * Runs the scheduled jobs inside the local server, so a small team on the embedded store
 * needs no Cloud Scheduler. Ticks never overlap: a slow run delays the next tick.
 */
export function startLocalScheduler(
  deps: JobDeps,
  clock: () => Date,
  schedule: LocalSchedule = DEFAULT_LOCAL_SCHEDULE,
): { stop(): void } {
  let lastReclaimAt: Date | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const tick = async () => {
    try {
      const now = clock();
      const policy = await deps.store.getPolicy();
      for (const job of dueJobs(now, policy, lastReclaimAt, schedule)) {
        const { fresh } = await runJob(deps, {
          job,
          trigger: 'local',
          triggeredBy: 'local-scheduler',
          scheduleTime: null,
          now,
        });
        if (job === 'reclaim' && fresh) lastReclaimAt = now;
      }
    } catch (error) {
      deps.log('ERROR', 'local scheduler tick failed', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }

    if (!stopped) timer = setTimeout(tick, schedule.tickMs);
  };

  timer = setTimeout(tick, 0);

  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
