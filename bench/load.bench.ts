/**
 * `npm run bench:load`: `npm run serve` under a burst of pasted errors.
 *
 * Starts `npm run serve` as a child process (signing secret, the Slack API stub on loopback as SLACK_API_URL, and the
 * idempotency store in memory, or in dynalite on loopback with BENCH_STORE=dynalite), then sends BENCH_EVENTS signed
 * `event_callback` channel messages (distinct event ids and message ts; real pastes from test/fixtures/*.jsonl, mostly
 * ones the bot answers) with BENCH_CONCURRENCY in flight. Reports throughput, p50/p99 of the HTTP answer, replies per
 * event (exactly 1 for each paste the bot answers in a channel, 0 for each it stays silent on) and the server's peak
 * RSS (VmHWM). Loopback only; bounded in count and time; exits non-zero on any violation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../test/helpers/dynamo';
import { shippedDiagnoser } from '../test/helpers/knowledge';
import { startSlackApiStub } from '../test/helpers/slack-api-stub';
import { signSlackRequest } from '../test/helpers/slack-request';
import { startServe } from './serve-process';
import { mb, ms, percentile } from './stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const STORE = process.env.BENCH_STORE === 'dynalite' ? 'dynalite' : 'memory';
/** Share of events that carry a paste the bot answers in a channel. */
const POSITIVE_SHARE = 0.85;
/** Events sent first, unmeasured, with the same concurrency: JIT and the connection pool warm up as in a running service. */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 100);
/** The whole run, start-up included, must end within this; the bench gives up (and says so) after it. */
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 180_000);
const SIGNING_SECRET = 'bench-load-signing-secret';
const CHANNEL = 'C0LOADTEST';
const BOT_USER = 'UBOTLOAD01';

interface LoadEvent {
  body: string;
  ts: string;
  /** Replies the bot must post in this message's thread: 1 for an answered paste, 0 for silence. */
  expected: 0 | 1;
}

/** Real pastes, split by what the bot does with them in a channel (the same engine the server runs). */
function pastes(): { answered: string[]; silent: string[] } {
  const diagnoser = shippedDiagnoser();
  const texts = ['real-pastes.jsonl', 'pastes-extra.jsonl', 'pastes-found.jsonl'].flatMap((file) =>
    readFileSync(path.join(__dirname, '..', 'test', 'fixtures', file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { text: string }).text),
  );
  const chatter = ['has anyone seen the deploy dashboard?', 'lunch at noon?', 'LGTM, merging', 'the upgrade went fine on staging 🎉'];
  const answered = texts.filter((text) => diagnoser.diagnose(text, { mode: 'channel' }).shouldAnswer);
  const silent = [...texts.filter((text) => !diagnoser.diagnose(text, { mode: 'channel' }).shouldAnswer), ...chatter];
  return { answered, silent };
}

function buildEvents(count: number, offset: number): LoadEvent[] {
  const { answered, silent } = pastes();
  return Array.from({ length: count }, (_, index) => {
    const n = offset + index;
    // Deterministic mix: every run sends the same events.
    const positive = (n * 0.6180339887) % 1 < POSITIVE_SHARE;
    const pool = positive ? answered : silent;
    const text = pool[n % pool.length]!;
    const ts = `${1_800_000_000 + n}.${String(n % 1_000_000).padStart(6, '0')}`;
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0LOADTEST',
      api_app_id: 'A0LOADTEST',
      type: 'event_callback',
      event_id: `Ev0LOAD${String(n).padStart(8, '0')}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: 'T0LOADTEST', user_id: BOT_USER, is_bot: true, is_enterprise_install: false }],
      event: { type: 'message', channel: CHANNEL, channel_type: 'channel', user: `U0PERSON${String(n % 50).padStart(2, '0')}`, text, ts, event_ts: ts },
    });
    return { body, ts, expected: positive ? 1 : 0 };
  });
}

/** POSTs one signed event and returns the HTTP status and the time to the answer in milliseconds. */
async function send(url: string, event: LoadEvent): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signSlackRequest(event.body, SIGNING_SECRET) },
    body: event.body,
  });
  await response.arrayBuffer();
  return { status: response.status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Sends every event with `concurrency` requests in flight; returns per-event results in order. */
async function sendAll(url: string, events: LoadEvent[], concurrency: number, deadline: number): Promise<Array<{ status: number; ms: number }>> {
  const results: Array<{ status: number; ms: number }> = new Array(events.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      if (Date.now() > deadline) throw new Error('deadline reached while sending');
      const index = next++;
      results[index] = await send(url, events[index]!).catch(() => ({ status: 0, ms: Number.NaN }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
  return results;
}

async function main(): Promise<number> {
  const deadline = Date.now() + DEADLINE_MS;
  const slack = await startSlackApiStub();
  let dynamo: LocalDynamo | undefined;
  if (STORE === 'dynalite') dynamo = await startLocalDynamo();
  const serve = await startServe({
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench-load',
    SLACK_API_URL: slack.apiUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    // Nothing may leave the machine: SSM is never called (no operators), and would fail at once on a closed port.
    AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo?.endpoint ?? 'http://127.0.0.1:9',
    ...(dynamo ? { SHIM_FIX_TABLE: dynamo.tableName } : {}),
    SHIM_FIX_LOG_LEVEL: 'INFO',
  });
  let sampler: NodeJS.Timeout | undefined;
  try {
    const warmUp = buildEvents(WARM_UP, 0);
    const events = buildEvents(EVENTS, WARM_UP);
    const rssBefore = serve.rss();
    await sendAll(serve.url, warmUp, CONCURRENCY, deadline);
    let peakRss = serve.peakRss();
    // VmHWM is the kernel's own high-water mark; sampling VmRSS as well keeps the figure if /proc lags.
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, serve.rss());
    }, 50);

    const started = process.hrtime.bigint();
    const results = await sendAll(serve.url, events, CONCURRENCY, deadline);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, serve.peakRss());

    // Listeners post before the handler answers, so every reply is in by now; allow stragglers a moment anyway.
    const all = [...warmUp, ...events];
    const expectedReplies = all.reduce((sum, event) => sum + event.expected, 0);
    for (let waited = 0; slack.calls('chat.postMessage').length < expectedReplies && waited < 5000 && Date.now() < deadline; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const repliesByTs = new Map<string, number>();
    for (const call of slack.calls('chat.postMessage')) {
      const thread = String(call.body.thread_ts ?? '');
      repliesByTs.set(thread, (repliesByTs.get(thread) ?? 0) + 1);
    }
    const violations = all.filter((event) => (repliesByTs.get(event.ts) ?? 0) !== event.expected);
    const strayReplies = [...repliesByTs.keys()].filter((ts) => !all.some((event) => event.ts === ts)).length;
    const failed = results.filter((result) => result.status !== 200);
    const latencies = results.filter((result) => result.status === 200).map((result) => result.ms);
    const positives = events.filter((event) => event.expected === 1).length;

    const lines = [
      `Load benchmark: npm run serve (node ${process.versions.node}), idempotency store: ${STORE === 'dynalite' ? 'DynamoDB API (dynalite on loopback)' : 'in memory'}, Slack API stub on loopback`,
      `  events            ${EVENTS} signed event_callback messages (${positives} pastes the bot answers, ${EVENTS - positives} it must ignore), ${CONCURRENCY} in flight, after ${WARM_UP} unmeasured warm-up events`,
      `  throughput        ${(EVENTS / (elapsedMs / 1000)).toFixed(1)} events/s (${ms(elapsedMs)} in all)`,
      `  HTTP answer       p50 ${ms(percentile(latencies, 50))}   p99 ${ms(percentile(latencies, 99))}   max ${ms(Math.max(...latencies))}`,
      `  non-200 answers   ${failed.length}`,
      `  replies           ${slack.calls('chat.postMessage').length} posted for ${expectedReplies} expected (warm-up included); events with a reply count other than expected: ${violations.length}; replies to no event: ${strayReplies}`,
      `  peak memory       ${mb(peakRss)} RSS high-water mark of the server process (pid ${serve.serverPid}; ${mb(rssBefore)} after start-up)`,
    ];
    if (process.env.BENCH_VERBOSE) {
      const order = results.map((result, index) => ({ ...result, index })).sort((a, b) => b.ms - a.ms).slice(0, 10);
      for (const slow of order) lines.push(`  slow: #${slow.index} ${ms(slow.ms)} expected=${events[slow.index]!.expected} bytes=${events[slow.index]!.body.length}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return violations.length === 0 && failed.length === 0 && strayReplies === 0 ? 0 : 1;
  } finally {
    if (sampler) clearInterval(sampler);
    await serve.stop();
    await slack.stop();
    await dynamo?.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:load: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
