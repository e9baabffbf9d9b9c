import { changes, type Changes } from './changes.js';
import { STAGES, stateOf, type Lead } from './lead.js';
import { capacityOf, isManager, type Member } from './member.js';
import { assertOwnerMatches } from './ownership.js';
import type { Policy } from './policy.js';
import { addHours } from './time.js';
import { allow, refuse, type Decision } from './violations.js';

export type Stage = (typeof STAGES)[number];

/** Reaching one of these stages makes the lead a customer. */
const CUSTOMER_STAGES: readonly Stage[] = ['contract', 'paid'];

export type StageInput = {
  lead: Lead;
  actor: Member;
  /** The rep the lead belongs to, as the transaction reads them. */
  owner: Member | null;
  stage: Stage;
  policy: Policy;
  now: Date;
};

/**
 * Moves a lead one stage forward; a manager may also move it one stage back. A signed
 * contract converts the lead: it becomes a customer, leaves the owner's capacity and has no
 * more deadlines. A manager moving a customer back before the contract gives it back to the
 * owner as an owned lead with fresh deadlines, within the owner's capacity.
 */
export function decideStage({
  lead,
  actor,
  owner,
  stage,
  policy,
  now,
}: StageInput): Decision<Changes> {
  if (lead.status !== 'owned' && lead.status !== 'customer') {
    return refuse('INVALID_TRANSITION', `A ${lead.status} lead has no pipeline to move along`, {
      leadId: lead.id,
      status: lead.status,
    });
  }

  const manager = isManager(actor);
  if (!manager && lead.ownerEmail !== actor.email) {
    return refuse('NOT_OWNER', 'Only the owner or a manager can move this lead', {
      leadId: lead.id,
    });
  }

  const from = STAGES.indexOf(lead.stage);
  const to = STAGES.indexOf(stage);
  const forward = to === from + 1;
  const back = manager && to === from - 1;
  if (!forward && !back) {
    return refuse(
      'INVALID_TRANSITION',
      manager ? 'A lead moves one stage at a time' : 'A lead moves forward one stage at a time',
      { leadId: lead.id, from: lead.stage, to: stage },
    );
  }

  const customer = CUSTOMER_STAGES.includes(stage);
  const stamp = now.toISOString();
  const moved: Lead = { ...lead, stage, updatedAt: stamp };
  const members: Member[] = [];
  if (customer && lead.status === 'owned') {
    assertOwnerMatches(lead, owner);
    moved.status = 'customer';
    moved.followUpDueAt = null;
    moved.dealDueAt = null;
    members.push({ ...owner!, ownedCount: owner!.ownedCount - 1, updatedAt: stamp });
  }

  if (!customer && lead.status === 'customer') {
    if (!owner || owner.email !== lead.ownerEmail) {
      throw new Error(`Customer ${lead.id} must be moved back with its owner ${lead.ownerEmail}`);
    }

    const capacity = capacityOf(owner, policy);
    if (owner.ownedCount + 1 > capacity) {
      return refuse('CAPACITY_EXCEEDED', "The owner's private pool is full", {
        ownerEmail: owner.email,
        capacity,
        owned: owner.ownedCount,
      });
    }

    moved.status = 'owned';
    moved.lastFollowUpAt = null;
    moved.followUpDueAt = addHours(now, policy.followUpHours).toISOString();
    moved.dealDueAt = addHours(now, policy.dealDays * 24).toISOString();
    members.push({ ...owner, ownedCount: owner.ownedCount + 1, updatedAt: stamp });
  }

  const converted = moved.status === 'customer' && lead.status === 'owned';

  return allow(
    changes({
      leads: [moved],
      members,
      events: [
        {
          type: converted ? 'lead.converted' : 'lead.staged',
          leadId: lead.id,
          subject: lead.ownerEmail,
          before: stateOf(lead),
          after: stateOf(moved),
          data: { from: lead.stage, to: stage, direction: forward ? 'forward' : 'back' },
        },
      ],
    }),
  );
}
