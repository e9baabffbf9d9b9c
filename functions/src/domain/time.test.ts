import { describe, expect, it } from 'vitest';

import { nextDay, startOfTeamDay, teamDay, teamTime } from './time.js';

describe('team days', () => {
  it.each([
    ['Asia/Shanghai', '2026-03-02', '2026-03-01T16:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29', '2026-03-28T23:00:00.000Z'],
    ['Europe/Berlin', '2026-03-30', '2026-03-29T22:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z'],
    ['UTC', '2026-12-31', '2026-12-31T00:00:00.000Z'],
  ])('starts %s day %s at %s', (zone, day, start) => {
    expect(startOfTeamDay(day, zone).toISOString()).toBe(start);
  });

  it('puts the last millisecond before the start on the previous day', () => {
    const start = startOfTeamDay('2026-03-02', 'Asia/Shanghai');

    expect(teamDay(start, 'Asia/Shanghai')).toBe('2026-03-02');
    expect(teamDay(new Date(start.getTime() - 1), 'Asia/Shanghai')).toBe('2026-03-01');
  });

  it('counts the next day across month and year ends', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('reads the wall clock in the team time zone', () => {
    expect(teamTime(new Date('2026-03-02T00:30:00Z'), 'Asia/Shanghai')).toBe('08:30');
  });
});
