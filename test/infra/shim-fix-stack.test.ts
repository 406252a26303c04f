import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ALLOW_STOPPING_CONTAINERS, scriptToRunCommand, withChoiceParameter } from '../../infra/ssm-document-content';
import { assembleScript } from '../../infra/ssm-script-assembly';
import { logicalId, synthShimFix, type SynthesisedShimFix } from './helpers/synth';

const ROOT = path.resolve(__dirname, '..', '..');
const OPERATORS = 'U012ABCDEF,U0987ZYXWV';

let synth: SynthesisedShimFix;

beforeAll(() => {
  synth = synthShimFix({ operators: OPERATORS });
});

afterAll(() => synth.cleanUp());

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource?: unknown; NotResource?: unknown; Condition?: unknown };

function statementsOf(rolePrefix: string): Statement[] {
  const role = logicalId(synth.template, 'AWS::IAM::Role', rolePrefix);
  return Object.values(synth.template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const bySid = (statements: Statement[], sid: string) => {
  const found = statements.find((statement) => statement.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
};
/**
 * ARNs as CDK writes them (a string, or Fn::Join of literals and pseudo-parameter Refs), with `${Region}` for a Ref,
 * sorted: the order of resources in a statement means nothing to IAM (and CDK's policy minimisation reorders them).
 */
function arns(value: unknown): string[] {
  return [value].flat().map((arn) => {
    if (typeof arn === 'string') return arn;
    const [separator, parts] = (arn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map((part) => (typeof part === 'string' ? part : `\${${(part as { Ref: string }).Ref.replace('AWS::', '')}}`)).join(separator);
  }).sort();
}
const ssmArn = (resource: string) => `arn:\${Partition}:ssm:\${Region}:\${AccountId}:${resource}`;
const OUR_DOCUMENTS = [ssmArn('document/ShimFix-CheckContainerRuntime'), ssmArn('document/ShimFix-RestartContainerRuntime')];
const NODES = ['arn:${Partition}:ec2:${Region}:${AccountId}:instance/*', ssmArn('managed-instance/*')];

/** The cloud assembly keeps each bundled asset in `asset.<hash>`, the hash being the S3 key without `.zip`. */
function assetDirOf(fn: { [key: string]: { Code?: { S3Key?: string } } }): string {
  const key = fn.Properties?.Code?.S3Key;
  if (!key) throw new Error('the function has no bundled asset');
  return path.join(synth.app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

function functionNamed(description: RegExp) {
  const [entry] = Object.entries(synth.template.findResources('AWS::Lambda::Function')).filter(([, fn]) =>
    description.test(fn.Properties.Description as string),
  );
  if (!entry) throw new Error(`no function described ${description}`);
  return { id: entry[0], resource: entry[1] };
}

describe('IAM of the Slack handler', () => {
  it('grants exactly the actions the handler calls, and no wildcard action anywhere', () => {
    // Act
    const actions = statementsOf('SlackHandlerRole')
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap(actionsOf);

    // Assess
    expect([...new Set(actions)].sort()).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        // App Home's two partitions only (QueryAppHomePartitions, simulated in iam-simulation.test.ts).
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'lambda:InvokeFunction',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ssm:GetParameters',
      ].sort(),
    );
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('cannot send commands: SendCommand belongs to the remediation worker, for our two documents and instances carrying the allow tag', () => {
    // Prepare
    const statements = statementsOf('RemediationWorkerRole');
    expect(statementsOf('SlackHandlerRole').flatMap(actionsOf).filter((action) => action.startsWith('ssm:') && action !== 'ssm:GetParameters')).toEqual([]);

    // Act
    const sendAllows = statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).includes('ssm:SendCommand'));

    // Assess
    expect(sendAllows.map((s) => s.Sid).sort()).toEqual(['SendOurDocuments', 'SendToTaggedNodesOnly']);
    expect(arns(bySid(statements, 'SendOurDocuments').Resource)).toEqual(OUR_DOCUMENTS);
    const nodes = bySid(statements, 'SendToTaggedNodesOnly');
    expect(arns(nodes.Resource)).toEqual(NODES);
    expect(nodes.Condition).toEqual({ StringEquals: { 'ssm:resourceTag/shim-fix': 'enabled' } });
  });

  it('explicitly denies the worker SendCommand with any document that is not ours (AWS-RunShellScript included)', () => {
    // Act
    const deny = bySid(statementsOf('RemediationWorkerRole'), 'DenyAnyOtherDocument');

    // Assess
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 'ssm:SendCommand' });
    expect(deny.Resource).toBeUndefined();
    // NotResource: everything except our documents and the (tag-gated) node ARNs is denied.
    expect(arns(deny.NotResource)).toEqual([...OUR_DOCUMENTS, ...NODES].sort());
  });

  it('reads only the two Slack parameters, without kms:Decrypt for the AWS managed key', () => {
    // Act
    const statements = statementsOf('SlackHandlerRole');

    // Assess
    expect(arns(bySid(statements, 'ReadSlackParameters').Resource)).toEqual([
      ssmArn('parameter/shim-fix/slack/bot-token'),
      ssmArn('parameter/shim-fix/slack/signing-secret'),
    ]);
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('kms:'))).toEqual([]);
  });

  it('uses "*" for no resource (DescribeInstanceInformation, which has no resource-level permissions, is the worker\'s)', () => {
    // Act
    const starred = statementsOf('SlackHandlerRole').filter((s) => s.Resource === '*');

    // Assess
    expect(starred.flatMap(actionsOf)).toEqual([]);
  });

  it('touches DynamoDB on the shim-fix table only', () => {
    // Act
    const table = bySid(statementsOf('SlackHandlerRole'), 'UseShimFixTable');

    // Assess
    expect(table.Resource).toEqual({ 'Fn::GetAtt': [logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable'), 'Arn'] });
  });

  it('attaches no managed policy (not even AWSLambdaBasicExecutionRole) to any handler role', () => {
    // Act
    const roles = Object.values(synth.template.findResources('AWS::IAM::Role'));

    // Assess: Slack handler, remediation worker, status handler, sweeper.
    expect(roles).toHaveLength(4);
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

/** Everything the status handler may do: follow commands up, never send one (the sweeper also queries its index). */
const FOLLOW_UP_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'ssm:GetCommandInvocation',
  'ssm:GetParameters',
  'ssm:ListCommandInvocations',
].sort();

describe('scan schedule', () => {
  it('is off by default: no schedule, no scheduler role, and App Home is told none is set up', () => {
    // Assess
    synth.template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(Object.keys(synth.template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('ScanSchedulerRole'))).toEqual([]);
    for (const fn of Object.values(synth.template.findResources('AWS::Lambda::Function'))) {
      expect(Object.keys((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>)).not.toContain('SHIM_FIX_SCAN_SCHEDULE');
    }
  });
});

describe('IAM of the status handler', () => {
  it('may read the bot token, command results and the table, and nothing else', () => {
    // Act
    const statements = statementsOf('StatusHandlerRole');

    // Assess
    // Fleets: a Query limited to fleet partitions and the next wave's hand-over to the worker (iam-simulation.test.ts).
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([...FOLLOW_UP_ACTIONS, 'dynamodb:Query', 'lambda:InvokeFunction'].sort());
    expect(arns(bySid(statements, 'ReadSlackParameters').Resource)).toEqual([ssmArn('parameter/shim-fix/slack/bot-token')]);
  });
});

describe('Slack handler function', () => {
  it('runs on Node.js 24 on arm64 with its own log group and the configuration docs/architecture.md names', () => {
    // Act
    const { resource } = functionNamed(/Slack events/);

    // Assess
    expect(resource.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(synth.template, 'AWS::Logs::LogGroup', 'SlackHandlerLogs') } },
    });
    expect(resource.Properties.Environment.Variables).toEqual({
      SLACK_SIGNING_SECRET_PARAM: '/shim-fix/slack/signing-secret',
      SLACK_BOT_TOKEN_PARAM: '/shim-fix/slack/bot-token',
      SHIM_FIX_OPERATORS: OPERATORS,
      SHIM_FIX_ALLOW_TAG: 'shim-fix=enabled',
      SHIM_FIX_COMMAND_LOG_GROUP: { Ref: logicalId(synth.template, 'AWS::Logs::LogGroup', 'CommandOutputLogs') },
      SHIM_FIX_RESTART_DOCUMENT: 'ShimFix-RestartContainerRuntime',
      SHIM_FIX_CHECK_DOCUMENT: 'ShimFix-CheckContainerRuntime',
      SHIM_FIX_TABLE: { Ref: logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable') },
      SHIM_FIX_RESTART_DOCUMENT_SHA256: expect.stringMatching(/^[0-9a-f]{64}$/),
      SHIM_FIX_CHECK_DOCUMENT_SHA256: expect.stringMatching(/^[0-9a-f]{64}$/),
      SHIM_FIX_WORKER_FUNCTION: { Ref: functionNamed(/outside the Slack request/).id },
    });
  });

  it('may invoke the remediation worker, and only it', () => {
    // Act
    const invoke = bySid(statementsOf('SlackHandlerRole'), 'InvokeRemediationWorker');

    // Assess
    expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
    expect(invoke.Resource).toEqual({ 'Fn::GetAtt': [functionNamed(/outside the Slack request/).id, 'Arn'] });
  });

  it('gets the SHA-256 of each document\'s content exactly as the template carries it', () => {
    // Prepare
    const { resource } = functionNamed(/Slack events/);
    const documents = Object.values(synth.template.findResources('AWS::SSM::Document'));
    const contentOf = (name: string) => documents.find((document) => document.Properties.Name === name)?.Properties.Content as unknown;
    const sha256 = (content: unknown) => createHash('sha256').update(JSON.stringify(content), 'utf8').digest('hex');

    // Act
    const variables = resource.Properties.Environment.Variables as Record<string, string>;

    // Assess
    expect(variables.SHIM_FIX_RESTART_DOCUMENT_SHA256).toBe(sha256(contentOf('ShimFix-RestartContainerRuntime')));
    expect(variables.SHIM_FIX_CHECK_DOCUMENT_SHA256).toBe(sha256(contentOf('ShimFix-CheckContainerRuntime')));
    expect(variables.SHIM_FIX_RESTART_DOCUMENT_SHA256).not.toBe(variables.SHIM_FIX_CHECK_DOCUMENT_SHA256);
  });

  it('keeps Run Command output in its own retained log group with retention, not in SSM default groups kept forever', () => {
    // Act
    const [group] = Object.values(synth.template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/shim-fix/ShimFix/run-command' } }));

    // Assess
    expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 90 } });
  });

  it('is reachable through a Function URL without AWS auth (Slack signs its requests instead), and only the Slack handler is', () => {
    // Act
    const urls = synth.template.findResources('AWS::Lambda::Url');
    const publicPermissions = Object.values(synth.template.findResources('AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal === '*',
    );

    // Assess
    const slack = functionNamed(/Slack events/).id;
    expect(Object.values(urls).map((url) => url.Properties)).toEqual([{ AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [slack, 'Arn'] } }]);
    for (const permission of publicPermissions) expect(permission.Properties.FunctionName).toEqual({ 'Fn::GetAtt': [slack, 'Arn'] });
    const functionUrl = { 'Fn::GetAtt': [Match.stringLikeRegexp('^SlackHandlerFunctionFunctionUrl'), 'FunctionUrl'] };
    synth.template.hasOutput('SlackFunctionUrl', { Value: functionUrl });
    // The path the production manifest (infra/slack/manifest.prod.yaml) and the local server use.
    synth.template.hasOutput('SlackRequestUrl', { Value: { 'Fn::Join': ['', [functionUrl, 'slack/events']] } });
  });

  it('ships one small bundle: AWS SDK left to the runtime, the knowledge index inside', () => {
    // Prepare
    const bundleDir = assetDirOf(functionNamed(/Slack events/).resource);
    const knowledge = JSON.parse(readFileSync(path.join(ROOT, 'lambda', 'generated', 'knowledge.json'), 'utf8')) as unknown;

    // Act
    const files = readdirSync(bundleDir);
    const bundle = readFileSync(path.join(bundleDir, 'index.js'), 'utf8');

    // Assess
    expect(files).toEqual(['index.js']);
    expect(statSync(path.join(bundleDir, 'index.js')).size).toBeLessThanOrEqual(1.5 * 1024 * 1024);
    // External modules stay require() calls; a bundled SDK would carry its client code instead.
    expect(bundle).toMatch(/require\("@aws-sdk\/client-ssm"\)/);
    expect(bundle).not.toMatch(/class \w*SSMClient\b/);
    // Every runbook id of the generated index is in the bundle (the handler imports the JSON, esbuild inlines it).
    const ids = JSON.stringify(knowledge).match(/shim-version-mismatch|containerd-socket-down/g) ?? [];
    expect(ids.length).toBeGreaterThan(0);
    for (const id of new Set(ids)) expect(bundle).toContain(id);
  });

  it('starts from its bundle (receivers Bolt does not need are stubbed, not broken) and rejects an unsigned request', () => {
    // Prepare
    const bundle = path.join(assetDirOf(functionNamed(/Slack events/).resource), 'index.js');
    const invoke = `
      const { handler } = require(${JSON.stringify(bundle)});
      const event = { version: '2.0', rawPath: '/', rawQueryString: '', isBase64Encoded: false,
        headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=forged',
          'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) },
        requestContext: { http: { method: 'POST', path: '/' }, requestId: 'test' },
        body: JSON.stringify({ type: 'url_verification', challenge: 'c' }) };
      handler(event, { awsRequestId: 'test', functionName: 'shim-fix' }).then(
        (response) => process.stdout.write(JSON.stringify(response)),
        (error) => { process.stdout.write('error: ' + error.message); process.exitCode = 1; });`;

    // Act: the SDK comes from the repository's node_modules, as the runtime provides it in Lambda;
    // local secrets in the environment keep the cold start away from SSM (no network in tests).
    const output = execFileSync(process.execPath, ['-e', invoke], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, 'node_modules'), AWS_REGION: 'eu-west-1', SLACK_SIGNING_SECRET: 'test-secret', SLACK_BOT_TOKEN: 'xoxb-test', SHIM_FIX_LOG_LEVEL: 'SILENT' },
      encoding: 'utf8',
      timeout: 20_000,
    });

    // Assess
    expect(JSON.parse(output)).toMatchObject({ statusCode: 401 });
  });
});

describe('status path', () => {
  it('matches only command status events of our two documents, and feeds the status handler', () => {
    // Act
    const rules = Object.values(synth.template.findResources('AWS::Events::Rule')).filter((rule) => rule.Properties.EventPattern !== undefined);

    // Assess
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventPattern).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['EC2 Command Invocation Status-change Notification', 'EC2 Command Status-change Notification'],
      detail: { 'document-name': ['ShimFix-RestartContainerRuntime', 'ShimFix-CheckContainerRuntime'] },
    });
    expect(rules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [functionNamed(/command results/).id, 'Arn'] } }),
    ]);
  });

  it('gives the status handler the bot token parameter, the table and the document names, and no signing secret', () => {
    // Act
    const variables = functionNamed(/command results/).resource.Properties.Environment.Variables;

    // Assess
    expect(variables).toEqual({
      SLACK_BOT_TOKEN_PARAM: '/shim-fix/slack/bot-token',
      SHIM_FIX_RESTART_DOCUMENT: 'ShimFix-RestartContainerRuntime',
      SHIM_FIX_CHECK_DOCUMENT: 'ShimFix-CheckContainerRuntime',
      SHIM_FIX_TABLE: { Ref: logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable') },
      SHIM_FIX_WORKER_FUNCTION: { Ref: logicalId(synth.template, 'AWS::Lambda::Function', 'RemediationWorker') },
    });
  });
});

describe('sweeper (fallback for lost status events)', () => {
  it('runs every 5 minutes on a schedule, one run at a time, without EventBridge retries', () => {
    // Act
    const sweeper = functionNamed(/status events were lost/);
    const schedules = Object.values(synth.template.findResources('AWS::Events::Rule')).filter((rule) => rule.Properties.ScheduleExpression !== undefined);

    // Assess
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(schedules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [sweeper.id, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120 } }),
    ]);
    expect(sweeper.resource.Properties.ReservedConcurrentExecutions).toBe(1);
    synth.template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [sweeper.id, 'Arn'] }, Principal: 'events.amazonaws.com' });
  });

  it('may read the bot token, command results and the table, and can never send a command', () => {
    // Act
    const statements = statementsOf('SweeperHandlerRole');

    // Assess
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([...FOLLOW_UP_ACTIONS, 'dynamodb:Query', 'lambda:InvokeFunction'].sort());
    expect(arns(bySid(statements, 'ReadSlackParameters').Resource)).toEqual([ssmArn('parameter/shim-fix/slack/bot-token')]);
  });

  it('gets the status handler\'s configuration: bot token parameter, table, document names, no signing secret', () => {
    // Act
    const variables = functionNamed(/status events were lost/).resource.Properties.Environment.Variables;

    // Assess
    expect(variables).toEqual(functionNamed(/command results/).resource.Properties.Environment.Variables);
    expect(JSON.stringify(variables)).not.toContain('SIGNING');
  });
});

describe('audit table', () => {
  it('keeps the audit trail: retained on stack deletion, deletion-protected, point-in-time recovery, encrypted', () => {
    // Assess
    synth.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });
});

describe('our SSM documents', () => {
  it.each([
    ['ShimFix-CheckContainerRuntime', 'check-container-runtime.sh', undefined],
    ['ShimFix-RestartContainerRuntime', 'restart-container-runtime.sh', ALLOW_STOPPING_CONTAINERS],
  ])('%s is a Linux-only schema 2.2 Command document that runs exactly infra/ssm/%s, with no free-form parameter', (name, script, choice) => {
    // Prepare
    const path_ = path.join(ROOT, 'infra', 'ssm', script);
    const lines = scriptToRunCommand(assembleScript(path_), path_);
    const expected = choice ? withChoiceParameter(lines, choice, path_) : lines;
    const parameters = choice
      ? { [choice.name]: { type: 'String', allowedValues: [...choice.allowedValues], default: choice.default, description: choice.description } }
      : {};

    // Act
    const [document] = Object.values(synth.template.findResources('AWS::SSM::Document', { Properties: { Name: name } }));

    // Assess
    expect(document?.Properties).toMatchObject({ DocumentType: 'Command', UpdateMethod: 'NewVersion' });
    const content = document?.Properties.Content;
    expect(content).toMatchObject({ schemaVersion: '2.2' });
    expect(content.parameters).toEqual(parameters);
    expect(content.mainSteps).toHaveLength(1);
    expect(content.mainSteps[0]).toMatchObject({
      action: 'aws:runShellScript',
      precondition: { StringEquals: ['platformType', 'Linux'] },
      inputs: { runCommand: expected },
    });
  });

  it('creates no SSM parameter: the SecureStrings are the operator\'s, CloudFormation only references them', () => {
    // Assess
    synth.template.resourceCountIs('AWS::SSM::Parameter', 0);
  });
});

describe('operations', () => {
  it('keeps logs for 90 days by default', () => {
    // Act
    const groups = Object.values(synth.template.findResources('AWS::Logs::LogGroup'));

    // Assess
    expect(groups.map((group) => group.Properties.RetentionInDays)).toEqual([90, 90, 90, 90, 90]);
  });

  it('alarms on errors and throttles of both handlers and the remediation worker, sweeper errors, Slack p99 latency near 3 s and failed event deliveries', () => {
    // Act
    const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);

    // Assess
    const named = (metric: string) => alarms.filter((alarm) => alarm.MetricName === metric);
    const worker = functionNamed(/outside the Slack request/).id;
    expect(named('Errors')).toHaveLength(4);
    expect(named('Errors').map((alarm) => alarm.Dimensions[0].Value.Ref)).toContain(functionNamed(/status events were lost/).id);
    expect(named('Errors').filter((alarm) => alarm.Dimensions[0].Value.Ref === worker)).toEqual([
      expect.objectContaining({ Threshold: 1, Statistic: 'Sum', AlarmDescription: expect.stringContaining('RemediationWorker threw') }),
    ]);
    expect(named('Throttles')).toHaveLength(3);
    expect(named('Throttles').map((alarm) => alarm.Dimensions[0].Value.Ref)).toContain(worker);
    expect(named('FailedInvocations')).toHaveLength(1);
    expect(named('Duration')).toEqual([
      expect.objectContaining({
        ExtendedStatistic: 'p99',
        Threshold: 2500,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionNamed(/Slack events/).id } }],
      }),
    ]);
    // No e-mail configured: alarms exist, nobody is subscribed.
    synth.template.resourceCountIs('AWS::SNS::Topic', 0);
  });
});
