import { parseArgs } from 'node:util';

import { jobSpecs, type ScheduleOptions } from './schedule-jobs.js';

const USAGE = `Creates or updates the Cloud Scheduler jobs that run Lead Pool unattended.

npm run schedule:install -- --project P --url https://… --service-account SA [options]

  --project           Google Cloud project id (or GOOGLE_CLOUD_PROJECT)
  --location          Cloud Scheduler region (default us-central1)
  --url               the deployed function's URL; also the OIDC token audience
  --service-account   the scheduler's service account email
  --time-zone         the team's time zone (default Asia/Shanghai)
  --distribution-time HH:MM of the morning distribution (default 08:30)
  --qc-sample-time    HH:MM of the nightly QC sample (default 22:00)
  --dry-run           print the jobs and change nothing`;

function readOptions(): { options: ScheduleOptions; dryRun: boolean } {
  const { values } = parseArgs({
    options: {
      project: { type: 'string', default: process.env.GOOGLE_CLOUD_PROJECT },
      location: { type: 'string', default: 'us-central1' },
      url: { type: 'string' },
      'service-account': { type: 'string' },
      'time-zone': { type: 'string', default: 'Asia/Shanghai' },
      'distribution-time': { type: 'string', default: '08:30' },
      'qc-sample-time': { type: 'string', default: '22:00' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }

  const dryRun = values['dry-run'];
  // A dry run shows the shape of the jobs even before the deployment exists.
  const options: ScheduleOptions = {
    project: values.project ?? (dryRun ? 'PROJECT' : ''),
    location: values.location,
    url: values.url ?? (dryRun ? 'https://REGION-PROJECT.cloudfunctions.net/api' : ''),
    serviceAccount: values['service-account'] ?? (dryRun ? 'SCHEDULER_SA' : ''),
    timeZone: values['time-zone'],
    distributionTime: values['distribution-time'],
    qcSampleTime: values['qc-sample-time'],
  };
  const missing = Object.entries(options).filter(([, value]) => value === '');
  if (missing.length > 0) {
    console.error(`Missing: ${missing.map(([name]) => name).join(', ')}\n\n${USAGE}`);
    process.exit(2);
  }

  for (const time of [options.distributionTime, options.qcSampleTime]) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) {
      console.error(`Times of day are HH:MM, not ${time}`);
      process.exit(2);
    }
  }

  return { options, dryRun };
}

async function install(options: ScheduleOptions): Promise<void> {
  const { CloudSchedulerClient } = await import('@google-cloud/scheduler');
  const client = new CloudSchedulerClient();
  const parent = `projects/${options.project}/locations/${options.location}`;

  for (const job of jobSpecs(options)) {
    try {
      await client.getJob({ name: job.name });
      await client.updateJob({ job });
      console.log(JSON.stringify({ severity: 'NOTICE', message: 'updated', job: job.name }));
    } catch (error) {
      // gRPC NOT_FOUND: the job does not exist yet.
      if ((error as { code?: number }).code !== 5) throw error;

      await client.createJob({ parent, job });
      console.log(JSON.stringify({ severity: 'NOTICE', message: 'created', job: job.name }));
    }
  }

  await client.close();
}

const { options, dryRun } = readOptions();
if (dryRun) {
  const printable = jobSpecs(options).map((job) => ({
    ...job,
    httpTarget: { ...job.httpTarget, body: '{}' },
  }));
  console.log(JSON.stringify(printable, null, 2));
} else {
  await install(options);
}
