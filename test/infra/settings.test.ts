import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ErrorCode } from '../../lambda/core/errors';
import { DEFAULT_SETTINGS, settingsFromContext } from '../../infra/settings';

const settingsOf = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

describe('settingsFromContext', () => {
  it('falls back to the documented defaults, with nobody allowed to restart', () => {
    // Act
    const settings = settingsOf({});

    // Assess
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings).toMatchObject({
      operators: [],
      allowTag: { key: 'shim-fix', value: 'enabled' },
      signingSecretParam: '/shim-fix/slack/signing-secret',
      botTokenParam: '/shim-fix/slack/bot-token',
      restartDocument: 'ShimFix-RestartContainerRuntime',
      checkDocument: 'ShimFix-CheckContainerRuntime',
      logRetention: RetentionDays.THREE_MONTHS,
    });
    expect(settings.alarmEmail).toBeUndefined();
    expect(settings.parameterKeyArn).toBeUndefined();
    expect(settings.slackConcurrency).toBeUndefined();
  });

  it('reads every context key the deploy guide documents', () => {
    // Act
    const settings = settingsOf({
      operators: ' U012ABCDEF, U0987ZYXWV ',
      allowTag: 'team=containers',
      logRetentionDays: 365,
      slackConcurrency: '25',
      alarmEmail: 'oncall@example.com',
    });

    // Assess
    expect(settings).toMatchObject({
      operators: ['U012ABCDEF', 'U0987ZYXWV'],
      allowTag: { key: 'team', value: 'containers' },
      logRetention: RetentionDays.ONE_YEAR,
      slackConcurrency: 25,
      alarmEmail: 'oncall@example.com',
    });
  });

  it.each([
    [{ operators: 'alice,bob' }, /operators/],
    [{ allowTag: 'no-equals-sign' }, /allowTag/],
    [{ logRetentionDays: '45' }, /logRetentionDays/],
    [{ slackConcurrency: '2.5' }, /slackConcurrency/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
    [{ restartDocument: 'AWS-RunShellScript' }, /restartDocument/],
    [{ checkDocument: 'x' }, /checkDocument/],
    [{ botTokenParam: 'no-leading-slash' }, /botTokenParam/],
    [{ parameterKeyArn: 'alias/aws/ssm' }, /parameterKeyArn/],
    [{ restartDocument: 'Same-Name', checkDocument: 'Same-Name' }, /two different documents/],
    [{ operators: ['U012ABCDEF'] }, /must be a string/],
  ])('stops the synth on %j with a message naming the context key', (context, message) => {
    // Act
    const read = () => settingsOf(context);

    // Assess
    expect(read).toThrow(message);
    expect(read).toThrow(expect.objectContaining({ code: ErrorCode.ConfigurationError }));
  });
});
