import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { remediationJobSchema } from '../../lambda/remediation/jobs';
import { logicalId, synthShimFix, type SynthesisedShimFix } from './helpers/synth';

/** Every setting changed from its default, so a value that is hard-coded instead of read from settings shows up here. */
const CONTEXT = {
  operators: 'U012ABCDEF',
  allowTag: 'ops/restartable=yes',
  signingSecretParam: '/acme/slack/signing',
  botTokenParam: '/acme/slack/token',
  parameterKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  restartDocument: 'Acme-Restart',
  checkDocument: 'Acme-Check',
  logRetentionDays: '30',
  slackConcurrency: '20',
  alarmEmail: 'oncall@example.com',
  scanSchedule: 'cron(30 7 ? * MON-FRI *)',
  scanChannel: 'C0SCANS0001',
  scanTimezone: 'Europe/Berlin',
};

let scriptsDir: string;
let synth: SynthesisedShimFix;

beforeAll(() => {
  // Scripts from a temporary folder: the documents must embed whatever folder the stack is given.
  scriptsDir = mkdtempSync(path.join(tmpdir(), 'shim-fix-scripts-'));
  writeFileSync(path.join(scriptsDir, 'check-container-runtime.sh'), '#!/usr/bin/env bash\necho check-marker\n');
  writeFileSync(path.join(scriptsDir, 'restart-container-runtime.sh'), '#!/usr/bin/env bash\r\necho restart-marker\r\n');
  synth = synthShimFix(CONTEXT, scriptsDir);
});

afterAll(() => {
  synth.cleanUp();
  rmSync(scriptsDir, { recursive: true, force: true });
});

const statements = () =>
  Object.values(synth.template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Condition?: unknown; Resource?: unknown }[],
  );

describe('stack built from custom settings', () => {
  it('names the documents from settings and embeds the scripts of the given folder, line endings normalised', () => {
    // Act
    const documents = Object.values(synth.template.findResources('AWS::SSM::Document')).map((document) => ({
      name: document.Properties.Name as string,
      lines: document.Properties.Content.mainSteps[0].inputs.runCommand as string[],
    }));

    // Assess
    expect(documents).toEqual(
      expect.arrayContaining([
        { name: 'Acme-Check', lines: ['#!/usr/bin/env bash', 'echo check-marker'] },
        // The restart document takes the operator's consent to stop containers as its one parameter, exported by a
        // line generated right after the shebang (infra/ssm-document-content.ts); the script's own lines follow.
        {
          name: 'Acme-Restart',
          lines: [
            '#!/usr/bin/env bash',
            "export SHIM_FIX_ALLOW_STOPPING_CONTAINERS='{{ AllowStoppingContainers }}'",
            'echo restart-marker',
          ],
        },
      ]),
    );
  });

  it('gates SendCommand on the configured allow tag, not on the default one', () => {
    // Act
    const gate = statements().find((statement) => statement.Sid === 'SendToTaggedNodesOnly');

    // Assess
    expect(gate?.Condition).toEqual({ StringEquals: { 'ssm:resourceTag/ops/restartable': 'yes' } });
    expect(JSON.stringify(statements())).not.toContain('shim-fix');
  });

  it('allows kms:Decrypt on the customer managed key, only through SSM, for each handler that reads a Slack parameter', () => {
    // Act
    const decrypts = statements().filter((statement) => statement.Sid === 'DecryptSlackParameters');

    // Assess
    // Slack handler, remediation worker, status handler, sweeper.
    expect(decrypts).toHaveLength(4);
    for (const decrypt of decrypts) {
      expect(decrypt).toMatchObject({ Action: 'kms:Decrypt', Resource: CONTEXT.parameterKeyArn });
      expect(JSON.stringify(decrypt.Condition)).toContain('kms:ViaService');
      expect(JSON.stringify(decrypt.Condition)).toContain('ssm.');
    }
  });

  it('passes the configured names to the handlers and follows only the configured documents', () => {
    // Assess
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SLACK_SIGNING_SECRET_PARAM: '/acme/slack/signing',
          SLACK_BOT_TOKEN_PARAM: '/acme/slack/token',
          SHIM_FIX_ALLOW_TAG: 'ops/restartable=yes',
          SHIM_FIX_RESTART_DOCUMENT: 'Acme-Restart',
          SHIM_FIX_CHECK_DOCUMENT: 'Acme-Check',
        }),
      },
    });
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { 'document-name': ['Acme-Restart', 'Acme-Check'] } }),
    });
  });

  it('caps the Slack handler\'s concurrency when asked, and only the Slack handler\'s', () => {
    // Act
    const reserved = Object.values(synth.template.findResources('AWS::Lambda::Function')).map((fn) => [
      fn.Properties.Description as string,
      fn.Properties.ReservedConcurrentExecutions as number | undefined,
    ]);

    // Assess
    expect(reserved).toEqual(
      expect.arrayContaining([
        [expect.stringMatching(/Slack events/), 20],
        [expect.stringMatching(/command results/), undefined],
      ]),
    );
  });

  it('keeps logs for the configured retention', () => {
    // Act
    const groups = Object.values(synth.template.findResources('AWS::Logs::LogGroup'));

    // Assess
    expect(groups.map((group) => group.Properties.RetentionInDays)).toEqual([30, 30, 30, 30, 30]);
  });

  it('e-mails every alarm, both when it fires and when it clears, through a TLS-only topic', () => {
    // Act
    const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'));
    const [topicId] = Object.keys(synth.template.findResources('AWS::SNS::Topic'));

    // Assess
    synth.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('schedules the scan with the configured expression, zone and channel, invoking only the remediation worker with a scan job', () => {
    // Act
    const schedules = Object.values(synth.template.findResources('AWS::Scheduler::Schedule'));
    const workerId = logicalId(synth.template, 'AWS::Lambda::Function', 'RemediationWorker');
    const roleId = logicalId(synth.template, 'AWS::IAM::Role', 'ScanSchedulerRole');
    const [schedule] = schedules;
    const target = schedule?.Properties.Target as { Arn: unknown; RoleArn: unknown; Input: string };

    // Assess
    expect(schedules).toHaveLength(1);
    expect(schedule?.Properties).toMatchObject({ ScheduleExpression: 'cron(30 7 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Berlin', State: 'ENABLED' });
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [workerId, 'Arn'] });
    expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    // What the worker receives, validated by the worker's own job schema.
    expect(remediationJobSchema.parse(JSON.parse(target.Input))).toEqual({ kind: 'scan', channelId: 'C0SCANS0001' });
    // The role is for Scheduler of this account only.
    synth.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })],
      },
    });
    // App Home says a schedule is set up.
    synth.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SHIM_FIX_SCAN_SCHEDULE: 'cron(30 7 ? * MON-FRI *)' }) } });
  });
});
