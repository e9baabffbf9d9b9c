import * as z from 'zod';

import { projectTab, TAB_NAMES, tabNamed } from '../../sheets/projection.js';
import { loadSheetState } from '../../sheets/state.js';
import { ApiError } from '../errors.js';
import { parseQuery } from '../request.js';
import type { MemberRoute } from '../router.js';

export const viewRoutes: MemberRoute[] = [
  {
    method: 'GET',
    path: '/v1/views/{tab}',
    roles: ['rep', 'manager', 'qc', 'admin'],
    handle: async ({ request, params, deps, actor }) => {
      parseQuery(request, z.object({}).strict());
      const tab = tabNamed(params.tab ?? '');
      if (!tab) throw new ApiError('NOT_FOUND', 'No tab has this name', { tabs: TAB_NAMES });

      const state = await loadSheetState(deps.store, actor.now, [tab]);
      return { status: 200, body: projectTab(tab, state) };
    },
  },
];
