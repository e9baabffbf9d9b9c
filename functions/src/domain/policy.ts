import { z } from 'zod';

const hours = z
  .number()
  .int()
  .min(1)
  .max(24 * 365);

/**
 * The team's rules. Every field has a default so a new team works out of the box, and the
 * same schema validates every write, so a stored policy is always complete.
 */
export const PolicySchema = z
  .object({
    capacity: z.number().int().min(1).max(10_000).default(50),
    dailyClaimLimit: z.number().int().min(0).max(10_000).default(20),
    cooldownHours: hours.default(72),
    followUpHours: hours.default(72),
    dealDays: z.number().int().min(1).max(3650).default(30),
    warnHours: hours.default(24),
    dailyAllocation: z.number().int().min(0).max(10_000).default(40),
    visitQuota: z.number().int().min(0).max(1000).default(8),
    effectiveQuota: z.number().int().min(0).max(1000).default(2),
    qcSampleRate: z.number().min(0).max(1).default(0.1),
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: 'Unknown IANA time zone' })
      .default('Asia/Shanghai'),
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'Two-letter ISO country code')
      .default('CN'),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;

export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

/** A manager's change: any subset of the fields, merged over the current policy. */
export const PolicyPatchSchema = PolicySchema.partial().strict();

export type PolicyPatch = z.infer<typeof PolicyPatchSchema>;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
