import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { AuditTable } from './constructs/audit-table';
import { CommandDocuments } from './constructs/command-documents';
import { HandlerFunction } from './constructs/handler-function';
import { OperationsAlarms } from './constructs/operations-alarms';
import {
  describeManagedNodes,
  ITEM_ACTIONS,
  managedNodeArns,
  readCommandResults,
  readParameters,
  sendOurDocuments,
  SWEEPER_TABLE_ACTIONS,
  queryAppHomePartitions,
  useTable,
} from './constructs/permissions';
import { scanJobSchema } from '../lambda/remediation/jobs';
import type { ScanSettings, ShimFixSettings } from './settings';

/** The SSM events the status handler follows (contract with lambda/handlers/command-status.ts). */
export const COMMAND_EVENT_DETAIL_TYPES = [
  'EC2 Command Invocation Status-change Notification',
  'EC2 Command Status-change Notification',
] as const;

/** How often the sweeper looks for requests whose status events were lost (lambda/slack/remediation/sweep-in-flight.ts). */
export const SWEEP_SCHEDULE = Duration.minutes(5);

/** Path Slack posts to, as in infra/slack/manifest.prod.yaml and the local server (`POST /slack/events`). */
export const SLACK_REQUEST_PATH = 'slack/events';

export interface ShimFixStackProps extends StackProps {
  readonly settings: ShimFixSettings;
  /**
   * Folder with the scripts our SSM documents embed.
   * @default infra/ssm
   */
  readonly scriptsDir?: string;
}

/**
 * shim-fix: Slack handler behind a Function URL, SSM documents it may send, the status path from EventBridge,
 * the audit table and alarms. Environment-agnostic (no lookups), so `cdk synth` runs without an AWS account.
 */
export class ShimFixStack extends Stack {
  public constructor(scope: Construct, id: string, props: ShimFixStackProps) {
    super(scope, id, {
      description: 'shim-fix: Slack bot that diagnoses containerd 2.x upgrade failures and restarts the container runtime through SSM',
      ...props,
    });
    const { settings } = props;

    const table = new AuditTable(this, 'Audit').table;
    const documents = new CommandDocuments(this, 'Documents', {
      restartDocumentName: settings.restartDocument,
      checkDocumentName: settings.checkDocument,
      scriptsDir: props.scriptsDir ?? path.join(__dirname, 'ssm'),
    });
    // References only: CloudFormation cannot create SecureString parameters, the operator does (docs/deploy.md).
    const signingSecret = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'SigningSecret', {
      parameterName: settings.signingSecretParam,
    });
    const botToken = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'BotToken', {
      parameterName: settings.botTokenParam,
    });
    // Run Command output goes here, with the stack's retention, instead of SSM's default per-document groups that
    // keep root-level command output forever. The name is fixed per stack so instance roles can be scoped to it.
    const commandOutput = new logs.LogGroup(this, 'CommandOutputLogs', {
      logGroupName: `/shim-fix/${this.stackName}/run-command`,
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const documentEnvironment = {
      SHIM_FIX_RESTART_DOCUMENT: documents.restartName,
      SHIM_FIX_CHECK_DOCUMENT: documents.checkName,
      SHIM_FIX_TABLE: table.tableName,
    };

    const documentHashes = {
      // What the remediation worker compares with DescribeDocument's Hash before planning or sending (a
      // version published outside this deployment is refused). The content as CloudFormation receives it: JSON of the
      // synthesised object.
      SHIM_FIX_RESTART_DOCUMENT_SHA256: contentSha256(documents.restart.content),
      SHIM_FIX_CHECK_DOCUMENT_SHA256: contentSha256(documents.check.content),
    };

    // What both functions that plan and send need: who may act, the allow tag, the documents and their hashes.
    const remediationEnvironment = {
      SLACK_BOT_TOKEN_PARAM: settings.botTokenParam,
      SHIM_FIX_OPERATORS: settings.operators.join(','),
      SHIM_FIX_ALLOW_TAG: `${settings.allowTag.key}=${settings.allowTag.value}`,
      SHIM_FIX_COMMAND_LOG_GROUP: commandOutput.logGroupName,
      ...documentEnvironment,
      ...documentHashes,
    };

    // The remediation worker: the Slack handler hands it check-first restarts, check plans and confirmed requests with
    // an asynchronous invocation, so Slack's answer never waits for SSM (lambda/remediation/jobs.ts says why this
    // path). Not reachable from the URL.
    const worker = new HandlerFunction(this, 'RemediationWorker', {
      entry: 'lambda/handlers/remediation-worker.ts',
      description: 'shim-fix: plans checks and restarts, sends the check first and confirmed commands, outside the Slack request',
      logRetention: settings.logRetention,
      environment: remediationEnvironment,
    });
    for (const statement of [
      ...readParameters(this, [botToken.parameterArn], settings.parameterKeyArn),
      describeManagedNodes(),
      ...sendOurDocuments({ documentArns: documents.arns, nodeArns: managedNodeArns(this), allowTag: settings.allowTag }),
      useTable(table.tableArn),
      // A fleet check that completes at once (every host unreachable) reads its findings in the worker.
      queryFleetPartitions(table.tableArn),
    ]) {
      worker.role.addToPrincipalPolicy(statement);
    }
    Validations.of(worker.role).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ssm:DescribeInstanceInformation supports no resource-level permissions; AWS requires "*".' },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]',
        reason: 'SendCommand (the check, a confirmed restart) to any instance only with the condition ssm:resourceTag/<allow key> = <allow value>.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*]',
        reason: 'SendCommand to hybrid managed nodes only with the same allow-tag condition as EC2 instances.',
      },
    );

    const slack = new HandlerFunction(this, 'SlackHandler', {
      entry: 'lambda/handlers/slack.ts',
      description: 'shim-fix: Slack events, slash commands and buttons (diagnose, check, restart)',
      // More memory is more CPU: the cold start (Bolt + knowledge index) must fit well inside Slack's 3 s.
      memorySize: 1024,
      // Slack stops waiting after 3 s; anything still running by 10 s is stuck, and Slack's retry is deduplicated.
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: settings.slackConcurrency,
      logRetention: settings.logRetention,
      environment: {
        SLACK_SIGNING_SECRET_PARAM: settings.signingSecretParam,
        ...remediationEnvironment,
        SHIM_FIX_WORKER_FUNCTION: worker.function.functionName,
        // App Home says whether a scheduled scan is set up.
        ...(settings.scan ? { SHIM_FIX_SCAN_SCHEDULE: settings.scan.schedule } : {}),
      },
    });
    for (const statement of [
      ...readParameters(this, [signingSecret.parameterArn, botToken.parameterArn], settings.parameterKeyArn),
      // No SSM beyond its two parameters: every call whose time SSM decides (preflight, DescribeDocument, SendCommand)
      // runs in the remediation worker, so the internet-facing function can neither send a command nor list the
      // fleet, and no command results: the status handler posts them.
      useTable(table.tableArn),
      queryAppHomePartitions(table.tableArn),
      new iam.PolicyStatement({ sid: 'InvokeRemediationWorker', actions: ['lambda:InvokeFunction'], resources: [worker.function.functionArn] }),
    ]) {
      slack.role.addToPrincipalPolicy(statement);
    }

    // Function URL rather than an HTTP API: Slack needs one route, and a URL adds no charge, no stage or authorizer
    // to configure and no extra hop inside Slack's 3-second budget.
    // authType NONE because Slack cannot sign AWS requests: Slack's request signature (HMAC-SHA256 with the signing
    // secret) is the authentication, and the handler verifies it and its timestamp before doing anything else.
    const url = slack.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    const status = new HandlerFunction(this, 'StatusHandler', {
      entry: 'lambda/handlers/command-status.ts',
      description: 'shim-fix: posts SSM command results back to the Slack thread',
      logRetention: settings.logRetention,
      // Fleet rollouts (lambda/remediation/fleet/): when wave k is over, wave k+1 is handed to the worker.
      environment: { SLACK_BOT_TOKEN_PARAM: settings.botTokenParam, SHIM_FIX_WORKER_FUNCTION: worker.function.functionName, ...documentEnvironment },
    });
    // What following a command up needs, and nothing more: the bot token, the two SSM reads, the table. The status
    // handler and the sweeper share it; neither may ever send a command.
    const grantFollowUp = (handler: HandlerFunction, tableActions: readonly string[] = ITEM_ACTIONS): void => {
      for (const statement of [
        ...readParameters(this, [botToken.parameterArn], settings.parameterKeyArn),
        readCommandResults(),
        useTable(table.tableArn, tableActions),
      ]) {
        handler.role.addToPrincipalPolicy(statement);
      }
      Validations.of(handler.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ssm:GetCommandInvocation and ssm:ListCommandInvocations support no resource-level permissions; AWS requires "*".',
      });
    };
    grantFollowUp(status);
    // Fleets: the status handler may not send, so it starts the worker for the next wave (that function only), and it
    // reads a fleet request's findings and outcomes (a Query on `fleet#…` partitions only) to post the plan card.
    status.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'InvokeRemediationWorkerForNextWave', actions: ['lambda:InvokeFunction'], resources: [worker.function.functionArn] }));
    status.role.addToPrincipalPolicy(queryFleetPartitions(table.tableArn));

    const statusRule = new events.Rule(this, 'CommandStatusRule', {
      description: 'shim-fix: status changes of commands that run our two documents',
      eventPattern: {
        source: ['aws.ssm'],
        detailType: [...COMMAND_EVENT_DETAIL_TYPES],
        detail: { 'document-name': [documents.restartName, documents.checkName] },
      },
    });
    statusRule.addTarget(
      new targets.LambdaFunction(status.function, {
        // Retries ride out a short Slack or Lambda outage; a status older than an hour is no longer worth posting.
        maxEventAge: Duration.hours(1),
        retryAttempts: 8,
      }),
    );

    // The fallback for lost status events: every few minutes, requests in flight for longer than that are polled with
    // GetCommandInvocation and finished through the status handler's code path, or given up after a bound. Same
    // permissions as the status handler.
    const sweeper = new HandlerFunction(this, 'SweeperHandler', {
      entry: 'lambda/handlers/command-sweeper.ts',
      description: 'shim-fix: finishes requests whose SSM status events were lost, by polling SSM',
      logRetention: settings.logRetention,
      environment: { SLACK_BOT_TOKEN_PARAM: settings.botTokenParam, SHIM_FIX_WORKER_FUNCTION: worker.function.functionName, ...documentEnvironment },
      // One run at a time is enough and keeps two runs from polling the same request together.
      reservedConcurrentExecutions: 1,
    });
    // The sweeper alone reads the in-flight index (a Query).
    grantFollowUp(sweeper, SWEEPER_TABLE_ACTIONS);
    // A lost event it fills in may end a fleet wave: the next one goes to the worker, as from the status handler.
    sweeper.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'InvokeRemediationWorkerForNextWave', actions: ['lambda:InvokeFunction'], resources: [worker.function.functionArn] }));
    new events.Rule(this, 'SweepSchedule', {
      description: 'shim-fix: finish requests whose SSM status events were lost',
      schedule: events.Schedule.rate(SWEEP_SCHEDULE),
      targets: [
        // No retries: the next scheduled run is the retry, and an old run is worth nothing once a newer one started.
        new targets.LambdaFunction(sweeper.function, { retryAttempts: 0, maxEventAge: Duration.minutes(2) }),
      ],
    });

    if (settings.scan) scanSchedule(this, settings.scan, worker.function);

    const alarms = new OperationsAlarms(this, 'Alarms', {
      slackHandler: slack.function,
      statusHandler: status.function,
      statusRule,
      sweeper: sweeper.function,
      worker: worker.function,
      alarmEmail: settings.alarmEmail,
    });

    new CfnOutput(this, 'CommandOutputLogGroup', {
      description: 'CloudWatch Logs group of the Run Command output; instance roles need logs:CreateLogStream/PutLogEvents on it',
      value: commandOutput.logGroupName,
    });
    new CfnOutput(this, 'SlackFunctionUrl', { description: 'Function URL of the Slack handler (ends with /)', value: url.url });
    new CfnOutput(this, 'SlackRequestUrl', {
      description: 'Request URL to put in the Slack app manifest (events, slash command and interactivity)',
      // The Function URL already ends with a slash.
      value: Fn.join('', [url.url, SLACK_REQUEST_PATH]),
    });
    new CfnOutput(this, 'AuditTableName', { value: table.tableName });
    new CfnOutput(this, 'RestartDocumentName', { value: documents.restartName });
    new CfnOutput(this, 'CheckDocumentName', { value: documents.checkName });
    if (alarms.topic) new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}

/**
 * The proactive scan's schedule (off unless `scanSchedule` is set): EventBridge Scheduler invokes the remediation worker
 * with a `scan` job for the configured channel; the worker runs the read-only fleet check, and the report is posted
 * only when hosts will fail new containers. The L1 resource with its own role, rather than the L2 LambdaInvoke target,
 * because that target grants `lambda:InvokeFunction` on every version and alias too (`<arn>:*`): this role may invoke
 * the worker's unqualified ARN and nothing else.
 */
/** A Query on fleet request partitions (`fleet#<requestId>`, lambda/aws/remediation-store-fleet.ts) and no other; the key is required. */
function queryFleetPartitions(tableArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'QueryFleetRequestPartitions',
    actions: ['dynamodb:Query'],
    resources: [tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['fleet#*'] }, Null: { 'dynamodb:LeadingKeys': 'false' } },
  });
}

function scanSchedule(stack: Stack, scan: ScanSettings, worker: lambda.IFunction): void {
  const role = new iam.Role(stack, 'ScanSchedulerRole', {
    description: 'shim-fix: lets EventBridge Scheduler start the scheduled scan on the remediation worker, nothing else',
    // Only schedules of this account may use the role (the confused-deputy guard Scheduler documents).
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'InvokeRemediationWorker', actions: ['lambda:InvokeFunction'], resources: [worker.functionArn] }));
  new scheduler.CfnSchedule(stack, 'ScanSchedule', {
    description: 'shim-fix: scan every allow-tagged instance for daemons that will fail new containers',
    scheduleExpression: scan.schedule,
    scheduleExpressionTimezone: scan.timezone ?? 'UTC',
    // Exactly on time: the report is expected at a known hour, and one run a day costs nothing to schedule precisely.
    flexibleTimeWindow: { mode: 'OFF' },
    state: 'ENABLED',
    target: {
      arn: worker.functionArn,
      roleArn: role.roleArn,
      // The same job schema the worker validates, so a bad channel fails the synth rather than the 06:00 run.
      input: JSON.stringify(scanJobSchema.parse({ kind: 'scan', channelId: scan.channel })),
      // Scheduler retries only a failed hand-over (the worker runs asynchronously); a scan older than an hour is stale.
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
    },
  });
}

/** SHA-256 (hex) of a document's content, serialised as the template carries it. */
export function contentSha256(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content), 'utf8').digest('hex');
}
