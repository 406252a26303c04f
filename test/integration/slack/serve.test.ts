import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalSlackServer, listen } from '../../../lambda/cli/serve';
import { handler } from '../../../lambda/handlers/slack';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { channelMessage, eventCallbackBody, signSlackRequest } from '../../helpers/slack-request';

let env: SlackHandlerEnvironment;
let server: Server;
let base: string;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
  server = createLocalSlackServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await env.stop();
});
beforeEach(() => env.slack.reset());

function post(body: string, headers: Record<string, string>) {
  return fetch(`${base}/slack/events`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
}

describe('npm run serve (local HTTP server in front of the Lambda handler)', () => {
  test('answers /healthz', async () => {
    // Act
    const response = await fetch(`${base}/healthz`);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  test('answers a signed url_verification challenge and rejects an unsigned one', async () => {
    // Prepare
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 't' });

    // Act
    const signed = await post(body, signSlackRequest(body));
    const unsigned = await post(body, {});

    // Assess
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ challenge: 'abc123' });
    expect(unsigned.status).toBe(401);
  });

  test('a signed paste becomes one threaded answer through the same handler', async () => {
    // Prepare
    const message = channelMessage('failed to create task for container: unsupported shim version (3): not implemented');
    const body = eventCallbackBody(message);
    const signature = signSlackRequest(body);

    // Act: header names in mixed case, as a proxy might forward them.
    const response = await post(body, { 'X-Slack-Signature': signature['x-slack-signature'] ?? '', 'X-Slack-Request-Timestamp': signature['x-slack-request-timestamp'] ?? '' });

    // Assess
    expect(response.status).toBe(200);
    expect(env.slack.calls('chat.postMessage').map((call) => call.body.thread_ts)).toEqual([message.ts]);
  });

  test('points elsewhere with 404, and refuses GET on the Slack path with 405', async () => {
    // Act
    const elsewhere = await fetch(`${base}/other`, { method: 'POST', body: '{}' });
    const get = await fetch(`${base}/slack/events`);

    // Assess
    expect(elsewhere.status).toBe(404);
    expect(get.status).toBe(405);
  });

  test('a body over 1 MB gets a clean 413 on a kept-alive connection, and the next request on it is answered', async () => {
    // Prepare
    const huge = 'x'.repeat(1024 * 1024 + 1);

    // Act: fetch reuses the connection; a reset around the 413 would fail one of these.
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      statuses.push((await post(huge, {})).status);
      statuses.push((await fetch(`${base}/healthz`)).status);
    }

    // Assess
    expect(statuses).toEqual([413, 200, 413, 200, 413, 200, 413, 200, 413, 200]);
  });

  test('a port already taken is reported with what to do, not a stack trace', async () => {
    // Prepare
    const port = (server.address() as AddressInfo).port;
    const second = createServer();

    // Act
    const refused = await listen(second, port, '127.0.0.1').then(
      () => 'listening',
      (error: Error) => error.message,
    );
    second.close();

    // Assess
    expect(refused).toBe(`port ${port} on 127.0.0.1 is already in use (another npm run serve?): stop that process, or pick another port, e.g. PORT=${port + 1} npm run serve`);
  });
});
