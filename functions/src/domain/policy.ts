import * as z from 'zod';

const hours = z
  .number()
  .int()
  .min(1)
  .max(24 * 365);
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time of day as HH:MM');

// Field schemas without defaults: a patch must not fill the fields it leaves out.
const policyFields = {
  capacity: z.number().int().min(1).max(10_000),
  dailyClaimLimit: z.number().int().min(0).max(10_000),
  cooldownHours: hours,
  followUpHours: hours,
  dealDays: z.number().int().min(1).max(3650),
  warnHours: hours,
  dailyAllocation: z.number().int().min(0).max(10_000),
  visitQuota: z.number().int().min(0).max(1000),
  effectiveQuota: z.number().int().min(0).max(1000),
  qcSampleRate: z.number().min(0).max(1),
  timeZone: z.string().max(64).refine(isTimeZone, { message: 'Unknown IANA time zone' }),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'Two-letter ISO country code'),
  /** When the morning distribution runs, in the team's time zone. */
  distributionTime: timeOfDay,
  /** When the night's QC sample is drawn from the day's visits. */
  qcSampleTime: timeOfDay,
  /** The shared sheet the server writes its tabs to; none until an admin names one. */
  spreadsheetId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,100}$/, 'A spreadsheet id, as in its URL after /d/')
    .nullable(),
};

/**
 * The team's rules. Every field has a default so a new team works out of the box, and the
 * same schema validates every write, so a stored policy is always complete.
 */
export const PolicySchema = z
  .object({
    capacity: policyFields.capacity.default(50),
    dailyClaimLimit: policyFields.dailyClaimLimit.default(20),
    cooldownHours: policyFields.cooldownHours.default(72),
    followUpHours: policyFields.followUpHours.default(72),
    dealDays: policyFields.dealDays.default(30),
    warnHours: policyFields.warnHours.default(24),
    dailyAllocation: policyFields.dailyAllocation.default(40),
    visitQuota: policyFields.visitQuota.default(8),
    effectiveQuota: policyFields.effectiveQuota.default(2),
    qcSampleRate: policyFields.qcSampleRate.default(0.1),
    timeZone: policyFields.timeZone.default('Asia/Shanghai'),
    defaultCountry: policyFields.defaultCountry.default('CN'),
    distributionTime: policyFields.distributionTime.default('08:30'),
    qcSampleTime: policyFields.qcSampleTime.default('22:00'),
    spreadsheetId: policyFields.spreadsheetId.default(null),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;

export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

/** A manager's change: any subset of the fields, merged over the current policy. */
export const PolicyPatchSchema = z.object(policyFields).partial().strict();

export type PolicyPatch = z.infer<typeof PolicyPatchSchema>;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
