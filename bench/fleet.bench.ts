/**
 * `npm run bench:fleet`: a fleet restart request of 100 and of 1,000 instances through the real Slack and status
 * handlers on loopback (test/helpers/fleet-simulation.ts: the real AWS SDK against the SSM protocol stub, dynalite
 * behind a counting proxy, the Slack API stub; status events late, twice and shuffled).
 *
 * Prints per size: the time to Slack's HTTP answer for `/shim-fix restart tag:…` and for Confirm (targets: under 1 s
 * at any size, issue 13 point 1), the time to the fleet plan card, and the SSM, DynamoDB and Slack calls the request
 * made. Slack calls must be bounded independently of the fleet size, except one thread post per failed host: the bound
 * is the fixed messages (answers, plan card, status message, final summary, the table button unused) plus the progress
 * throttle's bound for the rollout's duration (lambda/remediation/fleet/progress.ts). Exits non-zero when a target is
 * missed, as bench/run-all.ts expects. Loopback figures: our own work plus loopback round trips, no network.
 */
import { logger } from '../lambda/logger';
import { maxProgressUpdates, PROGRESS_MIN_INTERVAL_MS } from '../lambda/remediation/fleet/progress';
import { confirmButtonOf as findConfirm, startFleetWorld } from '../test/helpers/fleet-simulation';

const SIZES = (process.env.BENCH_FLEET_SIZES ?? '100,1000').split(',').map(Number);
const RESTART_FAILURES = Number(process.env.BENCH_FLEET_FAILURES ?? 2);
const ANSWER_TARGET_MS = 1_000;
/** Slack calls a fleet request makes whatever its size: slash answer, plan card, Confirm answer(s), status post, summary. */
const FIXED_SLACK_CALLS = 8;

interface SizeResult {
  size: number;
  slashMs: number;
  planCardMs: number | undefined;
  confirmMs: number | undefined;
  rolloutMs: number | undefined;
  ssm: number;
  dynamo: number;
  slack: number;
  slackBound: number;
  chatUpdates: number;
  failures: number;
  problems: string[];
}

type Blocks = unknown;

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((total, count) => total + count, 0);
const delta = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - (before[name] ?? 0)]).filter(([, count]) => Number(count) > 0));

async function main(): Promise<void> {
  // Thousands of requests: only errors are worth printing between the figures.
  if (process.env.SHIM_FIX_LOG_LEVEL === undefined) logger.setLogLevel('ERROR');
  const world = await startFleetWorld({ seed: 5 });
  const results: SizeResult[] = [];
  try {
    // Warm figures: the first request of a process also loads the knowledge bundle and Bolt (bench:slack measures that).
    await world.slash('help');
    for (const size of SIZES) {
      const problems: string[] = [];
      const fleet = world.addFleet({ size, seed: size, restartFailures: RESTART_FAILURES });
      const before = world.counts();
      const ephemeralsBefore = world.slack.calls('chat.postEphemeral').length;
      const started = performance.now();
      const slash = await world.slash(`restart tag:${fleet.tag.key}=${fleet.tag.value}`);
      if (slash.statusCode !== 200) problems.push(`slash answered ${String(slash.statusCode)}`);
      let card: Blocks | undefined;
      let planCardMs: number | undefined;
      await world.pump.settle({
        timeoutMs: 180_000,
        until: () => {
          const posted = world.slack.calls('chat.postEphemeral').slice(ephemeralsBefore).find((call) => findConfirm(call.body.blocks) !== undefined);
          if (posted && planCardMs === undefined) {
            planCardMs = performance.now() - started;
            card = posted.body.blocks;
          }
          return posted !== undefined;
        },
      }).catch((error: unknown) => problems.push(`no plan card with a Confirm: ${error instanceof Error ? error.message : String(error)}`));

      let confirmMs: number | undefined;
      let rolloutMs: number | undefined;
      const confirm = card === undefined ? undefined : findConfirm(card);
      if (confirm) {
        const rolloutStarted = performance.now();
        const clicked = await world.click(confirm.actionId, confirm.value);
        confirmMs = clicked.ms;
        if (clicked.statusCode !== 200) problems.push(`Confirm answered ${String(clicked.statusCode)}`);
        await world.pump.settle({ timeoutMs: 600_000, idleMs: 1_000 }).catch((error: unknown) => problems.push(`rollout did not settle: ${error instanceof Error ? error.message : String(error)}`));
        rolloutMs = performance.now() - rolloutStarted;
      }
      const after = world.counts();
      const slackCalls = delta(after.slack, before.slack);
      const restarts = world.restartsPerInstance();
      const twice = fleet.instanceIds.filter((id) => (restarts.get(id) ?? 0) > 1);
      if (twice.length > 0) problems.push(`${twice.length} instances restarted twice`);
      const failures = [...fleet.restartFailures].filter((id) => restarts.has(id)).length;
      const slackBound = FIXED_SLACK_CALLS + maxProgressUpdates(rolloutMs ?? 0) + failures;
      results.push({
        size,
        slashMs: slash.ms,
        planCardMs,
        confirmMs,
        rolloutMs,
        ssm: sum(delta(after.ssm, before.ssm)),
        dynamo: sum(delta(after.dynamo, before.dynamo)),
        slack: sum(slackCalls),
        slackBound,
        chatUpdates: slackCalls['chat.update'] ?? 0,
        failures,
        problems,
      });
      process.stdout.write(`fleet ${size}: SSM ${JSON.stringify(delta(after.ssm, before.ssm))}\n  DynamoDB ${JSON.stringify(delta(after.dynamo, before.dynamo))}\n  Slack ${JSON.stringify(slackCalls)}\n`);
    }
  } finally {
    await world.stop();
  }

  const fmt = (value: number | undefined): string => (value === undefined ? '—' : `${value.toFixed(0)} ms`);
  const rows = [
    ['instances', 'Slack answer', 'Confirm answer', 'plan card', 'rollout', 'SSM calls', 'DynamoDB calls', 'Slack calls', 'Slack bound', 'chat.update', 'held'],
    ...results.map((result) => [
      String(result.size),
      fmt(result.slashMs),
      fmt(result.confirmMs),
      fmt(result.planCardMs),
      fmt(result.rolloutMs),
      String(result.ssm),
      String(result.dynamo),
      String(result.slack),
      `${FIXED_SLACK_CALLS} + ${result.slackBound - FIXED_SLACK_CALLS - result.failures} + ${result.failures} failed = ${result.slackBound}`,
      String(result.chatUpdates),
      result.slack <= result.slackBound ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  process.stdout.write(`\n${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n')}\n`);
  process.stdout.write(`Slack bound = fixed messages + progress updates for the rollout's duration (ceil(d / ${PROGRESS_MIN_INTERVAL_MS / 1000} s) + ${maxProgressUpdates(0)}) + one thread post per failed host.\n`);

  const missed: string[] = [];
  for (const result of results) {
    if (result.slashMs > ANSWER_TARGET_MS) missed.push(`${result.size}: Slack answer ${fmt(result.slashMs)} (target < ${ANSWER_TARGET_MS} ms)`);
    if (result.confirmMs !== undefined && result.confirmMs > ANSWER_TARGET_MS) missed.push(`${result.size}: Confirm answer ${fmt(result.confirmMs)} (target < ${ANSWER_TARGET_MS} ms)`);
    if (result.planCardMs === undefined) missed.push(`${result.size}: no plan card`);
    if (result.slack > result.slackBound) missed.push(`${result.size}: ${result.slack} Slack calls, bound ${result.slackBound}`);
    missed.push(...result.problems.map((problem) => `${result.size}: ${problem}`));
  }
  if (missed.length > 0) {
    process.stdout.write(`\nMISSED:\n${missed.map((line) => `  ${line}`).join('\n')}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('\nAll fleet targets met.\n');
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
