import { buildStatusDeps, createCommandStatusHandler } from '../../../lambda/handlers/command-status';
import { ConfigurationError } from '../../../lambda/core/errors';

describe('command-status handler', () => {
  it('refuses to start without the table the Slack handler writes', async () => {
    // Act
    const error = await buildStatusDeps({ SLACK_BOT_TOKEN: 'xoxb-test' }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('SHIM_FIX_TABLE');
  });

  it('does not cache a failed start: the next event builds again', async () => {
    // Prepare
    let builds = 0;
    const handler = createCommandStatusHandler(async () => {
      builds += 1;
      throw new Error('SSM unreachable');
    });

    // Act
    await handler({}, { awsRequestId: 'a' }).catch(() => undefined);
    await handler({}, { awsRequestId: 'b' }).catch(() => undefined);

    // Assess
    expect(builds).toBe(2);
  });
});
