import { apiGet } from './api.js';
import type * as EntryPoints from './index.js';
import type { Me, Role } from './types.js';

type EntryPoint = keyof typeof EntryPoints;

/** A menu line: its caption and the global function it runs, or a separator. */
export type MenuItem = readonly [caption: string, handler: EntryPoint] | 'separator';

/**
 * The role is remembered per user, because onOpen is a simple trigger: it cannot call the
 * server, so it builds the menu from the role the last server answer gave.
 */
const ROLE_PROPERTY = 'LEADPOOL_ROLE';

const REP: MenuItem[] = [
  ['Claim selected leads', 'claimSelected'],
  ['Release selected lead…', 'releaseSelected'],
  ['Log a visit…', 'showVisitForm'],
  ['My leads', 'showMyLeads'],
];

const MANAGER: MenuItem[] = [
  ['Assign selected leads…', 'assignSelected'],
  ['Import leads from the Import tab', 'importLeads'],
  ['Team rules…', 'showSettings'],
];

const QC: MenuItem[] = [['QC queue', 'showQcQueue']];

const ADMIN: MenuItem[] = [...MANAGER, ['Install the edit relay', 'installTriggers']];

const ALWAYS: MenuItem[] = [
  'separator',
  ['Refresh sheet', 'refreshSheet'],
  ['Reload menu', 'loadMenu'],
];

export function menuItems(role: Role | null): MenuItem[] {
  switch (role) {
    case null:
      return [['Start Lead Pool', 'loadMenu']];
    case 'rep':
      return [...REP, ...ALWAYS];
    case 'manager':
      return [...MANAGER, ...ALWAYS];
    case 'qc':
      return [...QC, ...ALWAYS];
    case 'admin':
      return [...ADMIN, ...ALWAYS];
  }
}

export function showMenu(role: Role | null): void {
  const menu = SpreadsheetApp.getUi().createAddonMenu();
  for (const item of menuItems(role)) {
    if (item === 'separator') menu.addSeparator();
    else menu.addItem(item[0], item[1]);
  }
  menu.addToUi();
}

/** The role remembered for this user, or null when there is none or it cannot be read yet. */
export function rememberedRole(
  authMode: GoogleAppsScript.Script.AuthMode | undefined,
): Role | null {
  // Before the add-on is enabled in a document, onOpen runs without access to properties.
  if (authMode === ScriptApp.AuthMode.NONE) return null;

  try {
    const role = PropertiesService.getUserProperties().getProperty(ROLE_PROPERTY);
    return isRole_(role) ? role : null;
  } catch {
    return null;
  }
}

/** Asks the server who the user is, remembers the role and rebuilds the menu for it. */
export function loadMe(): Me {
  const me = apiGet<Me>('/v1/me');
  PropertiesService.getUserProperties().setProperty(ROLE_PROPERTY, me.member.role);
  showMenu(me.member.role);

  return me;
}

function isRole_(value: string | null): value is Role {
  return value === 'rep' || value === 'manager' || value === 'qc' || value === 'admin';
}
