import { DeliveryError } from '../../remediation/notifier';
import { classifyPostFailure } from '../post-outcome';

/**
 * Awaits a Web API call that shows something and reads its failure the way the diagnosis answers do
 * (post-outcome.ts), as a chat-agnostic DeliveryError: may Slack have shown it, and is another try worth it. Used by
 * every remediation notifier (single-instance status path, fleet thread lines). An error that is not the Web API's
 * (a bug, a fake) is passed on as it is.
 *
 * @example
 * await delivered(chat.postMessage({ channel, thread_ts, text })); // rejects with DeliveryError('maybe', …) on a timeout
 */
export async function delivered(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.reason === 'not_a_web_api_error') throw error;
    throw new DeliveryError(failure.posted, failure.posted === 'no' && failure.retryLater, failure.reason, { cause: error });
  }
}
