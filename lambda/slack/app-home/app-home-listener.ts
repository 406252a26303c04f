import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { groupGaps } from '../../core/knowledge-gaps/gaps';
import type { AuditRecord } from '../../aws/remediation-store-types';
import type { SlackDeps } from '../types';
import { GAP_GROUPS, RECENT_REQUESTS } from './app-home-sources';
import { buildHomeView, type RecentRequest } from './home-view';

/**
 * `app_home_opened` on the Home tab: reads the recent requests and knowledge gaps and publishes the viewer's Home
 * view. A store that cannot be read makes its section say so; the view is published either way.
 */
export function appHomeListener(deps: SlackDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    const home = deps.appHome;
    if (home === undefined || event.tab !== 'home') return;
    const operator = home.operators.includes(event.user);
    const [recent, gaps, lastScan] = await Promise.all([
      home.requests.listRecentAudits(RECENT_REQUESTS).then(
        (records) => (operator ? withPermalinks(client, records) : records.map(toRecent)),
        (error: unknown) => unavailable(deps, 'recent requests', error),
      ),
      home.gaps.listRecent().then(
        (occurrences) => groupGaps(occurrences, GAP_GROUPS),
        (error: unknown) => unavailable(deps, 'knowledge gaps', error),
      ),
      // A last scan that cannot be read is left out (the schedule line still shows): it is a summary, not an action.
      (home.lastScan?.() ?? Promise.resolve(undefined)).catch((error: unknown) => void unavailable(deps, 'last scan', error)),
    ]);
    await client.views.publish({
      user_id: event.user,
      view: buildHomeView({
        viewer: event.user,
        operators: home.operators,
        allowTag: home.allowTag,
        recent,
        gaps,
        ...(lastScan !== undefined ? { lastScan } : {}),
        ...(home.scanSchedule !== undefined ? { scanSchedule: home.scanSchedule } : {}),
      }),
    });
  };
}

function toRecent(record: AuditRecord): RecentRequest {
  return {
    action: record.action,
    target: record.target,
    requestedBy: record.requestedBy,
    createdAt: record.createdAt,
    ...(record.outcome !== undefined ? { outcome: record.outcome } : {}),
    ...(record.statusMessage !== undefined ? { thread: { channel: record.statusMessage.channel, ts: record.statusMessage.ts } } : {}),
  };
}

/**
 * `chat.getPermalink` needs no scope; one call per listed request (at most 10, in parallel, Tier 4). A failure
 * (channel archived, bot removed) leaves the channel and ts, which still find the thread.
 */
async function withPermalinks(client: WebClient, records: readonly AuditRecord[]): Promise<RecentRequest[]> {
  return Promise.all(
    records.map(async (record) => {
      const recent = toRecent(record);
      if (recent.thread === undefined) return recent;
      try {
        const { permalink } = await client.chat.getPermalink({ channel: recent.thread.channel, message_ts: recent.thread.ts });
        return typeof permalink === 'string' && /^https:\/\//.test(permalink) ? { ...recent, thread: { ...recent.thread, permalink } } : recent;
      } catch {
        return recent;
      }
    }),
  );
}

function unavailable(deps: SlackDeps, what: string, error: unknown): 'unavailable' {
  deps.logger.warn(`App Home could not read the ${what}`, { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  return 'unavailable';
}
