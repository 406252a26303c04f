import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readBotToken } from '../../../lambda/aws/bot-token';
import { ConfigurationError } from '../../../lambda/core/errors';

describe('readBotToken', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());
  afterAll(() => ssm.restore());

  it('reads the SecureString parameter with decryption', async () => {
    // Prepare
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/shim-fix/bot-token', Value: 'xoxb-1' }] });

    // Act
    const token = await readBotToken({ slackBotTokenParam: '/shim-fix/bot-token' }, new SSMClient({ region: 'us-east-1' }));

    // Assess
    expect(token).toBe('xoxb-1');
    expect(ssm).toHaveReceivedCommandWith(GetParametersCommand, { Names: ['/shim-fix/bot-token'], WithDecryption: true });
  });

  it('uses SLACK_BOT_TOKEN for a local run without calling AWS', async () => {
    // Act
    const token = await readBotToken({ slackBotToken: 'xoxb-local' }, new SSMClient({ region: 'us-east-1' }));

    // Assess
    expect(token).toBe('xoxb-local');
    expect(ssm.calls()).toHaveLength(0);
  });

  it('names the missing parameter, never a value', async () => {
    // Prepare
    ssm.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: ['/shim-fix/bot-token'] });

    // Act
    const error = await readBotToken({ slackBotTokenParam: '/shim-fix/bot-token', slackBotToken: 'xoxb-secret' }, new SSMClient({ region: 'us-east-1' })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('/shim-fix/bot-token');
    expect((error as Error).message).not.toContain('xoxb');
  });
});
