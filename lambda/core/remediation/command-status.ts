/**
 * Run Command statuses, for one invocation (one instance) or the whole command, and the order they move in.
 * EventBridge may deliver status events twice or out of order: a status is applied only when it ranks above the one
 * stored, so a terminal state never regresses and a duplicate is a no-op.
 */

/** Statuses after which nothing more happens (SSM "Understanding command statuses", incl. detailed statuses). */
export const TERMINAL_STATUSES = [
  'Success',
  'Failed',
  'TimedOut',
  'Cancelled',
  'DeliveryTimedOut',
  'ExecutionTimedOut',
  'Undeliverable',
  'Terminated',
  'InvalidPlatform',
  'AccessDenied',
  'Incomplete',
  'RateExceeded',
  'NoInstancesInTag',
] as const;

const RANK: Record<string, number> = { Pending: 1, Delayed: 2, InProgress: 3, Cancelling: 4 };
const TERMINAL_RANK = 10;

/** `Access Denied` and `Rate Exceeded` appear with spaces in some places; compare without them. */
export function normaliseStatus(status: string): string {
  return status.replace(/\s+/g, '');
}

export function isTerminalStatus(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(normaliseStatus(status));
}

/** Higher means later. Unknown non-terminal statuses rank lowest so they never overwrite a known one. */
export function statusRank(status: string): number {
  const normalised = normaliseStatus(status);
  if (isTerminalStatus(normalised)) return TERMINAL_RANK;
  return RANK[normalised] ?? 0;
}

/** True when `next` should replace `current` (undefined = nothing stored yet). */
export function isNewerStatus(current: string | undefined, next: string): boolean {
  return current === undefined || statusRank(next) > statusRank(current);
}

export function isSuccessStatus(status: string): boolean {
  return normaliseStatus(status) === 'Success';
}

/** Final outcome of a request, as written to the audit record. */
export type RequestOutcome = 'succeeded' | 'failed' | 'refused' | 'not-sent' | 'unknown' | 'cancelled';

/** Outcome of a whole command from its final per-instance statuses: one failure fails the request. */
export function outcomeOf(statuses: readonly string[]): RequestOutcome {
  if (statuses.length === 0) return 'failed';
  if (statuses.every(isSuccessStatus)) return 'succeeded';
  if (statuses.every((status) => normaliseStatus(status) === 'Cancelled')) return 'cancelled';
  return 'failed';
}
