import { afterEach, describe, expect, it, vi } from 'vitest';

import { installTriggers, loadMenu, onOpen } from '../../sheets-addon/src/index.js';
import { menuItems } from '../../sheets-addon/src/menu.js';
import type { Role } from '../../sheets-addon/src/types.js';
import { installFakes, refusal } from './support/canned-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

function handlers(role: Role | null): string[] {
  return menuItems(role).flatMap((item) => (item === 'separator' ? [] : [item[1]]));
}

describe('menuItems', () => {
  it.each<[Role | null, string[]]>([
    [null, ['loadMenu']],
    [
      'rep',
      [
        'claimSelected',
        'releaseSelected',
        'showVisitForm',
        'showMyLeads',
        'refreshSheet',
        'loadMenu',
      ],
    ],
    ['manager', ['assignSelected', 'importLeads', 'showSettings', 'refreshSheet', 'loadMenu']],
    ['qc', ['showQcQueue', 'refreshSheet', 'loadMenu']],
    [
      'admin',
      [
        'assignSelected',
        'importLeads',
        'showSettings',
        'installTriggers',
        'refreshSheet',
        'loadMenu',
      ],
    ],
  ])('gives a %s the items of their role', (role, expected) => {
    expect(handlers(role)).toEqual(expected);
  });
});

describe('onOpen', () => {
  it('builds the menu of the role remembered for the user, without calling the server', () => {
    const fakes = installFakes({});
    fakes.properties.user.setProperty('LEADPOOL_ROLE', 'qc');

    onOpen({ authMode: fakes.script.AuthMode.LIMITED } as never);

    expect(fakes.ui.menu?.items).toContain('QC queue → showQcQueue');
    expect(fakes.urlFetch.requests).toEqual([]);
  });

  it('offers only Start before the add-on may read the user’s properties', () => {
    const fakes = installFakes({});
    fakes.properties.user.setProperty('LEADPOOL_ROLE', 'rep');

    onOpen({ authMode: fakes.script.AuthMode.NONE } as never);

    expect(fakes.ui.menu?.items).toEqual(['Start Lead Pool → loadMenu']);
  });
});

describe('loadMenu', () => {
  it('asks the server for the role, remembers it and rebuilds the menu', () => {
    const me = { member: { email: 'mina@example.com', role: 'manager' }, today: {} };
    const fakes = installFakes({ 'GET /v1/me': [200, me] });

    loadMenu();

    expect(fakes.properties.user.getProperty('LEADPOOL_ROLE')).toBe('manager');
    expect(fakes.ui.menu?.items).toContain('Assign selected leads… → assignSelected');
    expect(fakes.spreadsheet.toasts.at(-1)?.message).toBe(
      'Signed in as mina@example.com (manager).',
    );
  });

  it('shows why the server would not say who the user is', () => {
    const answer = refusal('FORBIDDEN', 'x@example.com is not an active member of this team');
    const fakes = installFakes({ 'GET /v1/me': [403, answer] });

    loadMenu();

    expect(fakes.ui.alerts).toEqual([
      { title: 'Lead Pool', message: 'x@example.com is not an active member of this team' },
    ]);
    expect(fakes.properties.user.getProperty('LEADPOOL_ROLE')).toBeNull();
  });
});

describe('installTriggers', () => {
  it('refuses anyone but an admin, as the relay speaks for whoever edits', () => {
    const me = { member: { email: 'rita@example.com', role: 'rep' }, today: {} };
    const fakes = installFakes({ 'GET /v1/me': [200, me] });

    installTriggers();

    expect(fakes.script.triggers).toEqual([]);
    expect(fakes.ui.alerts[0]?.message).toBe(
      'Only an admin can install the edit relay: it acts for whoever edits the sheet.',
    );
  });
});
