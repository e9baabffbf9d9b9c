import * as z from 'zod';

import { quotaMet, visitNumbers } from '../../app/summary.js';
import { saveMember, updatePolicy } from '../../app/team.js';
import { EmailSchema, ROLES } from '../../domain/member.js';
import { PolicyPatchSchema } from '../../domain/policy.js';
import { teamDay } from '../../domain/time.js';
import { invalidRequest } from '../errors.js';
import { decided, mutate } from '../mutate.js';
import { parseBody } from '../request.js';
import type { MemberRoute } from '../router.js';
import { viewMember } from '../views.js';

const MemberBodySchema = z
  .object({
    role: z.enum(ROLES),
    name: z.string().trim().min(1).max(100),
    group: z.string().trim().max(100).optional(),
    capacity: z.number().int().min(0).max(10_000).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const teamRoutes: MemberRoute[] = [
  {
    method: 'GET',
    path: '/v1/me',
    roles: ['rep', 'manager', 'qc', 'admin'],
    handle: async ({ deps, actor }) => {
      const policy = await deps.store.getPolicy();
      const day = teamDay(actor.now, policy.timeZone);
      const member = viewMember(actor.member, policy, actor.now);
      const visits = visitNumbers(await deps.store.listVisits(day, actor.member.email));

      return {
        status: 200,
        body: {
          member,
          today: {
            day,
            claims: member.claimsToday,
            claimLimit: policy.dailyClaimLimit,
            ...visits,
            visitQuota: policy.visitQuota,
            effectiveQuota: policy.effectiveQuota,
            quotaMet: quotaMet(visits, policy),
          },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/members',
    roles: ['manager', 'admin'],
    handle: async ({ deps, actor }) => {
      const [policy, members] = await Promise.all([
        deps.store.getPolicy(),
        deps.store.listMembers(),
      ]);

      return {
        status: 200,
        body: { items: members.map((m) => viewMember(m, policy, actor.now)), nextCursor: null },
      };
    },
  },
  {
    method: 'PUT',
    path: '/v1/members/{email}',
    roles: ['admin'],
    handle: async (context) => {
      const email = EmailSchema.safeParse(context.params.email);
      if (!email.success) throw invalidRequest(email.error, 'member email in the path');

      const fields = parseBody(context.request, MemberBodySchema);

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await saveMember(
          tx,
          context.actor,
          email.data,
          fields,
          context.deps.newId,
        );

        return decided(decision, 200, (member) => viewMember(member, policy, context.actor.now));
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/policy',
    roles: ['rep', 'manager', 'qc', 'admin'],
    handle: async ({ deps }) => ({ status: 200, body: await deps.store.getPolicy() }),
  },
  {
    method: 'PUT',
    path: '/v1/policy',
    roles: ['manager', 'admin'],
    handle: async (context) => {
      const patch = parseBody(context.request, PolicyPatchSchema);

      return mutate(context, async (tx) => {
        const policy = await updatePolicy(tx, context.actor, patch, context.deps.newId);
        return { status: 200, body: policy };
      });
    },
  },
];
