import * as z from 'zod';

import {
  assignLead,
  claimLead,
  closeLead,
  createLead,
  followUpLead,
  importLeads,
  releaseLead,
} from '../../app/leads.js';
import {
  CLOSE_REASONS,
  FOLLOW_UP_CHANNELS,
  NewLeadSchema,
  type Lead,
  type NewLead,
} from '../../domain/lead.js';
import { EmailSchema, isManager, type Member } from '../../domain/member.js';
import type { Policy } from '../../domain/policy.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ApiError, invalidRequest, issuesOf, type Issue } from '../errors.js';
import { decided, mutate } from '../mutate.js';
import { MAX_IMPORT_BODY_BYTES, parseBody, parseQuery } from '../request.js';
import type { MemberRoute, RouteContext } from '../router.js';
import { viewLeadFor } from '../views.js';

export const MAX_IMPORT_ROWS = 500;

const LeadIdSchema = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'Not a lead id');

const ClaimBodySchema = z
  .object({
    release: z
      .array(LeadIdSchema)
      .max(50)
      .refine((ids) => new Set(ids).size === ids.length, 'A lead is named twice')
      .default([]),
  })
  .strict();

const ReleaseBodySchema = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
const AssignBodySchema = z.object({ toEmail: EmailSchema }).strict();
const FollowUpBodySchema = z
  .object({ channel: z.enum(FOLLOW_UP_CHANNELS), note: z.string().trim().max(2000).default('') })
  .strict();
const CloseBodySchema = z
  .object({
    reason: z.enum(CLOSE_REASONS),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();

// Rows are validated one by one below, so one bad row does not refuse the whole import.
const ImportBodySchema = z
  .object({ leads: z.array(z.unknown()).min(1).max(MAX_IMPORT_ROWS) })
  .strict();

const PoolQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

const CursorSchema = z.object({ createdAt: z.string().max(40), id: LeadIdSchema });

function leadId(context: RouteContext): string {
  const parsed = LeadIdSchema.safeParse(context.params.id);
  if (!parsed.success) throw invalidRequest(parsed.error, 'lead id in the path');

  return parsed.data;
}

/** Pool leads are public; an owned, converted or closed lead is its owner's and managers'. */
function mayRead(member: Member, lead: Lead): boolean {
  return lead.status === 'pool' || isManager(member) || lead.ownerEmail === member.email;
}

function view(context: RouteContext, policy: Policy) {
  return (lead: Lead) => viewLeadFor(lead, policy, context.actor.now, context.actor.member.email);
}

async function readableLead(context: RouteContext): Promise<Lead> {
  const lead = await context.deps.store.getLead(leadId(context));
  if (!lead) throw new ApiError('NOT_FOUND', 'No lead has this id');

  if (!mayRead(context.actor.member, lead)) {
    throw new ApiError('FORBIDDEN', 'Only the owner and managers can see this lead');
  }

  return lead;
}

export const leadRoutes: MemberRoute[] = [
  {
    method: 'POST',
    path: '/v1/leads',
    roles: ['manager', 'admin'],
    handle: async (context) => {
      const fields = parseBody(context.request, NewLeadSchema);

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await createLead(tx, context.actor, policy, fields, context.deps.newId);

        return decided(decision, 201, view(context, policy));
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/leads:import',
    roles: ['manager', 'admin'],
    handle: async (context) => {
      const body = parseBody(context.request, ImportBodySchema, MAX_IMPORT_BODY_BYTES);
      const valid: { row: number; fields: NewLead }[] = [];
      const invalid: { row: number; issues: Issue[] }[] = [];
      body.leads.forEach((row, index) => {
        const parsed = NewLeadSchema.safeParse(row);
        if (parsed.success) valid.push({ row: index, fields: parsed.data });
        else invalid.push({ row: index, issues: issuesOf(parsed.error) });
      });

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const outcomes = await importLeads(tx, context.actor, policy, valid, context.deps.newId);
        const created = outcomes.flatMap((o) => (o.outcome === 'created' ? [o] : []));
        const duplicates = outcomes.flatMap((o) => (o.outcome === 'duplicate' ? [o] : []));
        const refused = outcomes.flatMap((o) => (o.outcome === 'refused' ? [o] : []));

        return {
          status: 200,
          body: {
            created: created.map(({ row, leadId }) => ({ row, leadId })),
            duplicates: duplicates.map(({ row, existingLeadId }) => ({ row, existingLeadId })),
            // A row refused by a rule is refused for its owner: unknown, not a rep, or full.
            invalid: [
              ...invalid,
              ...refused.map(({ row, error }) => ({
                row,
                issues: [{ path: 'ownerEmail', message: error.message, code: error.code }],
              })),
            ].sort((a, b) => a.row - b.row),
          },
        };
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/leads/{id}',
    roles: ['rep', 'manager', 'qc', 'admin'],
    handle: async (context) => {
      const lead = await readableLead(context);
      const policy = await context.deps.store.getPolicy();

      return { status: 200, body: view(context, policy)(lead) };
    },
  },
  {
    method: 'GET',
    path: '/v1/leads/{id}/history',
    roles: ['rep', 'manager', 'admin'],
    handle: async (context) => {
      const lead = await readableLead(context);
      if (lead.status === 'pool' && !isManager(context.actor.member)) {
        throw new ApiError('FORBIDDEN', 'Only the owner and managers can see this history');
      }

      const events = await context.deps.store.listLeadEvents(lead.id);
      return { status: 200, body: { items: events, nextCursor: null } };
    },
  },
  {
    method: 'GET',
    path: '/v1/pool',
    roles: ['rep', 'manager', 'qc', 'admin'],
    handle: async (context) => {
      const query = parseQuery(context.request, PoolQuerySchema);
      const after = decodeCursor(CursorSchema, query.cursor);
      const [policy, page] = await Promise.all([
        context.deps.store.getPolicy(),
        context.deps.store.listPool(query.limit, after),
      ]);

      return {
        status: 200,
        body: {
          items: page.items.map(view(context, policy)),
          nextCursor: page.next ? encodeCursor(page.next) : null,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/me/leads',
    roles: ['rep'],
    handle: async (context) => {
      const [policy, leads] = await Promise.all([
        context.deps.store.getPolicy(),
        context.deps.store.listOwnedLeads(context.actor.member.email),
      ]);
      const items = leads
        .map(view(context, policy))
        .sort((a, b) => (a.followUpDueAt ?? '').localeCompare(b.followUpDueAt ?? ''));

      return { status: 200, body: { items, nextCursor: null } };
    },
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/claim',
    roles: ['rep'],
    handle: async (context) => {
      const id = leadId(context);
      const body = parseBody(context.request, ClaimBodySchema);
      if (body.release.includes(id)) {
        throw new ApiError('INVALID_REQUEST', 'A lead cannot be released to claim itself');
      }

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await claimLead(
          tx,
          context.actor,
          policy,
          id,
          body.release,
          context.deps.newId,
        );

        return decided(decision, 200, ({ lead, released }) => ({
          lead: view(context, policy)(lead),
          released: released.map(view(context, policy)),
        }));
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/release',
    roles: ['rep'],
    handle: async (context) => {
      const id = leadId(context);
      const { reason } = parseBody(context.request, ReleaseBodySchema);

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await releaseLead(
          tx,
          context.actor,
          policy,
          id,
          reason,
          context.deps.newId,
        );

        return decided(decision, 200, view(context, policy));
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/assign',
    roles: ['manager', 'admin'],
    handle: async (context) => {
      const id = leadId(context);
      const { toEmail } = parseBody(context.request, AssignBodySchema);

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await assignLead(
          tx,
          context.actor,
          policy,
          id,
          toEmail,
          context.deps.newId,
        );

        return decided(decision, 200, view(context, policy));
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/follow-ups',
    roles: ['rep'],
    handle: async (context) => {
      const id = leadId(context);
      const followUp = parseBody(context.request, FollowUpBodySchema);

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await followUpLead(
          tx,
          context.actor,
          policy,
          id,
          followUp,
          context.deps.newId,
        );

        return decided(decision, 201, view(context, policy));
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/close',
    roles: ['rep', 'manager', 'admin'],
    handle: async (context) => {
      const id = leadId(context);
      const { reason, note } = parseBody(context.request, CloseBodySchema);

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const close = { reason, note: note ?? null };
        const decision = await closeLead(tx, context.actor, id, close, context.deps.newId);

        return decided(decision, 200, view(context, policy));
      });
    },
  },
];
