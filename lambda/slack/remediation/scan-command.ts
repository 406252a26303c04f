import type { AllMiddlewareArgs, BlockAction, ButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { IdempotencyStore } from '../../aws/idempotency-store';
import { authorise } from '../../core/remediation/authorisation';
import { TargetInvalidError } from '../../core/remediation/errors';
import { parseTarget } from '../../core/remediation/targets';
import type { AppLogger } from '../../logger';
import { remediationJobSchema, type JobQueue, type RemediationJob } from '../../remediation/jobs';
import { code, mrkdwn } from '../blocks/mrkdwn';
import { dedupeKey } from '../dedupe-key';
import { claimClick } from './click-claim';
import { scanTargetText } from './scan-job';

export const SCAN_COPY = {
  usage: mrkdwn`Scan every allow-tagged instance with ${code('/shim-fix scan')}, or one tag with ${code('/shim-fix scan tag:team=payments')}.`.text,
  scanning: (target: string) =>
    mrkdwn`Scanning ${code(target)} (read-only check of every host). Results come to this channel when stale hosts are found, or a "fleet clean" reply to you.`.text,
  fleetCheck: (target: string) =>
    mrkdwn`Checking ${code(target)} (read-only, every host by id, in batches of 50). A fleet check reports one summary, not a message per host: a report in this channel when hosts will fail new containers, otherwise a "clean: N hosts checked" reply to you.`.text,
  restarting: (scanId: string) =>
    mrkdwn`Checking the stale hosts of scan ${code(scanId)} again first (read-only). The plan card follows here; nothing restarts before you confirm it.`.text,
  alreadyRestarting: (scanId: string) =>
    mrkdwn`You already asked to restart the stale hosts of scan ${code(scanId)}: their check is running and the plan card follows here. Nothing more was started.`.text,
  queueUnavailable: 'shim-fix could not start the scan right now, so nothing ran. Try again in a minute; if it keeps failing, ask the shim-fix admin to check the logs.',
} as const;

export interface ScanCommand {
  tag?: { key: string; value: string };
}

export interface ScanCommandDeps {
  operators: readonly string[];
  queue: JobQueue;
  logger: AppLogger;
  /**
   * Where a click is claimed once (the Slack handler's idempotency store): a double click on "Restart the N stale
   * hosts…" starts one fleet check, not two. Without it every click starts one.
   */
  clicks?: IdempotencyStore;
}

/**
 * `scan` and `scan tag:K=V` (case-insensitive word); undefined when the text is not a scan. A scan of anything else
 * (an instance id, two tags) is a scan with an error to show, so it is `{ error }`.
 *
 * @example
 * parseScanCommand('scan tag:team=payments') // { tag: { key: 'team', value: 'payments' } }
 */
export function parseScanCommand(text: string): ScanCommand | { error: string } | undefined {
  const match = /^scan(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!match) return undefined;
  const rest = (match[1] ?? '').trim();
  if (rest === '') return {};
  let target;
  try {
    target = parseTarget(rest);
  } catch (error) {
    if (error instanceof TargetInvalidError) return { error: `${error.message} ${SCAN_COPY.usage}` };
    throw error;
  }
  if (target.kind !== 'fleet') return { error: `A scan covers a fleet, not one instance: use ${code(`/shim-fix check ${target.instanceId}`).text} for one host. ${SCAN_COPY.usage}` };
  return { tag: target.tag };
}

/** The slash command: authorised as `check` is, answered at once (ephemeral), the fleet check handed to the worker. */
export async function startScan(scan: ScanCommand | { error: string }, input: { userId: string; channelId: string; respond: RespondFn; client: WebClient }, deps: ScanCommandDeps): Promise<void> {
  const tell = (text: string) => input.respond({ response_type: 'ephemeral', replace_original: false, text });
  await requestFleetCheck(scan, { ...input, tell }, SCAN_COPY.scanning, deps);
}

/**
 * `check tag:K=V` (the slash command or the check modal): the scan's own fleet check — same job, same authorisation
 * — so a fleet of any size answers with one summary instead of one thread post per host. `tell` reaches the requester.
 */
export async function startFleetCheck(tag: { key: string; value: string }, input: { userId: string; channelId: string; client: WebClient; tell: (text: string) => Promise<unknown> }, deps: ScanCommandDeps): Promise<void> {
  await requestFleetCheck({ tag }, input, SCAN_COPY.fleetCheck, deps);
}

async function requestFleetCheck(
  scan: ScanCommand | { error: string },
  input: { userId: string; channelId: string; client: WebClient; tell: (text: string) => Promise<unknown> },
  answer: (target: string) => string,
  deps: ScanCommandDeps,
): Promise<void> {
  const allowed = authorise(input.userId, deps.operators, 'check');
  if (!allowed.allowed) return void (await input.tell(allowed.message));
  if ('error' in scan) return void (await input.tell(scan.error));
  const job = { kind: 'scan', channelId: input.channelId, requestedBy: input.userId, ...(scan.tag ? { tag: scan.tag } : {}) } as const;
  if (await handOver(job, input.client, deps)) await input.tell(answer(scanTargetText(scan.tag)));
  else await input.tell(SCAN_COPY.queueUnavailable);
}

/**
 * "Restart the N stale hosts…" on a scan report (a public message: anyone in the channel can click). Authorised as a
 * restart; the worker reads the scan's stored ids and starts a fresh check-first fleet request over exactly those.
 */
export async function onScanRestart({ ack, body, action, respond, client }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs, deps: ScanCommandDeps): Promise<void> {
  await ack();
  const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
  const userId = body.user.id;
  const allowed = authorise(userId, deps.operators, 'restart');
  if (!allowed.allowed) return void (await tell(allowed.message));
  const scanId = action.value ?? '';
  const click = await claimClick(dedupeKey('scan-restart', scanId, userId), deps);
  if (click.taken) return void (await tell(SCAN_COPY.alreadyRestarting(scanId)));
  const job = { kind: 'scan-restart', userId, channelId: body.channel?.id ?? body.container?.channel_id ?? '', scanId } as const;
  if (await handOver(job, client, deps)) return void (await tell(SCAN_COPY.restarting(scanId)));
  // Nothing started: the next click may try again.
  await click.release();
  await tell(SCAN_COPY.queueUnavailable);
}

async function handOver(candidate: RemediationJob, client: WebClient, deps: ScanCommandDeps): Promise<boolean> {
  // Who, where and which scan come from the payload: one that does not name them properly is refused, not queued.
  const job = remediationJobSchema.safeParse(candidate);
  if (!job.success) {
    deps.logger.warn('refusing a scan request without a usable user, channel or scan id', { problem: job.error.issues.map((issue) => issue.path.join('.')).join(', ') });
    return false;
  }
  try {
    await deps.queue.enqueue(job.data, { chat: client.chat });
    return true;
  } catch (error) {
    deps.logger.error('could not hand over the scan job', { kind: job.data.kind, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return false;
  }
}
