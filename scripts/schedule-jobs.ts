import type { protos } from '@google-cloud/scheduler';

type Job = protos.google.cloud.scheduler.v1.IJob;

export type ScheduleOptions = {
  project: string;
  location: string;
  /** The deployed function's URL; also the audience of the scheduler's OIDC tokens. */
  url: string;
  serviceAccount: string;
  timeZone: string;
  /** HH:MM in the team's time zone. */
  distributionTime: string;
  /** HH:MM in the team's time zone. */
  qcSampleTime: string;
};

type Cadence = { job: string; schedule: string; description: string; retries: number };

/**
 * Reclaim and sheet sync run often, so a failed run is soon followed by the next one; the
 * daily jobs retry harder because nothing else runs them that day. Every job is safe to
 * retry: the server answers a repeated schedule time with the earlier run.
 */
function cronAt(time: string): string {
  const [hour, minute] = time.split(':').map(Number);

  return `${minute} ${hour} * * *`;
}

function cadences(options: ScheduleOptions): Cadence[] {
  return [
    {
      job: 'reclaim',
      schedule: '*/10 * * * *',
      description: 'Reclaim and reassign overdue leads',
      retries: 1,
    },
    {
      job: 'distribute',
      schedule: cronAt(options.distributionTime),
      description: 'Top every rep up to the day’s allocation',
      retries: 5,
    },
    {
      job: 'qc-sample',
      schedule: cronAt(options.qcSampleTime),
      description: 'Sample the day’s visits for quality control',
      retries: 5,
    },
    {
      job: 'sheet-sync',
      schedule: '*/15 * * * *',
      description: 'Write the store back to the shared sheet',
      retries: 1,
    },
  ];
}

export function jobName(options: ScheduleOptions, job: string): string {
  return `projects/${options.project}/locations/${options.location}/jobs/leadpool-${job}`;
}

/** The Cloud Scheduler jobs of a deployment, exactly as they are created or updated. */
export function jobSpecs(options: ScheduleOptions): Job[] {
  const base = options.url.replace(/\/+$/, '');

  return cadences(options).map((cadence) => ({
    name: jobName(options, cadence.job),
    description: cadence.description,
    schedule: cadence.schedule,
    timeZone: options.timeZone,
    attemptDeadline: { seconds: 540 },
    retryConfig: {
      retryCount: cadence.retries,
      minBackoffDuration: { seconds: 30 },
      maxBackoffDuration: { seconds: 600 },
      maxDoublings: 3,
    },
    httpTarget: {
      uri: `${base}/v1/jobs/${cadence.job}`,
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{}'),
      oidcToken: { serviceAccountEmail: options.serviceAccount, audience: base },
    },
  }));
}
