import { WebClient } from '@slack/web-api';
import { DynamoRemediationStore } from '../../../lambda/aws/remediation-store';
import type { SsmGateway } from '../../../lambda/aws/ssm-gateway';
import { bundledKnowledgeJson } from '../../../lambda/handlers/knowledge-json';
import { createLambdaSlackHandler, createSlackDeps } from '../../../lambda/handlers/slack-app';
import type { FleetCheckStartInput, FleetCheckStarter } from '../../../lambda/remediation/fleet/types';
import { InProcessJobQueue, scanJobSchema } from '../../../lambda/remediation/jobs';
import { createRemediationWorker } from '../../../lambda/handlers/remediation-worker';
import { RemediationService } from '../../../lambda/remediation/remediation-service';
import { runRemediationJob } from '../../../lambda/slack/remediation/confirm-job';
import { SlackRemediationCommands } from '../../../lambda/slack/remediation/remediation-commands';
import { SCAN_COPY } from '../../../lambda/slack/remediation/scan-command';
import { ScanCompletion } from '../../../lambda/slack/remediation/scan-completion';
import { SCAN_RESTART_ACTION_ID } from '../../../lambda/slack/remediation/scan-report-message';
import { buttonValue } from '../../helpers/block-kit';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { blockActionPayload, eventCallbackBody, functionUrlEvent, interactiveBody, slashCommandBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../helpers/slack-request';
import { silentLogger } from '../../unit/slack/fakes';
import { HEALTHY, scanIds, scanSummary, SHIM_NEWER, STALE } from '../../unit/remediation/scan/scan-summary';
import { until } from './check-first-steps';

/**
 * `/shim-fix scan` and the scan report's button through the real Slack handler assembly (signed requests, Bolt, the
 * remediation commands, the in-process job queue and job runner, the DynamoDB store on dynalite, the Slack API stub).
 * The fleet check itself is the fleet flow's (lambda/remediation/fleet/): here a recording starter stands in for it, so
 * what is asserted is exactly what the scan hands to it.
 */
const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const OPERATOR = 'U0PERSON01';
const STRANGER = 'U0STRANGER';

let env: SlackHandlerEnvironment;
let handler: ReturnType<typeof createLambdaSlackHandler>;
let queue: InProcessJobQueue;
let store: DynamoRemediationStore;
let service: RemediationService;
let fleet: FleetCheckStarter;
const logger = silentLogger();
const started: FleetCheckStartInput[] = [];

const unusedSsm: SsmGateway = {
  describeInstance: async () => Promise.reject(new Error('the scan path never plans a single instance')),
  describeFleet: async () => Promise.reject(new Error('the fleet flow, not the scan, describes the fleet')),
  documentVersion: async () => Promise.reject(new Error('unused')),
  sendCommand: async () => Promise.reject(new Error('the scan never sends a command itself')),
  getCommandInvocation: async () => Promise.reject(new Error('unused')),
  listCommandInvocations: async () => [],
};

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
  store = new DynamoRemediationStore({ tableName: env.dynamo.tableName, client: env.dynamo.client });
  fleet = {
    startFleetCheck: async (input) => {
      started.push(structuredClone(input));
      return (input.source.kind === 'tag' && input.source.value === 'nothing-here') || input.channelId === 'C0NOFLEET1' ? { refused: 'No online Linux instance carries both `team=nothing-here` and the allow tag.' } : { checkRequestId: `r-started${started.length}` };
    },
  };
  service = new RemediationService({
    operators: [OPERATOR],
    allowTag: { key: 'shim-fix', value: 'enabled' },
    restartDocument: 'ShimFix-RestartContainerRuntime',
    checkDocument: 'ShimFix-CheckContainerRuntime',
    ssm: unusedSsm,
    store,
    logger,
  });
  queue = new InProcessJobQueue(
    (job, chat) => runRemediationJob(job, chat, { service, store, logger, fleet }),
    (error) => {
      throw error;
    },
  );
  const deps = createSlackDeps({
    config: { table: env.dynamo.tableName, operators: [OPERATOR], allowTag: { key: 'shim-fix', value: 'enabled' }, scanSchedule: 'cron(0 6 * * ? *)' },
    knowledge: bundledKnowledgeJson(),
    logger,
    dynamo: env.dynamo.client,
    // Clicks are claimed in the app's own idempotency store (the table), as lambda/handlers/slack.ts wires it.
    remediation: (shared) => new SlackRemediationCommands(service, store, logger, queue, [OPERATOR], undefined, shared.idempotency),
  });
  handler = createLambdaSlackHandler({ secrets: { signingSecret: TEST_SIGNING_SECRET, botToken: TEST_BOT_TOKEN }, slackApiUrl: env.slack.apiUrl, deps });
});
afterAll(() => env.stop());
beforeEach(() => {
  env.slack.reset();
  started.length = 0;
  logger.entries.length = 0;
});

async function slash(text: string, user = OPERATOR) {
  const response = await handler(functionUrlEvent(slashCommandBody(text, env.slack.responseUrl(), { user_id: user }), FORM), context);
  await queue.idle();
  return response;
}

/** What the requester read: the ephemeral answers to the response URL and the job's ephemeral posts, in order. */
function toRequester(user = OPERATOR): string[] {
  return env.slack
    .calls()
    .filter((call) => call.kind === 'response_url' || (call.method === 'chat.postEphemeral' && call.body.user === user))
    .map((call) => String(call.body.text));
}

describe('/shim-fix scan through the Slack handler', () => {
  test('an operator is answered at once, ephemerally, and the fleet check is started with purpose scan on every allow-tagged instance', async () => {
    // Act
    const response = await slash('scan');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(toRequester()).toEqual([expect.stringContaining('Scanning `every allow-tagged instance`')]);
    expect(env.slack.calls('response_url')[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(started).toEqual([{ purpose: 'scan', channelId: 'C0CHANNEL1', requestedBy: OPERATOR, source: { kind: 'allow-tagged' } }]);
    // Nothing public: the channel hears from the scan only when it finds stale hosts.
    expect(env.slack.calls('chat.postMessage')).toEqual([]);
  });

  test('scan tag:K=V limits the scan to that tag (the allow tag is still required by the fleet flow)', async () => {
    // Act
    await slash('SCAN tag:team=payments');

    // Assess
    expect(toRequester()).toEqual([expect.stringContaining('Scanning `tag:team=payments`')]);
    expect(started).toEqual([{ purpose: 'scan', channelId: 'C0CHANNEL1', requestedBy: OPERATOR, source: { kind: 'tag', key: 'team', value: 'payments' } }]);
  });

  test('a refusal from the fleet flow (no eligible instance) reaches the requester', async () => {
    // Act
    await slash('scan tag:team=nothing-here');

    // Assess
    expect(toRequester()).toEqual([expect.stringContaining('Scanning'), expect.stringContaining('No online Linux instance carries both')]);
  });

  test.each([
    ['scan i-0123456789abcdef0', 'A scan covers a fleet, not one instance'],
    ['scan tag:team', 'needs a tag key and value'],
  ])('"%s" is refused with how to write it, and nothing starts', async (text, message) => {
    // Act
    await slash(text);

    // Assess
    expect(toRequester()).toEqual([expect.stringContaining(message)]);
    expect(started).toEqual([]);
  });

  test('a non-operator gets the authorisation message and nothing starts', async () => {
    // Act
    const response = await slash('scan', STRANGER);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(toRequester(STRANGER)).toEqual([expect.stringContaining('Only <@U0PERSON01> can check instances with shim-fix')]);
    expect(started).toEqual([]);
  });
});

describe('/shim-fix check tag:K=V through the Slack handler: the scan\'s fleet check, one summary', () => {
  test('an operator\'s fleet check starts the read-only fleet check with purpose scan on that tag (the allow tag still required), no plan card', async () => {
    // Act
    const response = await slash('check tag:team=payments');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(toRequester()).toEqual([expect.stringContaining('Checking `tag:team=payments` (read-only')]);
    expect(toRequester()[0]).toContain('A fleet check reports one summary, not a message per host: a report in this channel');
    expect(started).toEqual([{ purpose: 'scan', channelId: 'C0CHANNEL1', requestedBy: OPERATOR, source: { kind: 'tag', key: 'team', value: 'payments' } }]);
    expect(env.slack.calls('chat.postMessage')).toEqual([]);
  });

  test('a non-operator is refused as for any check, and nothing starts', async () => {
    // Act
    await slash('check tag:team=payments', STRANGER);

    // Assess
    expect(toRequester(STRANGER)).toEqual([expect.stringContaining('Only <@U0PERSON01> can check instances with shim-fix')]);
    expect(started).toEqual([]);
  });

  test('a refusal from the fleet flow (nothing carries both tags) reaches the requester', async () => {
    // Act
    await slash('check tag:team=nothing-here');

    // Assess
    expect(toRequester()).toEqual([expect.stringContaining('Checking `tag:team=nothing-here`'), expect.stringContaining('No online Linux instance carries both')]);
  });

  test.each([
    ['check tag:team', 'needs a tag key and value'],
    ['check i-0123456789abcdef0', 'Planning the check of `i-0123456789abcdef0`'],
  ])('"%s" does not start a fleet check (a malformed tag is explained; one instance keeps its own plan)', async (text, message) => {
    // Act
    await slash(text);

    // Assess
    expect(toRequester()[0]).toContain(message);
    expect(started).toEqual([]);
  });
});

describe('the scan report and its "Restart the N stale hosts…" button', () => {
  async function reportOfScan(scanId: string) {
    const web = new WebClient(TEST_BOT_TOKEN, { slackApiUrl: env.slack.apiUrl });
    const completion = new ScanCompletion({ store, chat: web.chat, logger: silentLogger() });
    const stale = scanIds(120);
    await completion.complete(scanSummary([...stale.map((id) => STALE(id)), SHIM_NEWER('i-0ffffffffffffffff'), HEALTHY('i-0eeeeeeeeeeeeeeee')], { checkRequestId: scanId, channelId: 'C0CHANNEL1' }));
    const [post] = env.slack.landed('chat.postMessage');
    return { stale, post };
  }

  async function click(value: string, user: string) {
    const payload = { ...blockActionPayload({ action_id: SCAN_RESTART_ACTION_ID, value }, { responseUrl: env.slack.responseUrl() }), user: { id: user, username: 'someone', team_id: 'T0TEST001' } };
    const response = await handler(functionUrlEvent(interactiveBody(payload), FORM), context);
    await queue.idle();
    return response;
  }

  test('an operator\'s click starts a fresh check-first fleet request over exactly the stored stale-daemon ids', async () => {
    // Prepare
    const { stale, post } = await reportOfScan('r-scanbutton1');
    const value = buttonValue(post?.body.blocks, SCAN_RESTART_ACTION_ID);
    env.slack.reset();

    // Act
    const response = await click(value, OPERATOR);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(value).toBe('r-scanbutton1');
    expect(started).toEqual([
      { purpose: 'restart', channelId: 'C0CHANNEL1', requestedBy: OPERATOR, source: { kind: 'instances', instanceIds: stale, label: '120 stale hosts of scan r-scanbutton1' } },
    ]);
    expect(toRequester()).toEqual([expect.stringContaining('Checking the stale hosts of scan `r-scanbutton1` again first')]);
    // Nothing was restarted from the report: the fleet flow checks first and shows a plan card.
    expect(env.slack.calls('chat.postMessage')).toEqual([]);
  });

  test('a double click (or a second click within minutes) starts one check and tells the clicker the first is running', async () => {
    // Prepare
    const { stale, post } = await reportOfScan('r-scanbutton3');
    const value = buttonValue(post?.body.blocks, SCAN_RESTART_ACTION_ID);
    env.slack.reset();

    // Act: two clicks of the same operator, arriving together as a double click does
    await Promise.all([click(value, OPERATOR), click(value, OPERATOR)]);

    // Assess
    expect(started).toHaveLength(1);
    expect(started[0]?.source).toMatchObject({ kind: 'instances', instanceIds: stale });
    expect(toRequester().sort()).toEqual([SCAN_COPY.alreadyRestarting('r-scanbutton3'), SCAN_COPY.restarting('r-scanbutton3')].sort());
  });

  test('anyone else in the channel is refused as for a restart, and nothing starts', async () => {
    // Prepare
    const { post } = await reportOfScan('r-scanbutton2');
    env.slack.reset();

    // Act
    await click(buttonValue(post?.body.blocks, SCAN_RESTART_ACTION_ID), STRANGER);

    // Assess
    expect(toRequester(STRANGER)).toEqual([expect.stringContaining('Only <@U0PERSON01> can restart instances')]);
    expect(started).toEqual([]);
  });

  test('a scan that is no longer stored says so, and nothing starts', async () => {
    // Act
    await click('r-forgotten', OPERATOR);

    // Assess
    expect(toRequester()).toEqual([expect.stringContaining('again first'), expect.stringContaining('Scan `r-forgotten` is no longer stored')]);
    expect(started).toEqual([]);
  });

  test('App Home shows the schedule and the last scan from the table', async () => {
    // Prepare
    await reportOfScan('r-scanhome01');
    env.slack.reset();
    const event = { type: 'app_home_opened', user: OPERATOR, channel: 'D0HOME0001', tab: 'home', event_ts: '1800000000.000100' };

    // Act
    await handler(functionUrlEvent(eventCallbackBody(event)), context);
    const published = await until(() => env.slack.calls('views.publish')[0], 'the Home view');
    const text = JSON.stringify(published.body.view);

    // Assess
    expect(text).toContain('*Scheduled scan:* `cron(0 6 * * ? *)`');
    expect(text).toContain('*Last scan:* 2026-12-02 06:04 UTC of `every allow-tagged instance`, 122 instances checked, 121 will fail new containers: `i-00000000000000000`');
    expect(text).toContain('and 101 more');
  });
});

describe('the scheduled scan through the remediation worker entry', () => {
  const worker = () => createRemediationWorker(async () => ({ service, store, logger, fleet, web: new WebClient(TEST_BOT_TOKEN, { slackApiUrl: env.slack.apiUrl }) }));
  // What the schedule carries (infra/shim-fix-stack.ts builds it with the same schema; test/infra checks the template).
  const scheduled = (channelId: string): unknown => JSON.parse(JSON.stringify(scanJobSchema.parse({ kind: 'scan', channelId })));

  test('the schedule\'s input starts a scan of every allow-tagged instance for its channel, with nobody to tell', async () => {
    // Act
    await worker()(scheduled('C0SCANS0001'), { awsRequestId: 'scheduled-1' });

    // Assess
    expect(started).toEqual([{ purpose: 'scan', channelId: 'C0SCANS0001', source: { kind: 'allow-tagged' } }]);
    expect(env.slack.calls()).toEqual([]);
  });

  test('a refusal of a scheduled scan is logged as an error in the worker log, never posted', async () => {
    // Act
    await worker()(scheduled('C0NOFLEET1'), { awsRequestId: 'scheduled-2' });

    // Assess
    expect(env.slack.calls()).toEqual([]);
    expect(logger.entries).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'error', message: 'the scheduled scan did not start', data: expect.objectContaining({ channel: 'C0NOFLEET1' }) })]));
  });
});
