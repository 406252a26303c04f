import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { AllowTag } from '../../lambda/config';

/**
 * The IAM statements of our two handlers, one builder per capability, each statement with a `sid`
 * so tests, the IAM simulation and a human reading the console can name it.
 * Nothing here uses `ssm:*` or any other wildcard action.
 */

/**
 * DynamoDB calls the remediation store (lambda/aws/remediation-store.ts) makes: single items and conditional writes,
 * no transactions, no scans. Only the sweeper queries (the in-flight index, `listInFlight`).
 */
export const ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;
export const SWEEPER_TABLE_ACTIONS = [...ITEM_ACTIONS, 'dynamodb:Query'] as const;

/** ARNs of EC2 instances and hybrid managed nodes in this account and region (tag-gated in the statements that use them). */
export function managedNodeArns(scope: IConstruct): string[] {
  const stack = Stack.of(scope);
  return [
    stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
    stack.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' }),
  ];
}

/** ARN of a Command document we own, in this account and region. */
export function documentArn(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'ssm', resource: 'document', resourceName: name });
}

/**
 * Reads the SecureString parameters. `GetParameters` only: the handler fetches its values in one call at cold start.
 * `kms:Decrypt` only for a customer managed key: the AWS managed key `aws/ssm` lets the account's principals
 * decrypt through SSM without any IAM grant.
 */
export function readParameters(scope: IConstruct, parameterArns: string[], keyArn?: string): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({ sid: 'ReadSlackParameters', actions: ['ssm:GetParameters'], resources: parameterArns }),
  ];
  if (keyArn) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DecryptSlackParameters',
        actions: ['kms:Decrypt'],
        resources: [keyArn],
        // The key may decrypt for us only on SSM's behalf, never for a direct kms:Decrypt call.
        conditions: { StringEquals: { 'kms:ViaService': `ssm.${Stack.of(scope).region}.${Stack.of(scope).urlSuffix}` } },
      }),
    );
  }
  return statements;
}

export interface SendCommandScope {
  /** ARNs of our two Command documents: the only documents the bot may ever send. */
  readonly documentArns: string[];
  /** EC2 instance and managed-instance ARN patterns (see {@link managedNodeArns}). */
  readonly nodeArns: string[];
  readonly allowTag: AllowTag;
}

/**
 * SendCommand, three statements that only work together:
 * 1. our documents may be sent (document resources carry no instance tag, so no condition here);
 * 2. to instances and managed nodes only when they carry the allow tag (`ssm:resourceTag/<key>`);
 *    SSM evaluates this per target, so a fleet command reaches only the tagged nodes (the others report AccessDenied);
 * 3. an explicit Deny for every other resource: any other document (AWS-RunShellScript included), shared documents
 *    from other accounts, S3 output buckets. A Deny wins over any Allow someone might attach to this role later.
 */
export function sendOurDocuments(scope: SendCommandScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'SendOurDocuments', actions: ['ssm:SendCommand'], resources: scope.documentArns }),
    new iam.PolicyStatement({
      sid: 'SendToTaggedNodesOnly',
      actions: ['ssm:SendCommand'],
      resources: scope.nodeArns,
      conditions: { StringEquals: { [`ssm:resourceTag/${scope.allowTag.key}`]: scope.allowTag.value } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyAnyOtherDocument',
      effect: iam.Effect.DENY,
      actions: ['ssm:SendCommand'],
      notResources: [...scope.documentArns, ...scope.nodeArns],
    }),
    // The plan card shows the document version that will run.
    new iam.PolicyStatement({ sid: 'DescribeOurDocuments', actions: ['ssm:DescribeDocument'], resources: scope.documentArns }),
  ];
}

/** Preflight: is the node SSM-managed, online, Linux? DescribeInstanceInformation has no resource-level permissions, so `*`. */
export function describeManagedNodes(): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'DescribeManagedNodes', actions: ['ssm:DescribeInstanceInformation'], resources: ['*'] });
}

/** Command results. GetCommandInvocation and ListCommandInvocations support no resource-level permissions, so `*`. */
export function readCommandResults(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadCommandResults',
    actions: ['ssm:GetCommandInvocation', 'ssm:ListCommandInvocations'],
    resources: ['*'],
  });
}

/**
 * App Home's two reads (lambda/slack/app-home/): a Query on the `recent` partition (pointers to the latest audit
 * records, RECENT_PARTITION in lambda/aws/remediation-store.ts) and on the `gaps` partition (GAP_PARTITION in
 * lambda/aws/knowledge-gap-store.ts), and on no other partition. `Null: false` makes the key required: a
 * `ForAllValues` condition alone would also match a request that carries no partition key at all.
 */
export function queryAppHomePartitions(tableArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'QueryAppHomePartitions',
    actions: ['dynamodb:Query'],
    resources: [tableArn],
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['recent', 'gaps'] }, Null: { 'dynamodb:LeadingKeys': 'false' } },
  });
}

/** Dedupe, locks and audit records: this table only, and only the calls the handler makes. */
export function useTable(tableArn: string, actions: readonly string[] = ITEM_ACTIONS): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'UseShimFixTable', actions: [...actions], resources: [tableArn] });
}
