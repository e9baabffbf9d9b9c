import type { Member } from '../domain/member.js';

/** Who is acting, on whose relay, for which request, and what time it is for them. */
export type Actor = {
  member: Member;
  /** The admin identity that relayed an edit made by `member` in the sheet. */
  relayedBy: string | null;
  requestId: string | null;
  now: Date;
};
