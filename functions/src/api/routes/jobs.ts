import * as z from 'zod';

import { runJob, type RunnableJob } from '../../jobs/run.js';
import { ApiError } from '../errors.js';
import { parseBody, parseQuery } from '../request.js';
import type { MemberRoute, RouteContext } from '../router.js';

const RunsQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();

const ScheduleTimeSchema = z.iso.datetime({ offset: true }).optional();

function jobRoute(job: RunnableJob): MemberRoute {
  return {
    method: 'POST',
    path: `/v1/jobs/${job}`,
    roles: ['admin', 'scheduler'],
    handle: async (context: RouteContext) => {
      parseBody(context.request, z.object({}).strict());
      const header = context.request.headers['x-cloudscheduler-scheduletime'];
      const scheduleTime = ScheduleTimeSchema.safeParse(header);

      const { run, fresh } = await runJob(context.deps, {
        job,
        trigger: context.scheduler ? 'scheduler' : 'admin',
        triggeredBy: context.actor.member.email,
        // A malformed header cannot dedupe anything; the run goes ahead without it.
        scheduleTime: scheduleTime.success ? (scheduleTime.data ?? null) : null,
        now: context.actor.now,
      });

      // A run still going elsewhere is not an answer yet: a retry must come back later, and
      // if that run was killed it will be stale by then and run again.
      if (!fresh && run.status === 'running') {
        throw new ApiError('JOB_RUNNING', 'This job is already running', { runId: run.id });
      }

      // A failed run answers 500 so Cloud Scheduler retries it; the ledger holds the error.
      const headers: Record<string, string> = fresh ? {} : { 'Idempotent-Replayed': 'true' };
      return { status: run.status === 'failed' ? 500 : 200, body: run, headers };
    },
  };
}

export const jobRoutes: MemberRoute[] = [
  jobRoute('reclaim'),
  jobRoute('distribute'),
  jobRoute('qc-sample'),
  jobRoute('sheet-sync'),
  {
    method: 'GET',
    path: '/v1/jobs/runs',
    roles: ['manager', 'admin'],
    handle: async ({ request, deps }) => {
      const { limit } = parseQuery(request, RunsQuerySchema);

      return {
        status: 200,
        body: { items: await deps.store.listJobRuns(limit), nextCursor: null },
      };
    },
  },
];
