import type { Member } from '../domain/member.js';

/** Who is acting, on whose relay, for which request, and what time it is for them. */
export type Actor = {
  member: Member;
  /** The admin identity that relayed an edit made by `member` in the sheet. */
  relayedBy: string | null;
  requestId: string | null;
  now: Date;
};

/**
 * The actor of work nobody asked for in person: a scheduled job or the server itself. Only
 * the email is ever read from its member; it names the job in every event it writes.
 */
export function systemActor(name: string, requestId: string | null, now: Date): Actor {
  const at = now.toISOString();
  const member: Member = {
    email: name,
    name,
    role: 'manager',
    group: '',
    capacity: 0,
    active: false,
    ownedCount: 0,
    claimsDay: null,
    claimsOnDay: 0,
    lastAssignedAt: null,
    fabricatedVisits: 0,
    createdAt: at,
    updatedAt: at,
  };

  return { member, relayedBy: null, requestId, now };
}
