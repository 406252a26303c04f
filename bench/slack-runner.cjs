'use strict';
/**
 * Child process of `npm run bench:slack` (plain node, no TypeScript loader, so a cold start is a real one).
 *   node bench/slack-runner.cjs cold <bundle.js> <events.json>   load the bundle, serve the first event
 *   node bench/slack-runner.cjs warm <bundle.js> <iterations>    time pastes and slash commands on a warm handler
 * Prints one line `BENCH <json>`.
 */
const { createHmac } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const [mode, bundle, arg] = process.argv.slice(2);
const secret = process.env.SLACK_SIGNING_SECRET;
const context = { awsRequestId: 'bench', functionName: 'shim-fix-bench' };

function signed(body, contentType) {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: { 'content-type': contentType, 'x-slack-signature': signature, 'x-slack-request-timestamp': String(ts) },
    body,
    isBase64Encoded: false,
    requestContext: {},
  };
}

let counter = 0;
function pasteEvent(text) {
  counter += 1;
  const ts = `${1700000000 + counter}.${String(counter).padStart(6, '0')}`;
  return signed(
    JSON.stringify({
      type: 'event_callback',
      team_id: 'T0BENCH01',
      event_id: `EvBench${process.pid}x${counter}`,
      authorizations: [{ team_id: 'T0BENCH01', user_id: 'UBOT00001', is_bot: true }],
      event: { type: 'message', channel: 'C0BENCH01', channel_type: 'channel', user: 'U0PERSON1', text, ts },
    }),
    'application/json',
  );
}

function slashCommand(text) {
  const body = new URLSearchParams({
    team_id: 'T0BENCH01', channel_id: 'C0BENCH01', user_id: 'U0PERSON1', command: '/shim-fix', text,
    response_url: `${process.env.SLACK_API_URL}../response/bench`, trigger_id: '1.2.3',
  }).toString();
  return signed(body, 'application/x-www-form-urlencoded');
}

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function cold() {
  const paste = JSON.parse(readFileSync(arg, 'utf8')).paste;
  const event = pasteEvent(paste);
  const start = performance.now();
  const { handler } = require(bundle);
  const loaded = performance.now();
  const response = await handler(event, context);
  const done = performance.now();
  return { loadMs: loaded - start, firstRequestMs: done - loaded, totalMs: done - start, status: response.statusCode };
}

async function warm() {
  const iterations = Number(arg);
  const { handler } = require(bundle);
  const paste = 'Nov 10 12:00:01 node-7 dockerd[812]: level=error msg="failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented"';
  const measure = async (make) => {
    const samples = [];
    for (let i = 0; i < iterations; i += 1) {
      const event = make();
      const start = performance.now();
      const response = await handler(event, context);
      samples.push(performance.now() - start);
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    }
    return samples;
  };
  // Warm-up: JIT, connection pool, lazily built parts.
  await measure(() => pasteEvent(paste));
  await measure(() => slashCommand('search unsupported shim version'));
  const pastes = await measure(() => pasteEvent(paste));
  const commands = await measure(() => slashCommand('search unsupported shim version'));
  return {
    paste: { p50: percentile(pastes, 50), p99: percentile(pastes, 99) },
    slash: { p50: percentile(commands, 50), p99: percentile(commands, 99) },
  };
}

(mode === 'cold' ? cold() : warm()).then(
  (result) => process.stdout.write(`\nBENCH ${JSON.stringify(result)}\n`),
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
