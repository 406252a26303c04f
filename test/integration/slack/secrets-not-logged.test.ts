import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { channelMessage, eventCallbackBody, functionUrlEvent, slashCommandBody } from '../../helpers/slack-request';

/**
 * The Lambda reads its secrets from SSM SecureString parameters once per cold start; this proves that, with logging
 * at DEBUG, neither secret appears in anything the process writes, through a paste, a slash command, a forged request
 * and a malformed one. The handler and logger are loaded fresh, after the environment is set, so they see DEBUG.
 */
const SIGNING_SECRET = 'sIgNiNg-SeCrEt-0f-th3-w0rkspace';
const BOT_TOKEN = 'xoxb-1111-2222-B0T-T0KEN-from-ssm';
const PARAMS = { SLACK_SIGNING_SECRET_PARAM: '/shim-fix/slack/signing-secret', SLACK_BOT_TOKEN_PARAM: '/shim-fix/slack/bot-token' };
const context = { awsRequestId: 'secrets-test', functionName: 'shim-fix-slack' } as never;
const PASTE = 'failed to start shim: start failed: unsupported shim version (3): not implemented';

type Handler = typeof import('../../../lambda/handlers/slack').handler;

describe('secrets in Lambda', () => {
  let env: SlackHandlerEnvironment;
  const ssm = mockClient(SSMClient);
  const written: string[] = [];
  const restore: Array<() => void> = [];
  let handler: Handler;

  beforeAll(async () => {
    env = await startSlackHandlerEnvironment();
    delete process.env.SLACK_SIGNING_SECRET;
    delete process.env.SLACK_BOT_TOKEN;
    Object.assign(process.env, PARAMS, { SHIM_FIX_LOG_LEVEL: 'DEBUG' });
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: PARAMS.SLACK_SIGNING_SECRET_PARAM, Value: SIGNING_SECRET, Type: 'SecureString' },
        { Name: PARAMS.SLACK_BOT_TOKEN_PARAM, Value: BOT_TOKEN, Type: 'SecureString' },
      ],
    });
    // Everything the process could write a log line to.
    const capture = (chunk: unknown): void => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : JSON.stringify(chunk));
    };
    for (const stream of [process.stdout, process.stderr]) {
      const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        capture(chunk);
        return true;
      });
      restore.push(() => spy.mockRestore());
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...parts: unknown[]) => parts.forEach(capture));
      restore.push(() => spy.mockRestore());
    }
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the environment is set
      handler = (require('../../../lambda/handlers/slack') as { handler: Handler }).handler;
    });
  });

  afterAll(async () => {
    restore.forEach((undo) => undo());
    ssm.restore();
    delete process.env.SHIM_FIX_LOG_LEVEL;
    await env.stop();
  });

  it('reads both parameters in one decrypted GetParameters call and never writes either value to a log', async () => {
    // Act
    const paste = await handler(functionUrlEvent(eventCallbackBody(channelMessage(PASTE)), { secret: SIGNING_SECRET }), context);
    const command = await handler(
      functionUrlEvent(slashCommandBody('search shim', env.slack.responseUrl()), { secret: SIGNING_SECRET, contentType: 'application/x-www-form-urlencoded' }),
      context,
    );
    const forged = await handler(functionUrlEvent(eventCallbackBody(channelMessage(PASTE)), { secret: 'not-the-secret' }), context);
    const malformed = await handler(functionUrlEvent('{"type":', { secret: SIGNING_SECRET }), context);

    // Assess
    expect([paste.statusCode, command.statusCode, forged.statusCode, malformed.statusCode]).toEqual([200, 200, 401, 400]);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]?.args[0].input).toEqual({
      Names: [PARAMS.SLACK_SIGNING_SECRET_PARAM, PARAMS.SLACK_BOT_TOKEN_PARAM],
      WithDecryption: true,
    });
    expect(env.slack.calls('chat.postMessage')).toHaveLength(1);
    const logs = written.join('\n');
    expect(logs).toContain('slack handler ready');
    expect(logs).not.toContain(SIGNING_SECRET);
    expect(logs).not.toContain(BOT_TOKEN);
    expect(logs).not.toContain('B0T-T0KEN');
  });
});
