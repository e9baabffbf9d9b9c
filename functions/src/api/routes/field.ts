import * as z from 'zod';

import { judgeVisit, logVisit, moveStage, submitReport } from '../../app/field.js';
import { summariseDay } from '../../app/summary.js';
import { STAGES } from '../../domain/lead.js';
import { EmailSchema, isManager } from '../../domain/member.js';
import { teamDay } from '../../domain/time.js';
import {
  EFFECTIVE_MET,
  MET_ROLES,
  ProspectSchema,
  QC_VERDICTS,
  VISIT_OUTCOMES,
} from '../../domain/visits.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ApiError, invalidRequest } from '../errors.js';
import { decided, mutate } from '../mutate.js';
import { parseBody, parseQuery } from '../request.js';
import type { MemberRoute, RouteContext } from '../router.js';
import { viewLeadFor } from '../views.js';

/** How far back a visit or a report may be logged: a forgotten one, not a rewritten week. */
const BACKDATE_DAYS = 7;
const DAY_MS = 86_400_000;

// Years outside this range are typos, and day arithmetic at year 9999 leaves the calendar.
const DateSchema = z.iso
  .date({ message: 'A date as YYYY-MM-DD' })
  .refine((date) => date >= '2000-01-01' && date <= '2999-12-31', 'A date between 2000 and 2999');
const IdSchema = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'Not an id');

const VisitBodySchema = z
  .object({
    leadId: IdSchema.optional(),
    prospect: ProspectSchema.optional(),
    outcome: z.enum(VISIT_OUTCOMES),
    met: z.enum(MET_ROLES),
    note: z.string().trim().max(2000).default(''),
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((body) => (body.leadId === undefined) !== (body.prospect === undefined), {
    message: 'Name either the lead visited (leadId) or a cold visit’s prospect, not both',
    path: ['leadId'],
  })
  .refine((body) => body.outcome !== 'effective' || EFFECTIVE_MET.includes(body.met), {
    message: 'A visit is effective only when the rep met the owner or an executive',
    path: ['outcome'],
  });

const LimitSchema = z.coerce.number().int().min(1).max(200).default(50);
const CursorParamSchema = z.string().max(500).optional();

// What a cursor holds: where its page ended. Any date, not only DateSchema's range: a visit
// backdated from the first days of 2000 belongs to a day of 1999.
const VisitCursorSchema = z.object({ at: z.iso.datetime(), id: IdSchema });
const QueueCursorSchema = z.object({ day: z.iso.date(), id: IdSchema });

const VisitsQuerySchema = z
  .object({
    date: DateSchema.optional(),
    rep: EmailSchema.optional(),
    limit: LimitSchema,
    cursor: CursorParamSchema,
  })
  .strict();
const StageBodySchema = z.object({ stage: z.enum(STAGES) }).strict();
const ReportBodySchema = z
  .object({ date: DateSchema, text: z.string().trim().min(1).max(5000) })
  .strict();
const DayQuerySchema = z.object({ date: DateSchema.optional() }).strict();
const VerdictBodySchema = z
  .object({ verdict: z.enum(QC_VERDICTS), note: z.string().trim().max(2000).default('') })
  .strict();
const QueueQuerySchema = z.object({ limit: LimitSchema, cursor: CursorParamSchema }).strict();

/** The time a visit happened: now, or earlier within the backdating window, never later. */
function visitTime(at: string | undefined, now: Date): Date {
  if (at === undefined) return now;

  const when = new Date(at);
  if (when.getTime() > now.getTime() + 5 * 60_000) {
    throw new ApiError('INVALID_REQUEST', 'A visit cannot be logged before it happens', {
      issues: [{ path: 'at', message: 'In the future', code: 'too_big' }],
    });
  }

  if (when.getTime() < now.getTime() - BACKDATE_DAYS * DAY_MS) {
    throw new ApiError('INVALID_REQUEST', `Visits older than ${BACKDATE_DAYS} days are closed`, {
      issues: [{ path: 'at', message: 'Too long ago', code: 'too_small' }],
    });
  }

  return when;
}

async function today(context: RouteContext): Promise<string> {
  const policy = await context.deps.store.getPolicy();
  return teamDay(context.actor.now, policy.timeZone);
}

export const fieldRoutes: MemberRoute[] = [
  {
    method: 'POST',
    path: '/v1/visits',
    roles: ['rep'],
    handle: async (context) => {
      const body = parseBody(context.request, VisitBodySchema);
      const fields = {
        outcome: body.outcome,
        met: body.met,
        note: body.note,
        at: visitTime(body.at, context.actor.now),
      };
      const target = body.leadId ? { leadId: body.leadId } : { prospect: body.prospect! };

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await logVisit(
          tx,
          context.actor,
          policy,
          target,
          fields,
          context.deps.newId,
        );

        return decided(decision, 201, ({ visit, lead }) => ({
          visit,
          lead: lead
            ? viewLeadFor(lead, policy, context.actor.now, context.actor.member.email)
            : null,
          ...(visit.prospectOutcome === 'duplicate'
            ? { notice: 'The prospect is already a lead; the visit is linked to it' }
            : {}),
        }));
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/visits',
    roles: ['rep', 'manager', 'admin'],
    handle: async (context) => {
      const query = parseQuery(context.request, VisitsQuerySchema);
      const self = context.actor.member;
      if (!isManager(self) && query.rep !== undefined && query.rep !== self.email) {
        throw new ApiError('FORBIDDEN', 'Reps see their own visits');
      }

      const after = decodeCursor(VisitCursorSchema, query.cursor);
      const rep = isManager(self) ? query.rep : self.email;
      const day = query.date ?? (await today(context));
      const page = await context.deps.store.listVisitsPage(
        { day, repEmail: rep },
        query.limit,
        after,
      );

      return {
        status: 200,
        body: { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null },
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/stage',
    roles: ['rep', 'manager', 'admin'],
    handle: async (context) => {
      const id = IdSchema.safeParse(context.params.id);
      if (!id.success) throw invalidRequest(id.error, 'lead id in the path');

      const { stage } = parseBody(context.request, StageBodySchema);

      return mutate(context, async (tx) => {
        const policy = await tx.getPolicy();
        const decision = await moveStage(
          tx,
          context.actor,
          policy,
          id.data,
          stage,
          context.deps.newId,
        );

        return decided(decision, 200, (lead) =>
          viewLeadFor(lead, policy, context.actor.now, context.actor.member.email),
        );
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/reports/daily',
    roles: ['rep'],
    handle: async (context) => {
      const { date, text } = parseBody(context.request, ReportBodySchema);
      const { timeZone } = await context.deps.store.getPolicy();
      const oldest = new Date(context.actor.now.getTime() - BACKDATE_DAYS * DAY_MS);
      if (date > teamDay(context.actor.now, timeZone) || date < teamDay(oldest, timeZone)) {
        throw new ApiError('INVALID_REQUEST', 'Report on today or one of the last few days', {
          issues: [{ path: 'date', message: 'Outside the reporting window', code: 'invalid' }],
        });
      }

      return mutate(context, async (tx) => {
        const report = await submitReport(tx, context.actor, date, text, context.deps.newId);
        return { status: report.revision === 1 ? 201 : 200, body: report };
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/reports/day',
    roles: ['manager', 'admin'],
    handle: async (context) => {
      const query = parseQuery(context.request, DayQuerySchema);
      const policy = await context.deps.store.getPolicy();
      const day = query.date ?? teamDay(context.actor.now, policy.timeZone);

      return { status: 200, body: await summariseDay(context.deps.store, policy, day) };
    },
  },
  {
    method: 'GET',
    path: '/v1/qc/queue',
    roles: ['qc'],
    handle: async (context) => {
      const query = parseQuery(context.request, QueueQuerySchema);
      const after = decodeCursor(QueueCursorSchema, query.cursor);
      const page = await context.deps.store.listQcQueue(query.limit, after);

      return {
        status: 200,
        body: {
          items: page.items.map((visit) => ({
            visitId: visit.id,
            repEmail: visit.repEmail,
            visit,
          })),
          nextCursor: page.next ? encodeCursor(page.next) : null,
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/qc/{visitId}/verdict',
    roles: ['qc'],
    handle: async (context) => {
      const visitId = IdSchema.safeParse(context.params.visitId);
      if (!visitId.success) throw invalidRequest(visitId.error, 'visit id in the path');

      const { verdict, note } = parseBody(context.request, VerdictBodySchema);

      return mutate(context, async (tx) => {
        const decision = await judgeVisit(
          tx,
          context.actor,
          visitId.data,
          verdict,
          note,
          context.deps.newId,
        );

        return decided(decision, 200, (visit) => visit);
      });
    },
  },
];
