/**
 * What a chaos worker does: every command a member can send and every job the scheduler
 * runs, with inputs picked the way a busy team picks them — mostly sensible, sometimes stale
 * or plain wrong — and each sent through the same code a request runs, in a real
 * transaction, with an Idempotency-Key.
 */
import { ApiError } from '../../functions/src/api/errors.js';
import { decided } from '../../functions/src/api/mutate.js';
import type { Actor } from '../../functions/src/app/actor.js';
import { execute, idempotencyClaim, type Reply } from '../../functions/src/app/execute.js';
import { moveStage, logVisit, type VisitTarget } from '../../functions/src/app/field.js';
import { randomId } from '../../functions/src/app/ids.js';
import {
  assignLead,
  claimLead,
  closeLead,
  createLead,
  followUpLead,
  releaseLead,
} from '../../functions/src/app/leads.js';
import {
  CLOSE_REASONS,
  FOLLOW_UP_CHANNELS,
  NewLeadSchema,
  STAGES,
  type Lead,
  type LeadStatus,
} from '../../functions/src/domain/lead.js';
import { capacityOf, type Member } from '../../functions/src/domain/member.js';
import type { Policy } from '../../functions/src/domain/policy.js';
import { addHours } from '../../functions/src/domain/time.js';
import { EFFECTIVE_MET, MET_ROLES, type VisitFields } from '../../functions/src/domain/visits.js';
import { runJob, type RunnableJob } from '../../functions/src/jobs/run.js';
import type { Logger } from '../../functions/src/log.js';
import type { Store, StoreTransaction } from '../../functions/src/store/port.js';
import type { Random } from './random.js';
import { SEEDED_COMPANY, POOL_LEADS } from './team.js';

/** How often each operation is drawn, against the others. */
export const WEIGHTS = {
  claim: 20,
  release: 7,
  assign: 6,
  'follow-up': 10,
  visit: 10,
  'cold-visit': 6,
  stage: 12,
  close: 4,
  create: 5,
  reclaim: 4,
  distribute: 2,
  'qc-sample': 1,
} as const;

export type OperationName = keyof typeof WEIGHTS;

/** An answer no rule gave: an exception, or a retry that was not answered as a replay. */
export const FAULT = 'fault';

/** How often a request is sent a second time with the same key, as after a lost answer. */
const RETRY_RATE = 0.05;

/** Claims pick among the pool's oldest leads, as the sheet lists them first. */
const POOL_WINDOW = 40;

const LIST_LIMIT = 200;

type Work = (tx: StoreTransaction) => Promise<Reply>;

type Answer = { outcome: string; status: number; replayed: boolean; thrown: boolean };

export class Operations {
  retries = 0;
  readonly faults: string[] = [];
  private readonly known: string[] = [];
  private readonly knownIds = new Set<string>();
  private readonly manager: Member;
  private readonly reps: Member[];
  private readonly inactive: Member[];

  private constructor(
    private readonly store: Store,
    private readonly random: Random,
    private readonly policy: Policy,
    members: Member[],
    private readonly worker: string,
  ) {
    this.manager = members.find((member) => member.role === 'manager')!;
    this.reps = members.filter((member) => member.role === 'rep' && member.active);
    this.inactive = members.filter((member) => member.role === 'rep' && !member.active);

    // The seeded pool, so that a lead can be named before any list has been read.
    for (let n = 0; n < POOL_LEADS; n++) this.learn([{ id: `S${String(n).padStart(3, '0')}` }]);
  }

  static async open(store: Store, random: Random, worker: string): Promise<Operations> {
    const [policy, members] = await Promise.all([store.getPolicy(), store.listMembers()]);

    return new Operations(store, random, policy, members, worker);
  }

  /** Records what no rule explains, with the worker and seed that met it. */
  fault(description: string): void {
    this.faults.push(`${this.worker} (seed ${this.random.seed}): ${description}`);
  }

  /** Runs one operation at `now`; answers 'committed', a refusal's code, or FAULT. */
  run(name: OperationName, now: Date): Promise<string> {
    switch (name) {
      case 'claim':
        return this.claim(now);
      case 'release':
        return this.release(now);
      case 'assign':
        return this.assign(now);
      case 'follow-up':
        return this.followUp(now);
      case 'visit':
        return this.visit(now);
      case 'cold-visit':
        return this.coldVisit(now);
      case 'stage':
        return this.stage(now);
      case 'close':
        return this.close(now);
      case 'create':
        return this.create(now);
      case 'reclaim':
      case 'distribute':
      case 'qc-sample':
        return this.job(name, now);
    }
  }

  private async claim(now: Date): Promise<string> {
    const rep = this.random.pick(this.reps);
    const [pool, own] = await Promise.all([
      this.store.listPool(POOL_WINDOW, null),
      this.store.listOwnedLeads(rep.email),
    ]);
    this.learn(pool.items);
    const leadId =
      pool.items.length > 0 && this.random.chance(0.85)
        ? this.random.pick(pool.items).id
        : this.anyLead();

    // A full rep swaps nearly always, anyone else now and then; a few name a lead of another.
    const full = own.length >= capacityOf(rep, this.policy);
    const swap =
      own.length > 0 && this.random.chance(full ? 0.9 : 0.1)
        ? this.random.sample(own, this.random.int(1, 2)).map((lead) => lead.id)
        : [];
    if (this.random.chance(0.05)) swap.push(this.anyLead());
    const release = [...new Set(swap)].filter((id) => id !== leadId);

    const actor = this.actor(rep, now);
    return this.send(actor, `/v1/leads/${leadId}/claim`, { release }, async (tx) => {
      const policy = await tx.getPolicy();
      const decision = await claimLead(tx, actor, policy, leadId, release, randomId);

      return decided(decision, 200, (claimed) => claimed);
    });
  }

  private async release(now: Date): Promise<string> {
    const rep = this.random.pick(this.reps);
    const leadId = await this.ownLeadOrAny(rep, 0.9);
    const reason = this.random.pick(['not reachable', 'wrong industry', 'moved away']);

    const actor = this.actor(rep, now);
    return this.send(actor, `/v1/leads/${leadId}/release`, { reason }, async (tx) => {
      const policy = await tx.getPolicy();
      const decision = await releaseLead(tx, actor, policy, leadId, reason, randomId);

      return decided(decision, 200, (lead) => lead);
    });
  }

  private async assign(now: Date): Promise<string> {
    const leadId = await this.leadWithStatus(this.random.pick(['pool', 'owned'] as const));
    // Now and then the manager names the rep who has left, and is refused.
    const to = this.random.pick(this.random.chance(0.05) ? this.inactive : this.reps);

    const actor = this.actor(this.manager, now);
    const toEmail = to.email;
    return this.send(actor, `/v1/leads/${leadId}/assign`, { toEmail }, async (tx) => {
      const policy = await tx.getPolicy();
      const decision = await assignLead(tx, actor, policy, leadId, toEmail, randomId);

      return decided(decision, 200, (lead) => lead);
    });
  }

  private async followUp(now: Date): Promise<string> {
    const rep = this.random.pick(this.reps);
    const leadId = await this.ownLeadOrAny(rep, 0.9);
    const followUp = { channel: this.random.pick(FOLLOW_UP_CHANNELS), note: 'Called back' };

    const actor = this.actor(rep, now);
    return this.send(actor, `/v1/leads/${leadId}/follow-ups`, followUp, async (tx) => {
      const policy = await tx.getPolicy();
      const decision = await followUpLead(tx, actor, policy, leadId, followUp, randomId);

      return decided(decision, 201, (lead) => lead);
    });
  }

  /** A visit to a lead of the rep's own, now or logged up to four days late. */
  private async visit(now: Date): Promise<string> {
    const rep = this.random.pick(this.reps);
    const customers = this.random.chance(0.15) ? await this.customersOf(rep) : [];
    const leadId =
      customers.length > 0 ? this.random.pick(customers).id : await this.ownLeadOrAny(rep, 0.85);
    const late = this.random.chance(0.2) ? this.random.int(1, 96) : 0;

    return this.logVisit(rep, now, { leadId }, this.visitFields(addHours(now, -late)));
  }

  /** A prospect found floor by floor; some are already leads, and then the visit links. */
  private async coldVisit(now: Date): Promise<string> {
    const rep = this.random.pick(this.reps);
    const company = this.random.chance(0.2)
      ? `${SEEDED_COMPANY} ${this.random.int(0, POOL_LEADS + 40)}`
      : `Cold Prospect ${this.random.int(1, 300)}`;
    const phone = this.random.chance(0.5) ? this.phone('139', 500) : '';
    const prospect = { company, contactName: 'Zhang Min', title: 'Owner', phone, products: 'Film' };

    return this.logVisit(rep, now, { prospect }, this.visitFields(now));
  }

  private async logVisit(
    rep: Member,
    now: Date,
    target: VisitTarget,
    fields: VisitFields,
  ): Promise<string> {
    const actor = this.actor(rep, now);
    const body = { ...target, ...fields, at: fields.at.toISOString() };
    return this.send(actor, '/v1/visits', body, async (tx) => {
      const policy = await tx.getPolicy();
      const decision = await logVisit(tx, actor, policy, target, fields, randomId);

      return decided(decision, 201, (logged) => logged);
    });
  }

  /**
   * A rep moves one of their leads a stage on (and now and then tries to move it back); a
   * manager moves any owned lead or customer either way, so customers go back to being owned.
   */
  private async stage(now: Date): Promise<string> {
    const byManager = this.random.chance(0.3);
    const rep = this.random.pick(this.reps);
    const status: LeadStatus = this.random.chance(0.4) ? 'customer' : 'owned';
    const candidates = byManager
      ? (await this.store.listLeadsWithStatus(status, LIST_LIMIT, null)).items
      : await this.store.listOwnedLeads(rep.email);
    this.learn(candidates);
    const lead = candidates.length > 0 ? this.random.pick(candidates) : null;
    const leadId = lead?.id ?? this.anyLead();
    const from = STAGES.indexOf(lead?.stage ?? 'new');
    const back = this.random.chance(byManager ? 0.35 : 0.05);
    // Past either end of the pipeline the move names a stage the rule refuses.
    const stage = STAGES[back ? from - 1 : from + 1] ?? 'new';

    const actor = this.actor(byManager ? this.manager : rep, now);
    return this.send(actor, `/v1/leads/${leadId}/stage`, { stage }, async (tx) => {
      const policy = await tx.getPolicy();
      const decision = await moveStage(tx, actor, policy, leadId, stage, randomId);

      return decided(decision, 200, (moved) => moved);
    });
  }

  private async close(now: Date): Promise<string> {
    const byManager = this.random.chance(0.4);
    const rep = this.random.pick(this.reps);
    const leadId = byManager
      ? await this.leadWithStatus(this.random.pick(['pool', 'owned'] as const))
      : await this.ownLeadOrAny(rep, 0.9);
    const close = { reason: this.random.pick(CLOSE_REASONS), note: null };

    const actor = this.actor(byManager ? this.manager : rep, now);
    return this.send(actor, `/v1/leads/${leadId}/close`, close, async (tx) => {
      const decision = await closeLead(tx, actor, leadId, close, randomId);

      return decided(decision, 200, (closed) => closed);
    });
  }

  /** A manager's new lead, in the pool or given straight to a rep; some are duplicates. */
  private async create(now: Date): Promise<string> {
    const fields = NewLeadSchema.parse({
      company: `Fresh Lead ${this.random.int(1, 600)}`,
      phone: this.random.chance(0.3) ? this.phone('137', 300) : '',
      ...(this.random.chance(0.3) ? { ownerEmail: this.random.pick(this.reps).email } : {}),
    });

    const actor = this.actor(this.manager, now);
    return this.send(actor, '/v1/leads', fields, async (tx) => {
      const policy = await tx.getPolicy();
      const decision = await createLead(tx, actor, policy, fields, randomId);

      return decided(decision, 201, (lead) => lead);
    });
  }

  private async job(job: RunnableJob, now: Date): Promise<string> {
    // A job catches its own failure and logs it; the log is where it is seen.
    const log: Logger = (severity, message, fields) => {
      if (severity === 'ERROR') this.fault(`${job}: ${message} ${JSON.stringify(fields)}`);
    };
    const { run, fresh } = await runJob(
      { store: this.store, newId: randomId, log },
      { job, trigger: 'local', triggeredBy: this.worker, scheduleTime: null, now },
    );
    if (run.status === 'failed') return FAULT;

    return fresh ? 'committed' : 'ran earlier';
  }

  /**
   * Sends a request, and now and then sends it again with the same key, as a client does
   * that lost the first answer: the second must be the first answer, replayed.
   */
  private async send(actor: Actor, path: string, body: unknown, work: Work): Promise<string> {
    const raw = JSON.stringify(body);
    const key = idempotencyClaim(actor.member.email, randomId(), 'POST', path, raw);
    const first = await this.answer(actor, key, work);
    if (first.outcome === FAULT || first.thrown || !this.random.chance(RETRY_RATE)) {
      return first.outcome;
    }

    this.retries++;
    const again = await this.answer(actor, key, work);
    if (!again.replayed || again.status !== first.status) {
      this.fault(`${path}: answered ${first.status}, then ${again.status} to the same key`);
      return FAULT;
    }

    return first.outcome;
  }

  private async answer(
    actor: Actor,
    key: ReturnType<typeof idempotencyClaim>,
    work: Work,
  ): Promise<Answer> {
    try {
      const reply = await execute(this.store, key, actor.now, work);
      const code = (reply.body as { error?: { code?: string } }).error?.code;
      const outcome = reply.status < 300 ? 'committed' : (code ?? `status ${reply.status}`);

      return { outcome, status: reply.status, replayed: reply.replayed, thrown: false };
    } catch (error) {
      if (error instanceof ApiError) {
        return { outcome: error.code, status: error.status, replayed: false, thrown: true };
      }

      this.fault(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return { outcome: FAULT, status: 500, replayed: false, thrown: true };
    }
  }

  private actor(member: Member, now: Date): Actor {
    return { member, relayedBy: null, requestId: randomId(), now };
  }

  private async ownLeadOrAny(rep: Member, own: number): Promise<string> {
    const leads = await this.store.listOwnedLeads(rep.email);
    this.learn(leads);

    return leads.length > 0 && this.random.chance(own)
      ? this.random.pick(leads).id
      : this.anyLead();
  }

  private async customersOf(rep: Member): Promise<Lead[]> {
    const { items } = await this.store.listLeadsWithStatus('customer', LIST_LIMIT, null);

    return items.filter((lead) => lead.ownerEmail === rep.email);
  }

  private async leadWithStatus(status: LeadStatus): Promise<string> {
    const page = await this.store.listLeadsWithStatus(status, LIST_LIMIT, null);
    this.learn(page.items);

    return page.items.length > 0 ? this.random.pick(page.items).id : this.anyLead();
  }

  /** Any lead this worker has seen, whatever has become of it since. */
  private anyLead(): string {
    return this.random.pick(this.known);
  }

  private learn(leads: readonly Pick<Lead, 'id'>[]): void {
    for (const { id } of leads) {
      if (this.knownIds.has(id)) continue;

      this.knownIds.add(id);
      this.known.push(id);
    }
  }

  /** One of `count` mobile numbers behind `prefix`, so some are drawn twice. */
  private phone(prefix: string, count: number): string {
    return `${prefix}${String(this.random.int(0, count - 1)).padStart(8, '0')}`;
  }

  private visitFields(at: Date): VisitFields {
    const effective = this.random.chance(0.4);

    return {
      outcome: effective ? 'effective' : 'potential',
      met: this.random.pick(effective ? EFFECTIVE_MET : MET_ROLES),
      note: 'Met at the office',
      at,
    };
  }
}
