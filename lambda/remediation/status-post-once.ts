import type { AuditRecord, RemediationStore } from '../aws/remediation-store-types';
import type { AppLogger } from '../logger';
import { DeliveryError, type RemediationNotifier } from './notifier';

/**
 * Thrown when a result is due but another invocation holds its claim without having posted it: either it is posting
 * right now, or it died before posting (timeout, crash) and its lease has not run out yet. Failing makes Lambda retry
 * the event later (and the sweeper keeps the request in flight), so the result is posted once the lease has run out
 * instead of being lost; the audit record stays open until then.
 */
export class ResultPostInProgressError extends Error {
  public constructor(requestId: string, instanceId: string) {
    super(`the result for ${instanceId} of ${requestId} is claimed but not posted yet; retrying later`);
    this.name = 'ResultPostInProgressError';
  }
}

/**
 * Claims the result post of `key`; false when it was already posted. Throws {@link ResultPostInProgressError} when
 * another invocation holds the claim without having posted.
 */
export async function claimResult(requestId: string, key: string, store: Pick<RemediationStore, 'claimResultPost' | 'isResultPosted'>): Promise<boolean> {
  if (await store.claimResultPost(requestId, key)) return true;
  if (await store.isResultPosted(requestId, key)) return false;
  throw new ResultPostInProgressError(requestId, key);
}

/**
 * Shows something at most once per `(requestId, key)`: claims it, runs `show` (which resolves with the text shown),
 * then completes the claim. A failure inside `show` gives the claim back and rethrows, so a retry shows it.
 * Resolves with the text shown, or undefined when it had been shown already.
 */
export async function showOnce(
  { store, logger }: { store: RemediationStore; logger: AppLogger },
  requestId: string,
  key: string,
  show: () => Promise<string>,
): Promise<string | undefined> {
  if (!(await claimResult(requestId, key, store))) return undefined;
  let text: string;
  try {
    text = await show();
  } catch (error) {
    // Maybe shown (a timeout, a reset after sending), or refused for good: counted as shown, so nothing posts it twice.
    if (error instanceof DeliveryError && (error.delivered === 'maybe' || !error.retryLater)) {
      logger.warn('a post failed and is not retried', { requestId, key, delivered: error.delivered, reason: error.reason });
      text = error.message;
    } else {
      // Surely not shown and worth another try (429, 5xx before acceptance, refused connection), or failed before posting.
      await store.releaseResultPost(requestId, key);
      throw error;
    }
  }
  // Shown: from here a failure must not give the claim back, or a retry would show it twice.
  await store.completeResultPost(requestId, key);
  return text;
}

/** Re-reads the audit record and has the status message rebuilt from it; a failure is only logged. */
export async function refreshStatus(requestId: string, deps: { store: RemediationStore; notifier: RemediationNotifier; logger: AppLogger }): Promise<void> {
  const audit: AuditRecord | undefined = await deps.store.getAudit(requestId);
  if (!audit?.statusMessage) return;
  try {
    await deps.notifier.statusChanged(audit);
  } catch (error) {
    // The status line is cosmetic next to the result in the thread: a failed update must not block the rest.
    deps.logger.warn('could not update the status message', { requestId, error: error instanceof Error ? error.message : String(error) });
  }
}
