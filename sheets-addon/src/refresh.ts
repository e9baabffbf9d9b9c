import { apiGetAll, LeadPoolError } from './api.js';
import { renderView } from './sheet.js';
import type { View } from './types.js';

/** The tabs the server renders. Import is left out: it holds the rows a manager pasted. */
export const TABS = ['Pool', 'Leads', 'Visits', 'Today', 'QC', 'Settings'] as const;

export type Tab = (typeof TABS)[number] | 'Import';

export type Refreshed = { rendered: string[]; failed: { tab: string; message: string }[] };

export function viewPath(tab: Tab): string {
  return `/v1/views/${encodeURIComponent(tab)}`;
}

/**
 * Re-renders tabs from the server, all fetched at once. A tab the caller may not see is
 * skipped quietly; any other failure is reported and the other tabs still render.
 */
export function refreshTabs(tabs: readonly Tab[] = TABS): Refreshed {
  const answers = apiGetAll<View>(tabs.map(viewPath));
  const refreshed: Refreshed = { rendered: [], failed: [] };
  answers.forEach((answer, index) => {
    const tab = tabs[index]!;
    if (answer instanceof LeadPoolError) {
      if (answer.code !== 'FORBIDDEN') refreshed.failed.push({ tab, message: answer.message });
      return;
    }

    renderView(answer);
    refreshed.rendered.push(tab);
  });

  return refreshed;
}

/** The one-line summary of a refresh for a toast. */
export function describeRefresh({ rendered, failed }: Refreshed): string {
  const done = rendered.length > 0 ? `Updated ${rendered.join(', ')}.` : 'Nothing to update.';
  const problems = failed.map(({ tab, message }) => `${tab}: ${message}`);

  return [done, ...problems].join(' ');
}

/**
 * Re-renders after a change the server has already accepted: a failure to redraw must not
 * read as a failure of the change, so it is logged and described instead of thrown.
 */
export function refreshAfterChange(tabs: readonly Tab[]): string | null {
  try {
    const { failed } = refreshTabs(tabs);
    if (failed.length === 0) return null;

    return failed.map(({ tab, message }) => `${tab} was not redrawn: ${message}`).join(' ');
  } catch (error) {
    console.warn(JSON.stringify({ message: 'refresh after change failed', error: String(error) }));
    return 'The sheet could not be redrawn; use Refresh sheet.';
  }
}
