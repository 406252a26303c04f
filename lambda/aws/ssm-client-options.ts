/**
 * Options for the SSM clients of the Slack and status handlers.
 *
 * The SDK's default waits for an answer forever: a hung SSM endpoint would keep the Slack handler until Lambda kills it
 * at 10 s, with the plan confirmed, the lock held and nobody told anything. With a bound, a read fails as a timeout
 * ("SSM did not answer in time … Nothing ran") and a SendCommand as "we cannot tell whether the command was sent",
 * which keeps the lock (see aws-failure.ts). 2.5 s per attempt and the default three attempts of a read stay under the
 * Slack handler's 10 s; SendCommand makes one attempt. `throwOnRequestTimeout`: without it the SDK only logs a warning.
 * This file imports nothing, so the lazily loaded SDK stays lazy.
 */
export const SSM_CLIENT_OPTIONS = {
  requestHandler: { connectionTimeout: 1000, requestTimeout: 2500, throwOnRequestTimeout: true },
} as const;
