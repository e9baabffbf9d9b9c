/**
 * The judge of a chaos run. It replays the event history in commit order from the state the
 * run was seeded with, checks the rules at every step, and at the end compares what the
 * replay adds up to with what the store holds. A lost update shows as an event decided from
 * a state the lead no longer had.
 */
import type { StoredEvent } from '../../functions/src/domain/events.js';
import { LeadSchema, stateOf, type Lead, type LeadState } from '../../functions/src/domain/lead.js';
import { capacityOf, type Member } from '../../functions/src/domain/member.js';
import { teamDay } from '../../functions/src/domain/time.js';
import type { SeedState } from './team.js';

const HOUR_MS = 3_600_000;

const LeadStateSchema = LeadSchema.pick({
  status: true,
  ownerEmail: true,
  stage: true,
  followUpDueAt: true,
  dealDueAt: true,
  closeReason: true,
});

const FIELDS = Object.keys(LeadStateSchema.shape) as (keyof LeadState)[];

/** Changes of owner: each drops the lead's cooldowns that its writer's clock says are over. */
const OWNER_CHANGES: ReadonlySet<string> = new Set([
  'lead.claimed',
  'lead.released',
  'lead.assigned',
  'lead.reclaimed',
  'lead.distributed',
]);

export type Verdict = {
  events: number;
  /**
   * Events by type; `swaps`, leads released to make room for a claim; and `lateStamps`,
   * transactions stamped earlier than one committed before them.
   */
  counts: Record<string, number>;
  /** Rules broken at some step of the history. */
  steps: string[];
  /** Differences between the replayed end state and the stored one. */
  end: string[];
};

function sameState(a: LeadState, b: LeadState): boolean {
  return FIELDS.every((field) => a[field] === b[field]);
}

/** A lead's cooldowns as member → end in milliseconds. */
function cooldownEnds(cooldowns: Record<string, string>): [string, number][] {
  return Object.entries(cooldowns).map(([email, until]) => [email, Date.parse(until)]);
}

function show(state: LeadState): string {
  return `${state.status}/${state.ownerEmail ?? '-'}/${state.stage}`;
}

class Replay {
  readonly steps: string[] = [];
  readonly counts: Record<string, number> = {};
  /** The latest time any event was stamped with. */
  latest = 0;
  private readonly leads = new Map<string, LeadState>();
  /** Lead → member → when their cooldown for it ends (ms). */
  private readonly cooldowns = new Map<string, Map<string, number>>();
  private readonly capacity = new Map<string, number>();
  private readonly active = new Set<string>();
  private readonly owned = new Map<string, number>();
  /** Rep → the team day their claims count toward and how many they made on it. */
  private readonly claims = new Map<string, { day: string; count: number }>();
  private readonly cooldownMs: number;
  private readonly timeZone: string;
  private readonly dailyClaimLimit: number;

  constructor(seed: SeedState) {
    this.cooldownMs = seed.policy.cooldownHours * HOUR_MS;
    this.timeZone = seed.policy.timeZone;
    this.dailyClaimLimit = seed.policy.dailyClaimLimit;
    for (const member of seed.members) {
      if (member.role !== 'rep') continue;

      this.capacity.set(member.email, capacityOf(member, seed.policy));
      if (member.active) this.active.add(member.email);
    }

    for (const lead of seed.leads) {
      this.leads.set(lead.id, stateOf(lead));
      this.cooldowns.set(lead.id, new Map(cooldownEnds(lead.cooldowns)));
      if (lead.status === 'owned') this.count(lead.ownerEmail!, 1);
    }
  }

  apply(event: StoredEvent, index: number): void {
    this.tally(event);
    if (!event.type.startsWith('lead.') || event.leadId === null) return;

    const flag = (problem: string): void => {
      this.steps.push(`#${index} ${event.type} of ${event.leadId} at ${event.at}: ${problem}`);
    };
    const after = LeadStateSchema.safeParse(event.after);
    if (!after.success) return flag('the event carries no lead state after it');

    // Each change must have been decided from the state the lead was left in by the change
    // committed before it; anything else is a lost update.
    const current = this.leads.get(event.leadId) ?? null;
    if (event.type === 'lead.created') {
      if (current) flag('the lead was created twice');
    } else {
      const before = LeadStateSchema.safeParse(event.before);
      if (!current) return flag('no earlier event or seed made this lead');
      if (!before.success) return flag('the event carries no lead state before it');
      if (!sameState(before.data, current)) {
        flag(`decided from ${show(before.data)}, but the lead was ${show(current)}`);
      }
    }

    const at = Date.parse(event.at);
    this.checkRules(event, current, after.data, at, flag);
    this.moveCooldowns(event, current, after.data, at);
    this.move(event.leadId, current, after.data, flag);
  }

  private tally(event: StoredEvent): void {
    const count = (key: string) => (this.counts[key] = (this.counts[key] ?? 0) + 1);
    count(event.type);
    if (event.type === 'lead.released' && event.data?.reason === 'swap') count('swaps');

    // The first event of a transaction stamped before one that committed earlier: proof that
    // the run's requests overlapped, and what the cooldown check must allow for.
    const at = Date.parse(event.at);
    if (event.seq === 0 && at < this.latest) count('lateStamps');
    this.latest = Math.max(this.latest, at);
  }

  /** The rules a change must have kept, judged at the time the change was stamped with. */
  private checkRules(
    event: StoredEvent,
    current: LeadState | null,
    after: LeadState,
    at: number,
    flag: (problem: string) => void,
  ): void {
    const receiver = after.status === 'owned' ? after.ownerEmail : null;
    const newOwner = receiver !== null && receiver !== current?.ownerEmail ? receiver : null;
    if (newOwner !== null && !this.active.has(newOwner)) {
      flag(`given to ${newOwner}, who is not an active rep`);
    }

    const cooling = (email: string | null) => {
      const until = email ? this.cooldowns.get(event.leadId!)?.get(email) : undefined;
      if (until !== undefined && until > at) {
        flag(`${email} got it in a cooldown running until ${new Date(until).toISOString()}`);
      }
    };

    switch (event.type) {
      case 'lead.claimed':
        if (current?.status !== 'pool') flag(`claimed while ${current?.status}`);
        cooling(receiver);
        if (receiver !== null) this.countClaim(receiver, at, flag);
        break;
      case 'lead.distributed':
        if (current?.status !== 'pool') flag(`dealt while ${current?.status}`);
        cooling(receiver);
        break;
      case 'lead.reclaimed': {
        if (current?.status !== 'owned') flag(`reclaimed while ${current?.status}`);
        const dues = [current?.followUpDueAt, current?.dealDueAt].flatMap((due) => due ?? []);
        if (!dues.some((due) => Date.parse(due) <= at)) flag('reclaimed before it was due');
        if (receiver !== null && receiver === current?.ownerEmail) {
          flag(`handed back to ${receiver}, who had just lost it`);
        }
        cooling(receiver);
        break;
      }
    }
  }

  /**
   * A claim counts toward its team day, or toward a later one a claim committed before it
   * was already counted on: near midnight a request stamped on the old day can commit after
   * one stamped on the new day, and it must not wind the count back.
   */
  private countClaim(rep: string, at: number, flag: (problem: string) => void): void {
    const stamped = teamDay(new Date(at), this.timeZone);
    const last = this.claims.get(rep);
    const day = last && last.day > stamped ? last.day : stamped;
    const count = last?.day === day ? last.count + 1 : 1;
    this.claims.set(rep, { day, count });

    if (count > this.dailyClaimLimit) {
      flag(`${rep} made claim ${count} on ${day}, over a daily limit of ${this.dailyClaimLimit}`);
    }
  }

  /**
   * Whoever loses a lead starts a cooldown for it. A cooldown ends at its time, or as soon as
   * a later change of the lead's owner was stamped at or after that time: requests are
   * stamped before they wait for the write lock and a job stamps every transaction with the
   * time it started, so one stamped earlier may commit later. The writer whose clock said the
   * cooldown was over has dropped it for good, and a request behind it cannot see it again.
   */
  private moveCooldowns(
    event: StoredEvent,
    current: LeadState | null,
    after: LeadState,
    at: number,
  ): void {
    if (!OWNER_CHANGES.has(event.type)) return;

    const cooldowns = this.cooldowns.get(event.leadId!) ?? new Map<string, number>();
    for (const [email, until] of cooldowns) if (until <= at) cooldowns.delete(email);
    const kept = after.status === 'owned' && after.ownerEmail === current?.ownerEmail;
    if (current?.status === 'owned' && !kept) {
      cooldowns.set(current.ownerEmail!, at + this.cooldownMs);
    }
    this.cooldowns.set(event.leadId!, cooldowns);
  }

  private move(
    id: string,
    current: LeadState | null,
    after: LeadState,
    flag: (problem: string) => void,
  ): void {
    if (after.status === 'pool' && after.ownerEmail !== null) flag('in the pool with an owner');
    if (after.status === 'owned' && after.ownerEmail === null) flag('owned by nobody');

    this.leads.set(id, after);
    if (current?.status === 'owned') this.count(current.ownerEmail!, -1);
    if (after.status !== 'owned' || after.ownerEmail === null) return;

    const owned = this.count(after.ownerEmail, 1);
    const capacity = this.capacity.get(after.ownerEmail);
    if (capacity === undefined) return flag(`owned by ${after.ownerEmail}, who is not a rep`);

    if (owned > capacity) {
      flag(`${after.ownerEmail} owns ${owned}, over a capacity of ${capacity}`);
    }
  }

  private count(email: string, by: number): number {
    const owned = (this.owned.get(email) ?? 0) + by;
    this.owned.set(email, owned);

    return owned;
  }

  /** Where the replay and the store disagree at the end. */
  compare(leads: readonly Lead[], members: readonly Member[]): string[] {
    return [
      ...this.compareLeads(leads),
      ...this.compareCounts(leads, members),
      ...this.compareClaims(members),
      ...this.compareCooldowns(leads),
    ];
  }

  /** Each rep's stored claim counter must be where the claims in the history leave it. */
  private compareClaims(members: readonly Member[]): string[] {
    return members.flatMap(({ email, claimsDay, claimsOnDay }) => {
      const replayed = this.claims.get(email) ?? { day: null, count: 0 };
      if (claimsDay === replayed.day && claimsOnDay === replayed.count) return [];

      return [
        `${email}: claims ${claimsOnDay} on ${claimsDay}, replayed ${replayed.count} on ` +
          `${replayed.day}`,
      ];
    });
  }

  private compareLeads(leads: readonly Lead[]): string[] {
    const stored = new Map(leads.map((lead) => [lead.id, lead]));
    const differences: string[] = [];
    for (const [id, replayed] of this.leads) {
      const lead = stored.get(id);
      if (!lead) {
        differences.push(`${id}: in the history, not in the store`);
      } else if (!sameState(replayed, stateOf(lead))) {
        differences.push(`${id}: replayed ${show(replayed)}, stored ${show(stateOf(lead))}`);
      }
    }

    const unexplained = [...stored.keys()].filter((id) => !this.leads.has(id));
    return [...differences, ...unexplained.map((id) => `${id}: stored, with no history`)];
  }

  /** Each member's stored count, the leads they own, and the replay's count must agree. */
  private compareCounts(leads: readonly Lead[], members: readonly Member[]): string[] {
    const recounted = new Map<string, number>();
    for (const { status, ownerEmail } of leads) {
      if (status === 'owned') recounted.set(ownerEmail!, (recounted.get(ownerEmail!) ?? 0) + 1);
    }

    return members.flatMap(({ email, ownedCount }) => {
      const owns = recounted.get(email) ?? 0;
      const replayed = this.owned.get(email) ?? 0;
      if (ownedCount === owns && replayed === owns) return [];

      return [`${email}: ownedCount ${ownedCount}, owns ${owns}, replayed ${replayed}`];
    });
  }

  /** Cooldowns still running after the last event: the store must hold exactly these. */
  private compareCooldowns(leads: readonly Lead[]): string[] {
    const running = (entries: Iterable<[string, number]>) =>
      [...entries]
        .filter(([, until]) => until > this.latest)
        .map(([email, until]) => `${email} until ${new Date(until).toISOString()}`)
        .sort()
        .join(', ');

    return leads.flatMap((lead) => {
      const stored = running(cooldownEnds(lead.cooldowns));
      const replayed = running(this.cooldowns.get(lead.id) ?? []);

      return stored === replayed
        ? []
        : [`${lead.id}: cooldowns [${stored}], replayed [${replayed}]`];
    });
  }
}

/** Replays `events`, in commit order, from `seed` and checks them against `stored`. */
export function checkHistory(
  seed: SeedState,
  events: readonly StoredEvent[],
  stored: { leads: readonly Lead[]; members: readonly Member[] },
): Verdict {
  const replay = new Replay(seed);
  events.forEach((event, index) => replay.apply(event, index));

  return {
    events: events.length,
    counts: replay.counts,
    steps: replay.steps,
    end: replay.compare(stored.leads, stored.members),
  };
}
