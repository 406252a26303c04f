import { createServer, type Server, type Socket } from 'node:net';
import { reliabilityCase } from '../reliability/catalogue';
import { startE2eEnvironment, type E2eEnvironment } from './support/e2e-environment';
import { freePort, startServe, type ServeProcess } from './support/serve-process';
import { newInstanceId, pasteInChannel, restartCard } from './support/slack-actions';

/**
 * DynamoDB failing under the served bot: nothing listening (connection refused), or a server that accepts and never
 * answers (the SDK's request timeout must fire inside Slack's 3 seconds). Diagnosis fails open: the answer goes out,
 * with a warning in the log. Remediation fails closed: without its locks it refuses, and says why.
 */
let world: E2eEnvironment;

beforeAll(async () => {
  world = await startE2eEnvironment();
});
afterAll(async () => {
  await world?.stop();
});

/** A TCP server that accepts connections and never answers: a DynamoDB endpoint that hangs. */
async function startSilentServer(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Scenario {
  /** Catalogue ids of the two cases this scenario runs. */
  cases: { diagnosis: string; remediation: string };
  startEndpoint: () => Promise<{ endpoint: string; stop: () => Promise<void> }>;
}

const scenarios: [string, Scenario][] = [
  [
    'unavailable (connection refused)',
    {
      cases: { diagnosis: 'dynamodb-unavailable-diagnosis', remediation: 'dynamodb-unavailable-remediation' },
      startEndpoint: async () => ({ endpoint: `http://127.0.0.1:${await freePort()}`, stop: async () => undefined }),
    },
  ],
  ['slow (accepts, never answers)', { cases: { diagnosis: 'dynamodb-slow-diagnosis', remediation: 'dynamodb-slow-remediation' }, startEndpoint: startSilentServer }],
];

describe.each(scenarios)('DynamoDB %s', (_label, { cases, startEndpoint }) => {
  let serve: ServeProcess;
  let endpoint: { endpoint: string; stop: () => Promise<void> };

  beforeAll(async () => {
    endpoint = await startEndpoint();
    serve = await startServe({ ...world.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint.endpoint });
  });
  afterAll(async () => {
    await serve?.stop();
    await endpoint?.stop();
  });
  beforeEach(() => {
    world.slack.reset();
    world.ssm.reset();
  });

  test('the diagnosis answer still goes out, once per paste, with a fail-open warning', async () => {
    // Prepare
    const { count } = reliabilityCase(cases.diagnosis);

    // Act
    const pastes = [];
    for (let index = 0; index < count; index++) pastes.push(await pasteInChannel(serve));

    // Assess
    expect(pastes.map((paste) => paste.status)).toEqual(pastes.map(() => 200));
    expect(world.slack.calls('chat.postMessage').map((post) => post.body.thread_ts)).toEqual(pastes.map((paste) => paste.message.ts));
    expect(serve.logs().filter((line) => line.event === 'dedupe_fail_open')).toHaveLength(count);
  });

  test('a restart is refused with the reason, and nothing is sent', async () => {
    // Prepare
    const { count } = reliabilityCase(cases.remediation);
    const instances = Array.from({ length: count }, () => newInstanceId());
    for (const instanceId of instances) world.ssm.addNode(instanceId, { tags: { 'shim-fix': 'enabled' } });

    // Act
    const answers = [];
    for (const instanceId of instances) answers.push(await restartCard(serve, world, `restart ${instanceId}`));

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.text).toContain('shim-fix cannot reach its table (DynamoDB) right now');
      expect(answer.body.text).toContain('refuses rather than risk restarting a runtime twice. Nothing ran.');
      expect(answer.raw).not.toContain('remediation_confirm');
    }
    expect(world.ssm.calls('SendCommand')).toHaveLength(0);
  });
});
