import type { ReliabilityCase } from './types';

/**
 * Bad-input classes (issue 6 point 3), one entry per property test in test/bad-input/**.
 * Owned by the bad-input work; test/reliability/catalogue.ts concatenates it with fault-cases.ts.
 *
 * Each test reads its run count from its entry through `badInputCase(id).count`, so the figure in
 * docs/reliability.md is the number of inputs the test really tried.
 */
const EVENTS = 'test/bad-input/slack-events.test.ts';
const COMMANDS = 'test/bad-input/slash-commands.test.ts';
const INTERACTIVITY = 'test/bad-input/interactivity.test.ts';
const RAW = 'test/bad-input/raw-bodies.test.ts';
const STATUS = 'test/bad-input/status-events.test.ts';
const CLI = 'test/bad-input/cli.test.ts';

const NO_ECHO = 'never a 5xx, a listener crash or an unhandled rejection; no posted message contains an unescaped mention from the input';

export const badInputCases: readonly ReliabilityCase[] = [
  {
    id: 'input-events-hostile-text',
    area: 'input:events',
    fault: 'Hostile text in messages, DMs, thread replies and app mentions',
    tried: 'signed event_callback with mrkdwn injection (<!channel>, <!here>, <!everyone>, <@U…>, <#C…>, <!subteam^…>), control characters, lone surrogates and truncated pastes',
    count: 150,
    outcome: `${NO_ECHO}; at most one reply per event, always threaded in channels`,
    test: { file: EVENTS, name: 'hostile text in messages, DMs and mentions is answered at most once and never echoes a mention' },
  },
  {
    id: 'input-events-oversized',
    area: 'input:events',
    fault: 'Pastes over 40,000 characters',
    tried: 'signed message and app_mention events of 40,001 to 80,000 characters, mentions spread through them',
    count: 12,
    outcome: 'one answer that fits Slack’s limits (50 blocks, 3,000 per section, 40,000 per message), no echoed mention',
    test: { file: EVENTS, name: 'pastes over 40,000 characters get one answer within Slack’s limits' },
  },
  {
    id: 'input-events-wrong-types',
    area: 'input:events',
    fault: 'Wrong types in every event and envelope field',
    tried: 'signed event_callback whose fields (event, event_id, authorizations, type, channel, user, text, ts, thread_ts, subtype, …) are null, numbers, arrays, objects or prototype keys',
    count: 200,
    outcome: 'a 200 or 400 answer, never a 5xx or an unhandled rejection, nothing posted that echoes a mention',
    test: { file: EVENTS, name: 'wrong types in every event field get a 2xx or 400, never a 5xx' },
  },
  {
    id: 'input-slash-hostile-text',
    area: 'input:slash-commands',
    fault: 'Hostile /shim-fix text',
    tried: 'signed /shim-fix with help, search, check, restart, instance ids and tags mixed with injection, control characters and over-long text',
    count: 150,
    outcome: `200 with an ephemeral answer; ${NO_ECHO}; no SendCommand`,
    test: { file: COMMANDS, name: 'hostile /shim-fix text gets an answer that echoes no mention and runs nothing' },
  },
  {
    id: 'input-slash-wrong-fields',
    area: 'input:slash-commands',
    fault: 'Missing, repeated and odd slash-command form fields',
    tried: 'signed form bodies with fields dropped, repeated (arrays), empty or hostile (user_id, channel_id, response_url, trigger_id)',
    count: 120,
    outcome: 'a 200 or 400 answer, never a 5xx or an unhandled rejection, no echoed mention',
    test: { file: COMMANDS, name: 'missing, repeated and hostile form fields never get a 5xx' },
  },
  {
    id: 'input-actions-every-action-id',
    area: 'input:block-actions',
    fault: 'Hostile block actions for every action_id the app registers',
    tried: 'runbook_post:<id>, runbook_full, feedback_up/down, remediation_confirm, remediation_cancel, remediation_restart, remediation_check_open with hostile values, users, channels, containers and response URLs, and real plans clicked by their operator or someone else',
    count: 200,
    outcome: `${NO_ECHO}; no SendCommand but the operator’s Confirm of their own plan, at most once; a click without a usable response URL is acknowledged and ignored`,
    test: { file: INTERACTIVITY, name: 'hostile clicks on every registered action never run a command or echo a mention' },
  },
  {
    id: 'input-view-submission-check-modal',
    area: 'input:view-submissions',
    fault: 'Hostile check-modal submissions',
    tried: 'view_submission of the check modal with hostile target text, private_metadata (invalid JSON, wrong types, hostile channel) and malformed state',
    count: 120,
    outcome: `a field error or a plan card for the submitter only; ${NO_ECHO}`,
    test: { file: INTERACTIVITY, name: 'hostile check-modal submissions get a field error or a plan, never a 5xx or an echo' },
  },
  {
    id: 'input-message-shortcut',
    area: 'input:shortcuts',
    fault: 'Hostile message shortcuts',
    tried: 'message_action "Diagnose with shim-fix" on hostile, oversized and empty messages, with wrong-typed message, channel and user fields',
    count: 100,
    outcome: `at most one threaded answer per shortcut; ${NO_ECHO}`,
    test: { file: INTERACTIVITY, name: 'hostile message shortcuts are answered at most once and never echo a mention' },
  },
  {
    id: 'input-raw-invalid-utf8',
    area: 'input:http',
    fault: 'Invalid UTF-8 bytes in the raw body',
    tried: 'bodies with stray continuation bytes, overlong encodings, lone surrogates and truncated sequences, signed over the exact bytes, base64 in the Function URL event and raw through npm run serve’s HTTP server',
    count: 60,
    outcome: 'a 4xx, never a 5xx (401 even when signed: the signature covers bytes that UTF-8 decoding has to replace)',
    test: { file: RAW, name: 'invalid UTF-8 bytes in a signed body get a 4xx, never a 5xx' },
  },
  {
    id: 'input-raw-deep-nesting',
    area: 'input:http',
    fault: 'Deeply nested JSON',
    tried: '10,000 levels of arrays and objects as the whole body, as the event, as an event field, as the interactive payload and in a button value',
    count: 6,
    outcome: 'a 200 or 400 answer, never a 5xx, a stack overflow or an unhandled rejection',
    test: { file: RAW, name: '10,000 levels of nesting anywhere in a signed body never get a 5xx' },
  },
  {
    id: 'input-raw-huge-arrays',
    area: 'input:http',
    fault: 'Huge arrays',
    tried: '100,000-element arrays as authorizations, actions, blocks, event text and slash-command fields',
    count: 5,
    outcome: '413 for the two bodies over 1 MB (authorizations, actions), refused before they are parsed; 200 or 400 for the three just under 1 MB; never a 5xx; at most one message posted',
    test: { file: RAW, name: 'huge arrays in a signed body never get a 5xx' },
  },
  {
    id: 'input-raw-truncated',
    area: 'input:http',
    fault: 'Truncated bodies',
    tried: 'valid signed event, slash-command and interactivity bodies cut at a random byte, then signed',
    count: 150,
    outcome: 'a 200 or 400 answer, never a 5xx or an unhandled rejection',
    test: { file: RAW, name: 'signed bodies cut at any point get a 200 or 400' },
  },
  {
    id: 'input-raw-unsigned-junk',
    area: 'input:http',
    fault: 'Unsigned, forged and stale junk',
    tried: 'random bodies and content types without a signature, with a forged one or a timestamp over 5 minutes old',
    count: 150,
    outcome: '401, nothing posted',
    test: { file: RAW, name: 'unsigned or forged junk gets 401 and nothing is posted' },
  },
  {
    id: 'input-eventbridge-wrong-shape',
    area: 'input:eventbridge',
    fault: 'Malformed SSM status events',
    tried: 'EventBridge events with wrong detail-type, source, ids and times, statuses that are not SSM’s words (markup, @here, control characters), wrong types in every field, 10,000-level nesting and 100,000-element arrays',
    count: 200,
    outcome: 'ignored and logged (no throw, so no pointless Lambda retry), nothing posted',
    test: { file: STATUS, name: 'malformed status events are ignored without a throw or a post' },
  },
  {
    id: 'input-eventbridge-hostile-output',
    area: 'input:eventbridge',
    fault: 'Hostile statuses and command output for a real command',
    tried: 'status events (each delivered twice) for a command sent through Slack, with hostile statuses, and SSM output with mentions, control characters, 100,000-character stderr, hostile result-line messages and bogus result lines',
    count: 40,
    outcome: 'at most one result in the thread however often the event comes, within Slack’s limits, echoing no mention; the handler never throws',
    test: { file: STATUS, name: 'hostile statuses and command output reach the thread escaped and within limits' },
  },
  {
    id: 'input-cli-diagnose',
    area: 'input:cli',
    fault: 'Hostile diagnose input',
    tried: 'shim-fix diagnose [--json] [--mode …] with hostile, oversized and invalid-UTF-8 text as arguments and on stdin, and odd options',
    count: 80,
    outcome: 'exit 0, 1 or 2 with a message; --json output parses; never a stack trace',
    test: { file: CLI, name: 'diagnose exits 0, 1 or 2 with a message on any input' },
  },
  {
    id: 'input-cli-batch',
    area: 'input:cli',
    fault: 'Hostile --batch JSON Lines',
    tried: 'lines that are truncated JSON, wrong types for id and text, 10,000-level nesting, huge arrays, invalid UTF-8, blank and CRLF lines',
    count: 60,
    outcome: 'one JSON output line per input line (a result or an error naming the line), exit 0 or 1, never a stack trace',
    test: { file: CLI, name: 'batch answers every JSON Lines input line with one output line' },
  },
  {
    id: 'input-cli-search',
    area: 'input:cli',
    fault: 'Hostile search queries and options',
    tried: 'shim-fix search with hostile queries, --limit values and unknown options',
    count: 80,
    outcome: 'exit 0 or 2 with results or a usage message, never a stack trace',
    test: { file: CLI, name: 'search exits 0 or 2 with a message on any query' },
  },
];

/** The entry a test reads its run count from; throws when the id is unknown so a renamed case fails loudly. */
export function badInputCase(id: string): ReliabilityCase {
  const found = badInputCases.find((entry) => entry.id === id);
  if (!found) throw new Error(`no bad-input case "${id}" in test/reliability/bad-input-cases.ts`);
  return found;
}
