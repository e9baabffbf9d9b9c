import { apiGet, apiPut } from './api.js';
import { refreshAfterChange } from './refresh.js';
import type { Policy } from './types.js';

export function readPolicy(): Policy {
  return apiGet<Policy>('/v1/policy');
}

/** Sends only what the manager changed; the server merges it over the current rules. */
export function savePolicyPatch(
  patch: Policy,
  actionId?: string,
): { policy: Policy; warning: string | null } {
  const policy = apiPut<Policy>('/v1/policy', patch, { actionId });

  return { policy, warning: refreshAfterChange(['Settings']) };
}
