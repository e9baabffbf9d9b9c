import { createRequire } from 'node:module';

import type { CountryCode } from 'libphonenumber-js';

type PhoneLibrary = typeof import('libphonenumber-js');

let phoneLibrary: PhoneLibrary | null = null;

/** Loaded when the first phone number is read: its metadata is a large part of a cold start. */
function phoneNumbers(): PhoneLibrary {
  phoneLibrary ??= createRequire(import.meta.url)('libphonenumber-js') as PhoneLibrary;

  return phoneLibrary;
}

/**
 * The phone number in E.164 form, so "+86 138-0013-8000", "138 0013 8000" and
 * "8613800138000" are one number. Numbers the library cannot place in any country fall
 * back to their digits, which still catches the same number typed with other separators.
 */
export function normalisePhone(phone: string, defaultCountry: string): string | null {
  const trimmed = phone.trim();
  if (trimmed === '') return null;

  const parsed = phoneNumbers().parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode);
  if (parsed?.isPossible()) return parsed.number;

  const digits = trimmed.replace(/\D/g, '');
  return digits === '' ? null : digits;
}

/**
 * The company name folded for comparison: full-width forms, case, spacing and punctuation
 * do not make two companies different.
 */
export function normaliseCompany(company: string): string {
  return company
    .normalize('NFKC')
    .toLocaleLowerCase('en-US')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** The unique keys a lead claims; a second lead with any of them is a duplicate. */
export function leadKeys(
  lead: { company: string; phone: string },
  defaultCountry: string,
): string[] {
  const keys: string[] = [];

  const company = normaliseCompany(lead.company);
  if (company !== '') keys.push(`company:${company}`);

  const phone = normalisePhone(lead.phone, defaultCountry);
  if (phone !== null) keys.push(`phone:${phone}`);

  return keys;
}
