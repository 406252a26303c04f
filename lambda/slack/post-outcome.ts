/**
 * What a failed Web API call tells us about its message, so that one paste gets exactly one answer.
 *
 * A call that may have reached Slack (the client timed out while Slack was still working, or the connection broke
 * after the request was written) may well have posted: it must count as posted, and must not be sent again. Only a
 * call that surely did not post (the connection was never made, 429, a 5xx with Slack's own error body, a platform
 * error such as `invalid_blocks`) may be retried, by the client or by Slack's re-delivery of the event.
 *
 * The Slack handler's client, the status handler's and the sweeper's should all be built from
 * {@link slackWebClientOptions}, and every caller that posts should read a failure through {@link classifyPostFailure}.
 */

/** Network failures where no byte of the request left this process: the TCP connection never opened. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Platform errors (`ok: false`) after which Slack's re-delivery, minutes later, may well succeed. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

export type PostFailure =
  /** Slack may have posted the message: count it as posted, never send it again. */
  | { posted: 'maybe'; reason: string }
  /** Slack surely did not post it; `retryLater` when a later attempt (Slack's re-delivery) may succeed. */
  | { posted: 'no'; retryLater: boolean; reason: string };

/**
 * Thrown by the client's fetch (see {@link deliveryAwareFetch}) when the request may have reached Slack. The Web API
 * client wraps it in its `slack_webapi_request_error`, as `original`.
 */
export class DeliveryUnknownError extends Error {
  override readonly name = 'DeliveryUnknownError';
  readonly deliveryUnknown = true;
}

/** Thrown by the client's fetch when the connection was never made: nothing reached Slack. */
export class NotSentError extends Error {
  override readonly name = 'NotSentError';
  constructor(
    readonly code: string,
    options: ErrorOptions,
  ) {
    super(`the request never left (${code})`, options);
  }
}

/**
 * Reads the Web API error's own `code` (`slack_webapi_*`); a Bolt `slack_bolt_unknown_error` wrapper is looked through.
 *
 * @example
 * classifyPostFailure(rateLimitedError) // { posted: 'no', retryLater: true, reason: 'rate_limited' }
 */
export function classifyPostFailure(error: unknown): PostFailure {
  const coded = error as { code?: unknown; original?: unknown; data?: { error?: unknown }; statusCode?: unknown; body?: unknown } | undefined;
  switch (coded?.code) {
    case 'slack_bolt_unknown_error':
      return classifyPostFailure(coded.original);
    case 'slack_webapi_platform_error': {
      const platformError = typeof coded.data?.error === 'string' ? coded.data.error : 'unknown';
      return { posted: 'no', retryLater: TRANSIENT_PLATFORM_ERRORS.has(platformError), reason: platformError };
    }
    case 'slack_webapi_rate_limited_error':
      return { posted: 'no', retryLater: true, reason: 'rate_limited' };
    case 'slack_webapi_http_error':
      // Slack answers a failure it handled with its JSON error body; a bare 5xx (a proxy timing out) may hide a post.
      return hasSlackErrorBody(coded.body)
        ? { posted: 'no', retryLater: true, reason: `http_${String(coded.statusCode)}` }
        : { posted: 'maybe', reason: `http_${String(coded.statusCode)}_without_slack_body` };
    case 'slack_webapi_request_error':
      return classifyNetworkFailure(coded.original);
    default:
      // A timeout while the client reads the response body escapes the client's wrapping: Slack had answered.
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { posted: 'maybe', reason: error.name };
      return { posted: 'no', retryLater: false, reason: 'not_a_web_api_error' };
  }
}

function classifyNetworkFailure(original: unknown): PostFailure {
  if (original instanceof DeliveryUnknownError) return { posted: 'maybe', reason: original.message };
  if (original instanceof NotSentError) return { posted: 'no', retryLater: true, reason: original.code };
  const code = connectionErrorCode(original);
  if (code !== undefined && NOT_CONNECTED.has(code)) return { posted: 'no', retryLater: true, reason: code };
  // The Web API client's own 429 handling waits for Retry-After and then fails the attempt with a plain Error so
  // that it is retried: that request was refused by Slack, not posted.
  if (original instanceof Error && original.message.startsWith('A rate limit was exceeded')) return { posted: 'no', retryLater: true, reason: 'rate_limited' };
  return { posted: 'maybe', reason: code ?? (original instanceof Error ? original.name : 'unknown') };
}

/** The client hands the body over parsed when it was JSON, as text otherwise. */
function hasSlackErrorBody(body: unknown): boolean {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return false;
    }
  }
  const { ok, error } = (parsed ?? {}) as { ok?: unknown; error?: unknown };
  return ok === false && typeof error === 'string';
}

/** `ECONNREFUSED` and friends, from fetch's `cause` (an AggregateError when several addresses were tried). */
export function connectionErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (Array.isArray(errors)) {
      const inner = errors.map(connectionErrorCode).find((found) => found !== undefined);
      if (inner !== undefined) return inner;
    }
    current = cause;
  }
  return undefined;
}

/**
 * A fetch for the Web API client that marks the failures after which the request may have reached Slack (a timeout,
 * a connection reset once connected) as {@link DeliveryUnknownError}, so {@link SLACK_POST_RETRY} can stop the
 * client from sending the same message again.
 */
export function deliveryAwareFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await inner(input, init);
    } catch (error) {
      // Errors of our own classes: the client only keeps errors of its own realm as \`original\` (fetch's come from Node's).
      const code = connectionErrorCode(error);
      if (code !== undefined && NOT_CONNECTED.has(code)) throw new NotSentError(code, { cause: error });
      const name = error instanceof Error ? error.name : 'unknown';
      throw new DeliveryUnknownError(`the request may have reached Slack (${code ?? name})`, { cause: error });
    }
  };
}

/** The Web API client's retry policy: quick retries, and only of attempts that surely did not post. */
export const SLACK_POST_RETRY = {
  retries: 2,
  factor: 2,
  minTimeout: 100,
  maxTimeout: 400,
  randomize: true,
  // p-retry (inside the client) gives up with the error thrown here, instead of retrying.
  onFailedAttempt: (error: Error): void => {
    if (classifyPostFailure(error).posted === 'maybe') throw error;
  },
} as const;

/**
 * Leaves room inside Slack's 3-second window for a retry. A slower Slack is not retried (it may have posted).
 */
export const SLACK_CLIENT_TIMEOUT_MS = 2000;

/** Web API client options for every client that posts: the Slack handler's, the status handler's and the sweeper's. */
export function slackWebClientOptions(slackApiUrl: string | undefined): {
  slackApiUrl?: string;
  retryConfig: typeof SLACK_POST_RETRY;
  timeout: number;
  fetch: typeof fetch;
} {
  return {
    ...(slackApiUrl !== undefined ? { slackApiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/` } : {}),
    retryConfig: { ...SLACK_POST_RETRY },
    timeout: SLACK_CLIENT_TIMEOUT_MS,
    fetch: deliveryAwareFetch(),
  };
}
