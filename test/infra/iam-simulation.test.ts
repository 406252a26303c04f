import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, REGION, documentArn, identityPoliciesOf, instanceArn } from './helpers/iam-policies';
import { logicalId, synthShimFix, type SynthesisedShimFix } from './helpers/synth';
import { GAP_PARTITION } from '../../lambda/aws/knowledge-gap-store';
import { RECENT_PARTITION } from '../../lambda/aws/remediation-store';

/**
 * Evaluates the synthesised policies with an IAM policy simulator, so the claims "only our documents, only tagged
 * instances, only our table, only our parameters" are checked the way AWS evaluates them, not just by reading JSON.
 */

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

interface Request {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

let synth: SynthesisedShimFix;
let slackPolicies: Simulation['identityPolicies'];
let statusPolicies: Simulation['identityPolicies'];
let sweeperPolicies: Simulation['identityPolicies'];
let workerPolicies: Simulation['identityPolicies'];
let schedulerPolicies: Simulation['identityPolicies'];

beforeAll(() => {
  // allowTag differs from the default so a policy that hard-coded the default tag would fail these tests.
  // CloudFormation's own validation of the same resources runs in shim-fix-stack.test.ts and custom-settings.test.ts.
  synth = synthShimFix({ allowTag: 'team=containers', operators: 'U012ABCDEF', scanSchedule: 'cron(0 6 * * ? *)', scanChannel: 'C0SCANS0001' }, undefined, { cloudFormationValidation: false });
  slackPolicies = identityPoliciesOf(synth.template, logicalId(synth.template, 'AWS::IAM::Role', 'SlackHandlerRole'));
  statusPolicies = identityPoliciesOf(synth.template, logicalId(synth.template, 'AWS::IAM::Role', 'StatusHandlerRole'));
  sweeperPolicies = identityPoliciesOf(synth.template, logicalId(synth.template, 'AWS::IAM::Role', 'SweeperHandlerRole'));
  workerPolicies = identityPoliciesOf(synth.template, logicalId(synth.template, 'AWS::IAM::Role', 'RemediationWorkerRole'));
  schedulerPolicies = identityPoliciesOf(synth.template, logicalId(synth.template, 'AWS::IAM::Role', 'ScanSchedulerRole'));
});

afterAll(() => synth.cleanUp());

async function decide(identityPolicies: Simulation['identityPolicies'], request: Request): Promise<Decision> {
  const result = await runSimulation(
    {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/shim-fix-handler`,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context ?? {},
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation rejected its input: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

const tagged = { 'ssm:resourceTag/team': 'containers' };
const table = (id: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
const parameter = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;

describe('Slack handler role, evaluated by the IAM simulator', () => {
  it('may send no command and make no SSM call but reading its two parameters (the worker does the SSM work)', async () => {
    // Prepare: what the Slack handler could do before the worker took over planning and sending.
    const requests: Request[] = [
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-RestartContainerRuntime') },
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-CheckContainerRuntime') },
      { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0'), context: tagged },
      { action: 'ssm:DescribeInstanceInformation', resource: '*' },
      { action: 'ssm:DescribeDocument', resource: documentArn('ShimFix-RestartContainerRuntime') },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(slackPolicies, request)));

    // Assess
    expect(decisions).toEqual(requests.map(() => 'ImplicitlyDenied'));
  });

  it('may read only the two Slack parameters', async () => {
    // Prepare
    const ours = ['/shim-fix/slack/signing-secret', '/shim-fix/slack/bot-token'].map(parameter);
    const other = parameter('/prod/database/password');

    // Act
    const allowed = await Promise.all(ours.map((resource) => decide(slackPolicies, { action: 'ssm:GetParameters', resource })));
    const denied = await decide(slackPolicies, { action: 'ssm:GetParameters', resource: other });

    // Assess
    expect(allowed).toEqual(['Allowed', 'Allowed']);
    expect(denied).toBe('ImplicitlyDenied');
  });

  it('may use its own table and no other table', async () => {
    // Prepare
    const ours = table(logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable'));

    // Act
    const own = await decide(slackPolicies, { action: 'dynamodb:PutItem', resource: ours });
    const other = await decide(slackPolicies, { action: 'dynamodb:PutItem', resource: table('customers') });
    const scan = await decide(slackPolicies, { action: 'dynamodb:Scan', resource: ours });

    // Assess
    expect(own).toBe('Allowed');
    expect(other).toBe('ImplicitlyDenied');
    expect(scan).toBe('ImplicitlyDenied');
  });

  it('may not read any command output, nor make DynamoDB calls the Slack handler never makes', async () => {
    // Prepare: the internet-facing function posts no results (the status handler does) and queries only App Home's
    // partitions (a Query naming no partition key is refused too).
    const ours = table(logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable'));
    const requests: Request[] = [
      { action: 'ssm:GetCommandInvocation', resource: '*' },
      { action: 'ssm:ListCommandInvocations', resource: '*' },
      { action: 'dynamodb:Query', resource: ours },
      { action: 'dynamodb:ConditionCheckItem', resource: ours },
      { action: 'dynamodb:BatchWriteItem', resource: ours },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(slackPolicies, request)));

    // Assess
    expect(decisions).toEqual(requests.map(() => 'ImplicitlyDenied'));
  });

  it("may query App Home's two partitions of its own table, and no other partition or table", async () => {
    // Prepare
    const ours = table(logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable'));
    const query = (resource: string, leadingKey: string): Request => ({ action: 'dynamodb:Query', resource, context: { 'dynamodb:LeadingKeys': leadingKey } });

    // Act
    const decisions = await Promise.all(
      [query(ours, RECENT_PARTITION), query(ours, GAP_PARTITION), query(ours, 'inflight'), query(ours, 'audit#r-1'), query(table('customers'), RECENT_PARTITION)].map((request) =>
        decide(slackPolicies, request),
      ),
    );

    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('may not start sessions, run automations or touch EC2', async () => {
    // Prepare
    const requests: Request[] = [
      { action: 'ssm:StartSession', resource: instanceArn('i-0123456789abcdef0'), context: tagged },
      { action: 'ssm:StartAutomationExecution', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-definition/AWS-RestartEC2Instance:$DEFAULT` },
      { action: 'ec2:TerminateInstances', resource: instanceArn('i-0123456789abcdef0') },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(slackPolicies, request)));

    // Assess
    expect(decisions).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });
});

describe('Status handler role, evaluated by the IAM simulator', () => {
  it('may read command results and the bot token but never send a command or read the signing secret', async () => {
    // Prepare
    const requests: Request[] = [
      { action: 'ssm:GetCommandInvocation', resource: '*' },
      { action: 'ssm:GetParameters', resource: parameter('/shim-fix/slack/bot-token') },
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-RestartContainerRuntime') },
      { action: 'ssm:GetParameters', resource: parameter('/shim-fix/slack/signing-secret') },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(statusPolicies, request)));

    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('uses its table item by item: no query, no transaction check', async () => {
    // Prepare
    const ours = table(logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable'));

    // Act
    const decisions = await Promise.all(['dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'].map((action) => decide(statusPolicies, { action, resource: ours })));

    // Assess
    expect(decisions).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('hands the next fleet wave to the remediation worker only, and queries fleet request partitions only', async () => {
    // Prepare
    const workerArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId(synth.template, 'AWS::Lambda::Function', 'RemediationWorker')}`;
    const ours = table(logicalId(synth.template, 'AWS::DynamoDB::Table', 'AuditTable'));
    const query = (leadingKey: string): Request => ({ action: 'dynamodb:Query', resource: ours, context: { 'dynamodb:LeadingKeys': leadingKey } });
    const requests: Request[] = [
      { action: 'lambda:InvokeFunction', resource: workerArn },
      query('fleet#r-abc'),
      { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:anything` },
      query('inflight'),
      query('audit#r-abc'),
      { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0'), context: tagged },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(statusPolicies, request)));

    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });
});

describe('Sweeper role, evaluated by the IAM simulator', () => {
  it('may poll command results, read the bot token and use its table, but never send a command or read the signing secret', async () => {
    // Prepare
    const requests: Request[] = [
      { action: 'ssm:GetCommandInvocation', resource: '*' },
      { action: 'ssm:ListCommandInvocations', resource: '*' },
      { action: 'ssm:GetParameters', resource: parameter('/shim-fix/slack/bot-token') },
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-RestartContainerRuntime') },
      { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0'), context: tagged },
      { action: 'ssm:GetParameters', resource: parameter('/shim-fix/slack/signing-secret') },
      { action: 'dynamodb:Query', resource: table('other-table') },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(sweeperPolicies, request)));

    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });
});

describe('Remediation worker role, evaluated by the IAM simulator', () => {
  it('may send our documents to tagged instances only, read the bot token, and nothing the Slack handler alone needs', async () => {
    // Prepare
    const requests: Request[] = [
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-CheckContainerRuntime') },
      { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0'), context: tagged },
      { action: 'ssm:GetParameters', resource: parameter('/shim-fix/slack/bot-token') },
      { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0') },
      { action: 'ssm:SendCommand', resource: documentArn('AWS-RunShellScript'), context: tagged },
      { action: 'ssm:GetParameters', resource: parameter('/shim-fix/slack/signing-secret') },
      { action: 'ssm:GetCommandInvocation', resource: '*' },
      { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:anything` },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(workerPolicies, request)));

    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('may send our restart and check documents to an instance that carries the allow tag', async () => {
    // Prepare
    const requests: Request[] = [
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-RestartContainerRuntime') },
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-CheckContainerRuntime') },
      { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0'), context: tagged },
      { action: 'ssm:SendCommand', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`, context: tagged },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(workerPolicies, request)));

    // Assess
    expect(decisions).toEqual(['Allowed', 'Allowed', 'Allowed', 'Allowed']);
  });

  it('may not send a command to an instance without the allow tag, or with another value of it', async () => {
    // Prepare
    const untagged: Request = { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0') };
    const wrongValue: Request = { ...untagged, context: { 'ssm:resourceTag/team': 'databases' } };
    const defaultTagOnly: Request = { ...untagged, context: { 'ssm:resourceTag/shim-fix': 'enabled' } };

    // Act
    const decisions = await Promise.all([untagged, wrongValue, defaultTagOnly].map((request) => decide(workerPolicies, request)));

    // Assess
    expect(decisions).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('is explicitly denied AWS-RunShellScript and any document that is not ours, even on a tagged instance', async () => {
    // Prepare
    // AWS-owned documents really have no account in their ARN (arn:aws:ssm:<region>::document/…); the simulator needs one
    // to recognise the resource type. The Deny uses NotResource, so it matches either form.
    const others = [
      documentArn('AWS-RunShellScript'),
      documentArn('AWS-RunPatchBaseline'),
      documentArn('ShimFix-SomethingElse'),
      `arn:aws:ssm:${REGION}:444455556666:document/ShimFix-RestartContainerRuntime`,
    ];

    // Act
    const decisions = await Promise.all(
      others.map((resource) => decide(workerPolicies, { action: 'ssm:SendCommand', resource, context: tagged })),
    );

    // Assess
    expect(decisions).toEqual(others.map(() => 'ExplicitlyDenied'));
  });
});

describe('Scan scheduler role, evaluated by the IAM simulator', () => {
  it('may invoke the remediation worker and nothing else: no other function, no version or alias, no SSM, no table', async () => {
    // Prepare
    const workerId = logicalId(synth.template, 'AWS::Lambda::Function', 'RemediationWorker');
    // The worker's ARN as the policy names it once intrinsics are resolved (the logical id stands in for the name).
    const workerArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${workerId}`;
    const requests: Request[] = [
      { action: 'lambda:InvokeFunction', resource: workerArn },
      { action: 'lambda:InvokeFunction', resource: `${workerArn}:live` },
      { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:anything` },
      { action: 'lambda:UpdateFunctionCode', resource: workerArn },
      { action: 'ssm:SendCommand', resource: documentArn('ShimFix-CheckContainerRuntime') },
      { action: 'ssm:SendCommand', resource: instanceArn('i-0123456789abcdef0'), context: tagged },
      { action: 'dynamodb:GetItem', resource: table('anything') },
      { action: 'ssm:GetParameters', resource: parameter('/shim-fix/slack/bot-token') },
    ];

    // Act
    const decisions = await Promise.all(requests.map((request) => decide(schedulerPolicies, request)));

    // Assess
    expect(decisions).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });
});
