/** The shapes of the Lead Pool API that the add-on reads. The server owns them. */

export type Role = 'rep' | 'manager' | 'qc' | 'admin';

export type Lead = {
  id: string;
  company: string;
  contactName: string;
  phone: string;
  status: 'pool' | 'owned' | 'customer' | 'closed';
  ownerEmail: string | null;
  stage: string;
  followUpDueAt: string | null;
  dealDueAt: string | null;
  dueSoon: boolean;
};

export type Me = {
  member: {
    email: string;
    name: string;
    role: Role;
    capacity: number;
    ownedCount: number;
    claimsToday: number;
  };
  today: {
    day: string;
    claims: number;
    claimLimit: number;
    visits: number;
    effective: number;
    visitQuota: number;
    effectiveQuota: number;
    quotaMet: boolean;
  };
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export type CellValue = string | number | boolean | null;

/** A sheet tab as the server renders it. */
export type View = { tab: string; columns: string[]; rows: CellValue[][] };

export type VisitOutcome = 'effective' | 'potential';

export type MetRole = 'owner' | 'executive' | 'manager' | 'staff' | 'other';

export type Prospect = {
  company: string;
  contactName: string;
  title: string;
  phone: string;
  products: string;
};

export type Visit = {
  id: string;
  repEmail: string;
  at: string;
  outcome: VisitOutcome;
  met: MetRole;
  note: string;
  leadId: string | null;
  prospect: Prospect | null;
  prospectOutcome: 'owned' | 'pool' | 'duplicate' | null;
};

export type LoggedVisit = { visit: Visit; lead: Lead | null; notice?: string };

export type ClaimAnswer = { lead: Lead; released: Lead[] };

export type QcItem = { visitId: string; repEmail: string; visit: Visit };

export type ImportAnswer = {
  created: { row: number; leadId: string }[];
  duplicates: { row: number; existingLeadId: string }[];
  invalid: { row: number; issues: Issue[] }[];
};

export type Issue = { path: string; message: string; code?: string };

export type Policy = Record<string, string | number>;
