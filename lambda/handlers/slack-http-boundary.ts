import { createHmac, timingSafeEqual } from 'node:crypto';
import querystring from 'node:querystring';
import type { AppLogger } from '../logger';
import { isRoutableSlackBody, isUnanswerableSlackBody } from './slack-envelope';

/** The Function URL (payload format 2.0) request and response shapes, as far as Slack traffic needs them. */
export interface FunctionUrlEvent {
  version: string;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: Record<string, unknown>;
}

export interface FunctionUrlResponse {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  body: string;
  isBase64Encoded?: boolean;
}

export type SlackHttpHandler = (event: FunctionUrlEvent, context: unknown) => Promise<FunctionUrlResponse>;

/** Slack's own requests are a few kilobytes; Function URLs accept 6 MB, which only a forger would send. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Slack's samples refuse a request whose timestamp is more than five minutes off, in either direction. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * What Bolt's `AwsLambdaReceiver` leaves to us at the HTTP boundary, in this order:
 *
 * - A body over {@link MAX_BODY_BYTES} gets 413 before anything else is done with it.
 * - The signature is checked over the raw body before it is parsed (Bolt parses first, then verifies), and a
 *   timestamp more than five minutes in the future is refused like a stale one (Bolt checks only the past): 401.
 *
 * - Base64 bodies are decoded as UTF-8 here. The receiver decodes them as ASCII, which garbles every
 *   non-ASCII character (a Chinese paste) and then fails the signature check.
 * - `Content-Type: application/json; charset=utf-8` is reduced to its media type (the receiver compares it
 *   exactly).
 * - A body that is not a JSON object or a form, or whose envelope Bolt cannot route (`slack-envelope.ts`), is
 *   answered 401 when unsigned and 400 when signed, instead of the receiver's unhandled exception (a 502 from
 *   Lambda) or Bolt's TypeError (a 500).
 * - A signed request no listener handles (a payload type we do not use) is acknowledged with 200 and ignored:
 *   a 404 makes Slack retry and show the user an error. So is a click or message shortcut without the response
 *   URL our listeners answer through (Slack always sends one; without it the listener would crash on `respond`).
 */
export function hardenSlackHandler(inner: SlackHttpHandler, { signingSecret, logger }: { signingSecret: string; logger: AppLogger }): SlackHttpHandler {
  return async (event, context) => {
    const headers = normaliseHeaders(event.headers ?? {});
    if (bodyBytes(event) > MAX_BODY_BYTES) {
      logger.warn('request body over 1 MB refused', { bytes: bodyBytes(event) });
      return { statusCode: 413, body: '' };
    }
    const rawBody = event.body === undefined || event.body === null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

    const signature = verifySlackSignature({ signingSecret, rawBody, headers, nowSeconds: Math.floor(Date.now() / 1000) });
    if (signature !== 'valid') {
      logger.warn('request with an invalid signature rejected', { contentType, reason: signature });
      return { statusCode: 401, body: '' };
    }

    const shape = slackBodyShape(rawBody, contentType);
    if (shape === 'unanswerable') {
      logger.warn('signed interactive payload without a response URL acknowledged and ignored');
      return { statusCode: 200, body: '' };
    }
    if (shape === 'malformed') {
      logger.warn('signed request with a malformed body rejected', { contentType });
      return { statusCode: 400, body: 'malformed request body' };
    }

    let response: FunctionUrlResponse;
    try {
      response = await inner({ ...event, headers: { ...headers, 'content-type': contentType }, body: rawBody, isBase64Encoded: false }, context);
    } catch (error) {
      logger.error('unhandled error while processing a Slack request', { error: error instanceof Error ? error.message : String(error) });
      return { statusCode: 500, body: '' };
    }
    if (response.statusCode === 404) {
      logger.info('signed request with no listener acknowledged and ignored');
      return { statusCode: 200, body: '' };
    }
    return response;
  };
}

/** The body's size in bytes without decoding it (base64 carries 3 bytes in every 4 characters). */
function bodyBytes(event: FunctionUrlEvent): number {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body, 'utf8');
}

export type SignatureVerdict = 'valid' | 'missing' | 'bad_timestamp' | 'stale' | 'future' | 'mismatch';

/**
 * Slack's request signing (`v0=` HMAC-SHA256 of `v0:<timestamp>:<raw body>`), over the raw body, with the clock
 * checked both ways. Constant-time comparison.
 */
export function verifySlackSignature({
  signingSecret,
  rawBody,
  headers,
  nowSeconds,
}: {
  signingSecret: string;
  rawBody: string;
  headers: Record<string, string | undefined>;
  nowSeconds: number;
}): SignatureVerdict {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (signature === undefined || timestamp === undefined) return 'missing';
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad_timestamp';
  const skew = nowSeconds - Number(timestamp);
  if (skew > MAX_CLOCK_SKEW_SECONDS) return 'stale';
  if (skew < -MAX_CLOCK_SKEW_SECONDS) return 'future';
  const expected = Buffer.from(`v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`, 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'mismatch';
}

/** Lower-case header names (HTTP is case-insensitive; Function URLs lower-case them, other callers may not). */
function normaliseHeaders(headers: Record<string, string | undefined>): Record<string, string | undefined> {
  const normalised: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) normalised[name.toLowerCase()] = value;
  return normalised;
}

/**
 * `routable` when the receiver can parse the body into an object (what Slack always sends) that Bolt can route;
 * `unanswerable` for a well-formed interactive payload our listeners could not answer (`isUnanswerableSlackBody`).
 */
function slackBodyShape(rawBody: string, contentType: string): 'routable' | 'unanswerable' | 'malformed' {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = querystring.parse(rawBody);
      if (typeof form.payload === 'string') return shapeOf(JSON.parse(form.payload));
      return Object.keys(form).length > 0 ? shapeOf(form) : 'malformed';
    }
    return shapeOf(JSON.parse(rawBody));
  } catch {
    return 'malformed';
  }
}

function shapeOf(value: unknown): 'routable' | 'unanswerable' | 'malformed' {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isRoutableSlackBody(value as Record<string, unknown>)) return 'malformed';
  return isUnanswerableSlackBody(value as Record<string, unknown>) ? 'unanswerable' : 'routable';
}
