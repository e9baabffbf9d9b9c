import { describe, expect, it } from 'vitest';

import { jobSpecs } from './schedule-jobs.js';

const options = {
  project: 'acme-sales',
  location: 'asia-east2',
  url: 'https://api-abc.a.run.app/',
  serviceAccount: 'scheduler@acme-sales.iam.gserviceaccount.com',
  timeZone: 'Asia/Shanghai',
  distributionTime: '08:30',
  qcSampleTime: '22:00',
};

describe('jobSpecs', () => {
  it('describes the four jobs, each calling its own job route', () => {
    const uris = jobSpecs(options).map((job) => job.httpTarget?.uri);

    expect(uris).toEqual([
      'https://api-abc.a.run.app/v1/jobs/reclaim',
      'https://api-abc.a.run.app/v1/jobs/distribute',
      'https://api-abc.a.run.app/v1/jobs/qc-sample',
      'https://api-abc.a.run.app/v1/jobs/sheet-sync',
    ]);
  });

  it('signs every call with an OIDC token whose audience is the function URL', () => {
    for (const job of jobSpecs(options)) {
      expect(job.httpTarget?.oidcToken).toEqual({
        serviceAccountEmail: 'scheduler@acme-sales.iam.gserviceaccount.com',
        audience: 'https://api-abc.a.run.app',
      });
    }
  });

  it('runs the distribution at the team’s morning time, in its time zone', () => {
    const distribute = jobSpecs({ ...options, distributionTime: '07:05' })[1];

    expect(distribute?.schedule).toBe('5 7 * * *');
    expect(distribute?.timeZone).toBe('Asia/Shanghai');
  });

  it('names jobs in the project and region so a rerun updates rather than duplicates', () => {
    expect(jobSpecs(options)[0]?.name).toBe(
      'projects/acme-sales/locations/asia-east2/jobs/leadpool-reclaim',
    );
  });
});
