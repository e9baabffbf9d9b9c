import { describe, expect, it } from 'vitest';

import { DEFAULT_POLICY } from '../domain/policy.js';
import { DEFAULT_LOCAL_SCHEDULE, dueJobs } from './local-scheduler.js';

// 00:00 UTC is 08:00 in Asia/Shanghai; the default distribution time is 08:30.
const at = (iso: string) => new Date(iso);

describe('dueJobs', () => {
  it('reclaims on the first tick', () => {
    const due = dueJobs(at('2026-03-02T00:00:00Z'), DEFAULT_POLICY, null, DEFAULT_LOCAL_SCHEDULE);

    expect(due).toEqual(['reclaim']);
  });

  it('waits for the reclaim interval to pass since the last reclaim', () => {
    const last = at('2026-03-02T00:00:00Z');

    expect(
      dueJobs(at('2026-03-02T00:04:59Z'), DEFAULT_POLICY, last, DEFAULT_LOCAL_SCHEDULE),
    ).toEqual([]);
    expect(
      dueJobs(at('2026-03-02T00:05:00Z'), DEFAULT_POLICY, last, DEFAULT_LOCAL_SCHEDULE),
    ).toEqual(['reclaim']);
  });

  it('asks for the distribution from the team’s morning time on, in its time zone', () => {
    const last = at('2026-03-02T00:29:00Z');

    expect(
      dueJobs(at('2026-03-02T00:29:59Z'), DEFAULT_POLICY, last, DEFAULT_LOCAL_SCHEDULE),
    ).not.toContain('distribute');
    expect(
      dueJobs(at('2026-03-02T00:30:00Z'), DEFAULT_POLICY, last, DEFAULT_LOCAL_SCHEDULE),
    ).toContain('distribute');
  });

  it('follows a team in another time zone', () => {
    const policy = { ...DEFAULT_POLICY, timeZone: 'Europe/Berlin', distributionTime: '09:00' };
    const last = at('2026-07-01T06:59:00Z');

    // 07:00 UTC is 09:00 in Berlin in summer.
    expect(dueJobs(at('2026-07-01T06:59:00Z'), policy, last, DEFAULT_LOCAL_SCHEDULE)).toEqual([]);
    expect(dueJobs(at('2026-07-01T07:00:00Z'), policy, last, DEFAULT_LOCAL_SCHEDULE)).toEqual([
      'distribute',
    ]);
  });
});
