/**
 * Options for every DynamoDB client the Slack handler creates.
 *
 * Slack stops waiting after 3 seconds, and the SDK's defaults (no request timeout, three attempts) would let one slow
 * table call eat all of it. A healthy conditional write takes about 10 ms; 500 ms per attempt and two attempts
 * bound a sick table at about 1.2 s, which leaves time to answer anyway (diagnosis) or to refuse clearly
 * (remediation). `throwOnRequestTimeout` matters: without it the SDK only logs a warning when the request timeout
 * passes and keeps waiting. This file imports nothing, so the lazily loaded SDK stays lazy.
 */
export const DYNAMO_CLIENT_OPTIONS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 200, requestTimeout: 500, throwOnRequestTimeout: true },
} as const;
