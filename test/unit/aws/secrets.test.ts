import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { cachedSlackSecrets, readSlackSecrets } from '../../../lambda/aws/secrets';
import { ConfigurationError } from '../../../lambda/core/errors';

const ssm = mockClient(SSMClient);
const PARAMS = { slackSigningSecretParam: '/shim-fix/slack/signing-secret', slackBotTokenParam: '/shim-fix/slack/bot-token' };

beforeEach(() => ssm.reset());

describe('readSlackSecrets', () => {
  test('in Lambda, reads both SecureString parameters with one decrypting GetParameters call', async () => {
    // Prepare
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: PARAMS.slackBotTokenParam, Value: 'xoxb-from-ssm' },
        { Name: PARAMS.slackSigningSecretParam, Value: 'signing-from-ssm' },
      ],
      InvalidParameters: [],
    });

    // Act
    const secrets = await readSlackSecrets(PARAMS, () => new SSMClient({ region: 'us-east-1' }));

    // Assess
    expect(secrets).toEqual({ signingSecret: 'signing-from-ssm', botToken: 'xoxb-from-ssm' });
    const calls = ssm.commandCalls(GetParametersCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ Names: [PARAMS.slackSigningSecretParam, PARAMS.slackBotTokenParam], WithDecryption: true });
  });

  test('names the parameter that does not exist, and never a value', async () => {
    // Prepare
    ssm.on(GetParametersCommand).resolves({
      Parameters: [{ Name: PARAMS.slackSigningSecretParam, Value: 'signing-from-ssm' }],
      InvalidParameters: [PARAMS.slackBotTokenParam],
    });

    // Act
    const reading = readSlackSecrets(PARAMS, () => new SSMClient({ region: 'us-east-1' }));

    // Assess
    await expect(reading).rejects.toThrow(ConfigurationError);
    await expect(reading).rejects.toThrow(`SSM parameter ${PARAMS.slackBotTokenParam} not found or empty`);
    await expect(reading).rejects.not.toThrow(/signing-from-ssm/);
  });

  test('wraps an AWS error with the parameter names and keeps it as the cause', async () => {
    // Prepare
    const denied = Object.assign(new Error('User is not authorized to perform: ssm:GetParameters'), { name: 'AccessDeniedException' });
    ssm.on(GetParametersCommand).rejects(denied);

    // Act
    const error = await readSlackSecrets(PARAMS, () => new SSMClient({ region: 'us-east-1' })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(PARAMS.slackSigningSecretParam);
    expect((error as Error).cause).toBe(denied);
  });

  test('locally, uses SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN without any AWS call', async () => {
    // Prepare
    const createClient = jest.fn(() => new SSMClient({}));

    // Act
    const secrets = await readSlackSecrets({ slackSigningSecret: 'local-secret', slackBotToken: 'xoxb-local' }, createClient);

    // Assess
    expect(secrets).toEqual({ signingSecret: 'local-secret', botToken: 'xoxb-local' });
    expect(createClient).not.toHaveBeenCalled();
  });

  test.each([
    [{ slackBotToken: 'xoxb-local' }, 'SLACK_SIGNING_SECRET not set'],
    [{}, 'SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN not set'],
    [{ slackSigningSecretParam: '/p' }, 'SLACK_BOT_TOKEN_PARAM is not set'],
  ])('explains what is missing: %o', async (config, message) => {
    // Act
    const reading = readSlackSecrets(config, () => new SSMClient({}));

    // Assess
    await expect(reading).rejects.toThrow(message);
  });
});

describe('cachedSlackSecrets', () => {
  test('reads once for the life of the instance', async () => {
    // Prepare
    const read = jest.fn(async () => ({ signingSecret: 's', botToken: 't' }));
    const secrets = cachedSlackSecrets(read);

    // Act
    await Promise.all([secrets(), secrets()]);
    await secrets();

    // Assess
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('does not keep a failure: the next request tries again', async () => {
    // Prepare
    const read = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValueOnce({ signingSecret: 's', botToken: 't' });
    const secrets = cachedSlackSecrets(read);

    // Act
    const first = await secrets().catch((error: unknown) => error);
    const second = await secrets();

    // Assess
    expect(first).toEqual(new Error('throttled'));
    expect(second).toEqual({ signingSecret: 's', botToken: 't' });
  });
});
