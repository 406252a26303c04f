import { createServer, request as httpRequest, type Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { InMemoryRemediationStore } from '../../lambda/aws/in-memory-remediation-store';
import { DynamoRemediationStore } from '../../lambda/aws/remediation-store';
import type { RemediationStore } from '../../lambda/aws/remediation-store-types';
import { createCommandStatusHandler, buildStatusDeps } from '../../lambda/handlers/command-status';
import { buildSlackHandler, handler as moduleSlackHandler } from '../../lambda/handlers/slack';
import type { FunctionUrlEvent, FunctionUrlResponse } from '../../lambda/handlers/slack-http-boundary';
import { oncePerInstance } from '../../lambda/once-per-instance';
import { RESULT_LINE_PREFIX, type ScriptResult } from '../../lambda/core/remediation/result-line';
import { isTerminalStatus } from '../../lambda/core/remediation/command-status';
import { RESTARTED, STALE_DAEMON_CHECK } from '../unit/remediation/fixtures';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from './slack-handler-env';
import { blockActionPayload, functionUrlEvent, interactiveBody, slashCommandBody } from './slack-request';
import { invocationStatusEvent } from './ssm-events';
import { startSsmProtocolStub, type InvocationResponder, type SsmProtocolStub } from './ssm-protocol-stub';

/**
 * A fleet on loopback, driven through the real handlers: the real Slack Lambda handler (signed requests, Bolt, the
 * in-process remediation worker), the real status handler, the real AWS SDK against the SSM protocol stub, dynalite
 * behind a counting proxy, and the Slack API stub. Used by test/integration/remediation/fleet-simulation.test.ts and
 * bench/fleet.bench.ts, so it uses no test-runner API.
 *
 * The remediation store (plans, locks, fleet findings and outcomes, command pointers) is one of two:
 * - `store: 'dynalite'` (default): the DynamoDB store on dynalite, as in production (the real protocol, conditional
 *   writes, item sizes), written by the module-level Lambda `handler` and read by the status handler. About 19 DynamoDB
 *   calls per host through loopback HTTP: a 1,000-host flow takes ~3 minutes on 2 busy cores.
 * - `store: 'memory'`: one `InMemoryRemediationStore` (the same `RemediationStore` rules, kept in this process) given
 *   to both handlers, the Slack one built for this world with `buildSlackHandler` (the module-level `handler` is built
 *   once per process with the table's store). Everything else is as above: Slack's idempotency store stays on dynalite.
 *
 * SSM status events are delivered the way EventBridge and Lambda deliver them at scale: late (a share is held back to
 * a later round), twice (every terminal event), out of order (a seeded shuffle, `InProgress` after `Success`), by
 * several concurrent "Lambdas", and retried when the handler throws (as Lambda's asynchronous invocation does).
 *
 * @example
 * const world = await startFleetWorld({ operator: 'U0PERSON01' });
 * const fleet = world.addFleet({ size: 1_000, seed: 7 });
 * await world.slash(`restart tag:${fleet.tag.key}=${fleet.tag.value}`);
 * await world.pump.settle({ until: () => world.slack.calls('chat.postEphemeral').length > 0 });
 */

/** What the check measures on a simulated host. */
export type SimVerdict = 'stale' | 'stale-docker' | 'healthy' | 'downgrade' | 'managed-elsewhere' | 'no-result';

/** Verdicts whose check calls for a containerd restart (`stale-docker` only with the explicit Docker choice). */
export const RESTART_VERDICTS: readonly SimVerdict[] = ['stale'];

/** Share of each verdict in a simulated fleet (the rest is `stale`). */
export const DEFAULT_MIX: Readonly<Record<Exclude<SimVerdict, 'stale'>, number>> = {
  'stale-docker': 0.08,
  healthy: 0.2,
  downgrade: 0.04,
  'managed-elsewhere': 0.03,
  'no-result': 0.02,
};

export interface SimFleet {
  tag: { key: string; value: string };
  /** Sorted. */
  instanceIds: string[];
  verdicts: ReadonlyMap<string, SimVerdict>;
  /** Instances whose restart fails (the script reports `failed`). */
  restartFailures: ReadonlySet<string>;
}

export interface AddFleetOptions {
  size: number;
  seed: number;
  mix?: Partial<Record<Exclude<SimVerdict, 'stale'>, number>>;
  /** How many `stale` hosts' restarts fail, chosen by the seed. @default 0 */
  restartFailures?: number;
}

export interface CallCounts {
  ssm: Record<string, number>;
  /** DynamoDB operations by name (`PutItem`, `Query`, …) that reached the table through the counting proxy. */
  dynamo: Record<string, number>;
  /**
   * The memory store's method calls by name (`recordFinding`, `claimPlan`, …; each one or a few DynamoDB calls with the
   * table's store). `{}` on dynalite, where each handler builds its own store.
   */
  store: Record<string, number>;
  slack: Record<string, number>;
}

/** Where the world keeps the remediation store (see the module comment). */
export type FleetStoreKind = 'dynalite' | 'memory';

export interface FleetWorldOptions {
  operator?: string;
  seed?: number;
  /** @default 'dynalite' */
  store?: FleetStoreKind;
}

export interface FleetWorld {
  slack: SlackHandlerEnvironment['slack'];
  /** The table the handlers use (with the memory store: only Slack's idempotency store), and a client for it (through the counting proxy). */
  dynamo: { tableName: string; client: DynamoDBClient };
  /** The remediation store the handlers share, to seed or read it: the table's through the proxy, or the in-memory one. */
  store: RemediationStore;
  storeKind: FleetStoreKind;
  ssm: SsmProtocolStub;
  pump: EventPump;
  operator: string;
  addFleet(options: AddFleetOptions): SimFleet;
  /** `/shim-fix <text>` through the real Slack handler; resolves with the HTTP answer's status and its time. */
  slash(text: string): Promise<{ statusCode: number | undefined; ms: number }>;
  /** A button click through the real Slack handler (the message it sits on is `messageTs`, public unless `ephemeral`). */
  click(actionId: string, value: string, options?: { ephemeral?: boolean; messageTs?: string; user?: string }): Promise<{ statusCode: number | undefined; ms: number }>;
  /** Calls received so far by the three stubs, per operation / method. */
  counts(): CallCounts;
  /** Restart SendCommands that named each instance (a tag-targeted command counts for every node it reached). */
  restartsPerInstance(): Map<string, number>;
  /** Check SendCommands per instance. */
  checksPerInstance(): Map<string, number>;
  stop(): Promise<void>;
}

export const CHECK_DOC = 'ShimFix-CheckContainerRuntime';
export const RESTART_DOC = 'ShimFix-RestartContainerRuntime';
const ALLOW = { 'shim-fix': 'enabled' } as const;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const CONTEXT = { awsRequestId: 'fleet-simulation', functionName: 'shim-fix-slack' } as never;

/** Small, fast, seeded: the same seed gives the same fleet, shuffle and late events on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

/** What a host's check prints for each simulated verdict (real result lines, from the shared fixtures). */
export function checkResultFor(verdict: SimVerdict): ScriptResult | undefined {
  const liveRestore = { ...STALE_DAEMON_CHECK.docker, liveRestore: true };
  switch (verdict) {
    case 'stale':
      return { ...STALE_DAEMON_CHECK, docker: liveRestore };
    case 'stale-docker':
      // Docker bound to containerd with live-restore off: restarting containerd stops Docker's containers too.
      return { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, bindsToContainerd: true, runningContainers: 3 } };
    case 'healthy':
      return {
        ...STALE_DAEMON_CHECK,
        verdict: 'healthy',
        message: 'containerd 2.0.0 is running and installed',
        containerd: { ...STALE_DAEMON_CHECK.containerd, running: '2.0.0', runningExe: '/usr/bin/containerd', binaryReplaced: false, shimProtocolMismatch: false },
        docker: liveRestore,
      };
    case 'downgrade':
      return {
        ...STALE_DAEMON_CHECK,
        verdict: 'downgrade',
        message: 'containerd 1.7.23 is installed but 2.0.0 is running',
        containerd: { ...STALE_DAEMON_CHECK.containerd, installed: '1.7.23', running: '2.0.0' },
        docker: liveRestore,
      };
    case 'managed-elsewhere':
      return { ...STALE_DAEMON_CHECK, verdict: 'managed-elsewhere', message: 'containerd is run by k3s', containerd: { ...STALE_DAEMON_CHECK.containerd, manager: 'k3s', managerUnit: 'k3s.service' } };
    case 'no-result':
      return undefined;
  }
}

/** The Confirm button of a plan card: the first button whose action id says confirm (not the Docker consent). */
export function confirmButtonOf(blocks: unknown): { actionId: string; value: string } | undefined {
  let found: { actionId: string; value: string } | undefined;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, unknown>;
    if (record.type === 'button' && typeof record.action_id === 'string' && /confirm/.test(record.action_id) && !/docker/.test(record.action_id) && typeof record.value === 'string') {
      found = { actionId: record.action_id, value: record.value };
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(blocks);
  return found;
}

function line(result: ScriptResult): string {
  return `probing\n${RESULT_LINE_PREFIX}${JSON.stringify(result)}\n`;
}

/**
 * Starts the stubs, points the real handlers at them, and puts a counting proxy in front of dynalite. The handlers
 * read their environment on their first request, which comes after this resolves. One world at a time: the handlers
 * read `process.env`, which each world sets and its `stop` restores.
 */
export async function startFleetWorld({ operator = 'U0PERSON01', seed = 1, store: storeKind = 'dynalite' }: FleetWorldOptions = {}): Promise<FleetWorld> {
  const env = await startSlackHandlerEnvironment();
  const ssm = await startSsmProtocolStub();
  const dynamo = await startCountingProxy(env.dynamo.endpoint);
  process.env.AWS_ENDPOINT_URL_SSM = ssm.endpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env.SHIM_FIX_OPERATORS = operator;
  const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  // The clock read on every call, as the handlers' (a test may fake Date and move it on every delivery round).
  const memory = storeKind === 'memory' ? countingCalls<RemediationStore>(new InMemoryRemediationStore({ now: () => Date.now() })) : undefined;
  const overrides = memory ? { store: memory.store } : {};
  const statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env, overrides));
  const ownSlackHandler = memory ? oncePerInstance(() => buildSlackHandler(overrides)) : undefined;
  const slackHandler = async (event: FunctionUrlEvent): Promise<FunctionUrlResponse> => (ownSlackHandler ? (await ownSlackHandler())(event, CONTEXT) : moduleSlackHandler(event, CONTEXT));

  const verdicts = new Map<string, SimVerdict>();
  const failing = new Set<string>();
  let fleets = 0;
  const responder: InvocationResponder = ({ documentName, instanceId }) => {
    const verdict = verdicts.get(instanceId);
    if (verdict === undefined) return undefined;
    if (documentName === CHECK_DOC) {
      const result = checkResultFor(verdict);
      return result ? { Status: 'Success', ResponseCode: 0, StandardOutputContent: line(result) } : { Status: 'Failed', ResponseCode: 1, StandardOutputContent: 'probing\n', StatusDetails: 'Failed' };
    }
    if (failing.has(instanceId)) {
      const failed: ScriptResult = { ...RESTARTED, status: 'failed', message: 'containerd did not come back after the restart; the host has no working containerd now' };
      return { Status: 'Failed', ResponseCode: 1, StatusDetails: 'Failed', StandardOutputContent: line(failed) };
    }
    return { Status: 'Success', ResponseCode: 0, StandardOutputContent: line(RESTARTED) };
  };
  ssm.setResponder(responder);
  const pump = new EventPump(ssm, statusHandler, { seed });

  const perInstance = (document: string): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const sent of ssm.commands()) {
      if (sent.input.DocumentName !== document) continue;
      for (const id of ssm.instancesOf(sent.commandId)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
  const tally = (names: string[]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
    return counts;
  };

  return {
    slack: env.slack,
    dynamo: { tableName: env.dynamo.tableName, client: dynamoClient },
    store: memory?.store ?? new DynamoRemediationStore({ tableName: env.dynamo.tableName, client: dynamoClient }),
    storeKind,
    ssm,
    pump,
    operator,
    addFleet: ({ size, seed: fleetSeed, mix = DEFAULT_MIX, restartFailures = 0 }) => {
      fleets += 1;
      const random = seededRandom(fleetSeed);
      const tag = { key: 'sim', value: `fleet-${fleets}-${fleetSeed}` };
      const instanceIds: string[] = [];
      const fleetVerdicts = new Map<string, SimVerdict>();
      const base = fleets * 0x100000;
      for (let n = 0; n < size; n++) {
        const id = `i-${(base + n).toString(16).padStart(17, '0')}`;
        let roll = random();
        let verdict: SimVerdict = 'stale';
        for (const [candidate, share] of Object.entries(mix) as [Exclude<SimVerdict, 'stale'>, number][]) {
          if (roll < share) {
            verdict = candidate;
            break;
          }
          roll -= share;
        }
        instanceIds.push(id);
        fleetVerdicts.set(id, verdict);
        verdicts.set(id, verdict);
        ssm.addNode(id, { tags: { ...ALLOW, [tag.key]: tag.value } });
      }
      const stale = instanceIds.filter((id) => fleetVerdicts.get(id) === 'stale');
      const failures = new Set(shuffle([...stale], random).slice(0, restartFailures));
      for (const id of failures) failing.add(id);
      return { tag, instanceIds: instanceIds.sort(), verdicts: fleetVerdicts, restartFailures: failures };
    },
    slash: async (text) => {
      const started = performance.now();
      const response = await slackHandler(functionUrlEvent(slashCommandBody(text, env.slack.responseUrl(), { user_id: operator }), FORM));
      return { statusCode: response.statusCode, ms: performance.now() - started };
    },
    click: async (actionId, value, { ephemeral = true, messageTs, user = operator } = {}) => {
      const payload = {
        ...blockActionPayload({ action_id: actionId, value }, { responseUrl: env.slack.responseUrl(), ephemeral, ...(messageTs ? { messageTs } : {}) }),
        user: { id: user, username: 'someone', team_id: 'T0TEST001' },
      };
      const started = performance.now();
      const response = await slackHandler(functionUrlEvent(interactiveBody(payload), FORM));
      return { statusCode: response.statusCode, ms: performance.now() - started };
    },
    counts: () => ({
      ssm: tally(ssm.calls().map((call) => call.operation)),
      dynamo: dynamo.counts(),
      store: memory?.counts() ?? {},
      slack: tally(env.slack.calls().map((call) => (call.kind === 'response_url' ? 'response_url' : call.method))),
    }),
    restartsPerInstance: () => perInstance(RESTART_DOC),
    checksPerInstance: () => perInstance(CHECK_DOC),
    stop: async () => {
      await pump.stop();
      dynamoClient.destroy();
      delete process.env.SHIM_FIX_OPERATORS;
      await Promise.all([ssm.stop(), dynamo.stop()]);
      await env.stop();
    },
  };
}

export interface EventPumpOptions {
  seed: number;
  /** Share of events held back to a later round (late delivery). @default 0.15 */
  lateShare?: number;
  /** Events delivered at once (concurrent Lambdas). @default 8 */
  concurrency?: number;
  /** Called before each round that delivers events, with the milliseconds it stands for: an injected clock moves here. */
  advanceClock?: (ms: number) => void;
  /** Simulated time per round. @default 2000 */
  msPerRound?: number;
}

interface PendingEvent {
  commandId: string;
  instanceId: string;
  status: string;
  document: string;
  attempts: number;
}

/** Delivers the status events of every command the stub accepted to the real status handler: late, twice, shuffled. */
export class EventPump {
  private readonly random: () => number;
  private readonly seen = new Set<string>();
  private pool: PendingEvent[] = [];
  private stopped = false;
  /** Deliveries made (duplicates and retries included), and handler errors Lambda would have retried. */
  public delivered = 0;
  public retried = 0;
  /** Events that failed every retry (Lambda's two, then the dead-letter): should stay empty. */
  public readonly dropped: { event: PendingEvent; error: string }[] = [];
  private advanceClock: (ms: number) => void;
  private readonly msPerRound: number;

  public constructor(
    private readonly ssm: SsmProtocolStub,
    private readonly statusHandler: (event: unknown, context: never) => Promise<void>,
    private readonly options: EventPumpOptions,
  ) {
    this.random = seededRandom(options.seed * 7919 + 1);
    this.advanceClock = options.advanceClock ?? (() => undefined);
    this.msPerRound = options.msPerRound ?? 2_000;
  }

  /** Leaves out every command sent so far (another test's, sent outside the handlers) and whatever is pending. */
  public forgetSentSoFar(): void {
    for (const sent of this.ssm.commands()) this.seen.add(sent.commandId);
    this.pool = [];
  }

  /** Replaces the clock hook (a test installs its fake clock after the world started). */
  public useClock(advance: (ms: number) => void): void {
    this.advanceClock = advance;
  }

  /** Picks up commands sent since the last call: an `InProgress` and a terminal event (twice) per instance. */
  private collect(): number {
    let added = 0;
    for (const sent of this.ssm.commands()) {
      if (this.seen.has(sent.commandId)) continue;
      this.seen.add(sent.commandId);
      const document = String(sent.input.DocumentName);
      for (const instanceId of this.ssm.instancesOf(sent.commandId)) {
        const status = this.invocationStatus(sent.commandId, instanceId);
        this.pool.push({ commandId: sent.commandId, instanceId, status: 'InProgress', document, attempts: 0 });
        if (isTerminalStatus(status)) {
          this.pool.push({ commandId: sent.commandId, instanceId, status, document, attempts: 0 });
          this.pool.push({ commandId: sent.commandId, instanceId, status, document, attempts: 0 });
        }
        added += 1;
      }
    }
    return added;
  }

  private invocationStatus(commandId: string, instanceId: string): string {
    const call = this.ssm.invocationOf(commandId, instanceId);
    return call?.Status ?? 'InProgress';
  }

  /** One round: new commands' events join the pool, the pool is shuffled, a share stays for later, the rest is delivered. */
  public async round(): Promise<number> {
    this.collect();
    if (this.pool.length === 0) return 0;
    // Simulated time passes with deliveries only: an idle wait for the worker must not age the plan card.
    this.advanceClock(this.msPerRound);
    shuffle(this.pool, this.random);
    const lateShare = this.options.lateShare ?? 0.15;
    const keep = this.pool.length > 3 ? Math.floor(this.pool.length * lateShare) : 0;
    const now = this.pool.slice(keep);
    this.pool = this.pool.slice(0, keep);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < now.length && !this.stopped) {
        const event = now[next++] as PendingEvent;
        await this.deliver(event);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 8 }, worker));
    return now.length;
  }

  private async deliver(event: PendingEvent): Promise<void> {
    this.delivered += 1;
    try {
      await this.statusHandler(invocationStatusEvent(event.commandId, event.instanceId, event.status, { document: event.document, id: `evt-${event.commandId}-${event.instanceId}-${event.status}` }), CONTEXT);
    } catch (error) {
      // Lambda retries a failed asynchronous invocation twice; the command pointer may simply not be written yet.
      const name = error instanceof Error ? error.name : '';
      const retryable = name === 'CommandNotRecordedYetError' || name === 'ResultPostInProgressError';
      if (retryable || event.attempts < 2) {
        this.retried += 1;
        this.pool.push({ ...event, attempts: event.attempts + (retryable ? 0 : 1) });
        return;
      }
      this.dropped.push({ event, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }

  /**
   * Rounds until nothing is left to deliver, no new command came for `idleMs` (the in-process worker sends later
   * waves asynchronously), and `until` (if given) holds; throws after `timeoutMs`.
   */
  public async settle({ until, idleMs = 400, timeoutMs = 120_000 }: { until?: () => boolean | Promise<boolean>; idleMs?: number; timeoutMs?: number } = {}): Promise<void> {
    // Real time: a test may fake Date and move it on every round.
    const deadline = performance.now() + timeoutMs;
    let idleSince = performance.now();
    for (;;) {
      if (this.stopped) return;
      const before = this.ssm.commands().length;
      const delivered = await this.round();
      const after = this.ssm.commands().length;
      if (delivered > 0 || after !== before || this.pool.length > 0) idleSince = performance.now();
      const done = until ? await until() : true;
      if (done && this.pool.length === 0 && performance.now() - idleSince >= idleMs) return;
      if (performance.now() > deadline) throw new Error(`the fleet did not settle: ${this.pool.length} events pending, ${this.dropped.length} dropped`);
      if (delivered === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  public async stop(): Promise<void> {
    this.stopped = true;
  }
}

interface CountingProxy {
  endpoint: string;
  /** Requests forwarded, by operation (`PutItem`, `Query`, …). */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

/** A loopback HTTP proxy in front of dynalite that counts DynamoDB operations (from `X-Amz-Target`). */
async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const counts: Record<string, number> = {};
  const server: Server = createServer((request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() || 'unknown';
    counts[operation] = (counts[operation] ?? 0) + 1;
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on('error', () => {
      response.destroy();
    });
    request.pipe(forward);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A turn of the event loop: other handlers' I/O and timers run, as they do while a DynamoDB call is on the wire. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `target` behind a proxy (`store`) that counts its method calls by name; the methods run on `target` itself. Each
 * call waits a turn of the event loop before and after it runs: an in-memory call would otherwise resolve as a
 * microtask, and concurrent status events (the two last answers of a wave both seeing the wave over) would never
 * interleave between store calls as they do against the table.
 */
function countingCalls<T extends object>(target: T): { store: T; counts(): Record<string, number> } {
  const counts: Record<string, number> = {};
  const proxy = new Proxy(target, {
    get: (object, name, receiver) => {
      const value: unknown = Reflect.get(object, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        counts[name] = (counts[name] ?? 0) + 1;
        await nextTurn();
        const result: unknown = await (value as (...parameters: unknown[]) => unknown).apply(object, args);
        await nextTurn();
        return result;
      };
    },
  });
  return { store: proxy, counts: () => ({ ...counts }) };
}
