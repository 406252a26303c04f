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
    // The scan schedule is off until someone sets it.
    expect(settings.scan).toBeUndefined();
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
    [{ scanSchedule: 'cron(0 6 * * ? *)' }, /"scanChannel" is required with "scanSchedule"/],
    [{ scanChannel: 'C0123ABCDEF' }, /only apply with "scanSchedule"/],
    [{ scanTimezone: 'Europe/Berlin' }, /only apply with "scanSchedule"/],
    [{ scanSchedule: 'cron(0 6 * * ? *)', scanChannel: 'U0123ABCDEF' }, /scanChannel/],
    [{ scanSchedule: 'cron(0 6 * * ? *)', scanChannel: '#ops' }, /scanChannel/],
    [{ scanSchedule: 'cron(0 6 * * ? *)', scanChannel: 'C0123ABCDEF', scanTimezone: 'Mars/Olympus' }, /scanTimezone/],
    [{ scanSchedule: 'cron(0 6 * * *)', scanChannel: 'C0123ABCDEF' }, /six cron fields/],
    [{ scanSchedule: 'cron(*/5 * * * ? *)', scanChannel: 'C0123ABCDEF' }, /at most once an hour/],
    [{ scanSchedule: 'cron(0 6 1 * MON *)', scanChannel: 'C0123ABCDEF' }, /must be "\?"/],
    [{ scanSchedule: 'rate(5 minutes)', scanChannel: 'C0123ABCDEF' }, /scanSchedule/],
    [{ scanSchedule: 'rate(1 days)', scanChannel: 'C0123ABCDEF' }, /rate\(1 day\)/],
    [{ scanSchedule: 'at(2026-12-03T06:00:00)', scanChannel: 'C0123ABCDEF' }, /no one-time/],
    [{ scanSchedule: 'daily', scanChannel: 'C0123ABCDEF' }, /scanSchedule/],
  ])('stops the synth on %j with a message naming the context key', (context, message) => {
    // Act
    const read = () => settingsOf(context);

    // Assess
    expect(read).toThrow(message);
    expect(read).toThrow(expect.objectContaining({ code: ErrorCode.ConfigurationError }));
  });

  it.each([
    ['cron(0 6 * * ? *)', undefined],
    ['cron(30 7 ? * MON-FRI *)', 'Europe/Berlin'],
    ['rate(1 day)', 'UTC'],
    ['rate(12 hours)', undefined],
  ])('reads the scan schedule %s (time zone %s) with its channel', (schedule, timezone) => {
    // Act
    const settings = settingsOf({ scanSchedule: ` ${schedule} `, scanChannel: 'C0123ABCDEF', ...(timezone ? { scanTimezone: timezone } : {}) });

    // Assess
    expect(settings.scan).toEqual({ schedule, channel: 'C0123ABCDEF', ...(timezone ? { timezone } : {}) });
  });
});
