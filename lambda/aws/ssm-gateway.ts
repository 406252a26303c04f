import {
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  type InstanceInformationStringFilter,
  type SSMClient,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import * as z from 'zod';
import type { AllowTag } from '../config';
import { classifyAwsError } from '../core/remediation/aws-failure';
import { AwsCallError } from '../core/remediation/errors';
import { MAX_FLEET_INSTANCES } from '../core/remediation/preflight';
import type { Target } from '../core/remediation/targets';
import type { DocumentRef, FleetFacts, InstanceFacts, ManagedInstance, RolloutOptions } from '../core/remediation/types';

/** What shim-fix asks of SSM. Small on purpose: the IAM policy grants exactly these calls. */
export interface SsmGateway {
  /** Is the instance managed, online, Linux, and does it carry the allow tag? */
  describeInstance(instanceId: string): Promise<InstanceFacts>;
  /** Which managed nodes carry both the fleet tag and the allow tag (and how many carry the fleet tag at all). */
  describeFleet(tag: { key: string; value: string }): Promise<FleetFacts>;

  /** The default version of one of our documents: the plan pins the command to it. */
  documentVersion(name: string): Promise<DocumentRef>;
  sendCommand(request: CommandRequest): Promise<{ commandId: string }>;
  getCommandInvocation(commandId: string, instanceId: string): Promise<InvocationDetail>;
  listCommandInvocations(commandId: string): Promise<InvocationSummary[]>;
}

export interface CommandRequest {
  document: DocumentRef;
  target: Target;
  comment: string;
  rollout: RolloutOptions;
  /**
   * A fleet batch: these instance ids (at most {@link MAX_INSTANCE_IDS_PER_SEND}, SendCommand's limit) instead of the
   * target, with the rollout's MaxConcurrency and MaxErrors. The fleet flow sends by id, never by tag: the exact set it
   * checked and locked, each id evaluated against IAM's allow-tag condition.
   */
  instanceIds?: readonly string[];
  /** SendCommand `Parameters` (the restart document's AllowStoppingContainers); none for the check. */
  parameters?: Readonly<Record<string, readonly string[]>>;
}

export interface InvocationSummary {
  instanceId: string;
  status: string;
  statusDetails?: string;
}

export interface InvocationDetail extends InvocationSummary {
  responseCode?: number;
  /** SSM keeps the first 24,000 characters of stdout and 8,000 of stderr for GetCommandInvocation. */
  stdout: string;
  stderr: string;
}

export interface SsmGatewayOptions {
  client: SSMClient;
  /**
   * The client SendCommand goes through. Give it `maxAttempts: 1`: SendCommand has no idempotency token, so the SDK's
   * automatic retry of a timed-out or reset request could start a second restart. This gateway retries throttling
   * itself (a throttled request was rejected, so repeating it is safe) and nothing else.
   * @default client
   */
  sendClient?: SSMClient;
  /**
   * Attempts for a throttled SendCommand, and the base delay between them (doubled each time, with jitter).
   * @default { attempts: 3, baseDelayMs: 150 }
   */
  sendThrottleRetry?: { attempts: number; baseDelayMs: number };
  allowTag: AllowTag;
  /** The only documents this gateway will send: SHIM_FIX_RESTART_DOCUMENT and SHIM_FIX_CHECK_DOCUMENT. */
  documents: readonly string[];
  /**
   * CloudWatch Logs group for the commands' full output (SHIM_FIX_COMMAND_LOG_GROUP). The stack creates it with a
   * retention period; without it SSM creates `/aws/ssm/<document>` groups that keep output forever.
   * @default SSM's default group
   */
  commandLogGroup?: string;
  /**
   * Expected SHA-256 (hex) of each document's content, by name, as the stack synthesised it. A document listed here is
   * only planned or sent when DescribeDocument reports that very hash for the version the command is pinned to: a new
   * version published outside the deployment (anyone with ssm:UpdateDocument) is refused rather than run as root.
   * @default {} (not checked: local runs)
   */
  documentHashes?: Readonly<Record<string, string>>;
  /**
   * Pages of tagged instances read when looking for one instance's allow tag (50 per page).
   * @default 20
   */
  maxTagPages?: number;
}

// DescribeInstanceInformation accepts 5..50; 50 keeps the number of calls small (fleets are planned in the worker).
const PAGE_SIZE = 50;
/** One page more than the cap needs: enough to tell "more than MAX_FLEET_INSTANCES" (21 calls for 1,000). */
const FLEET_PAGES = Math.ceil(MAX_FLEET_INSTANCES / PAGE_SIZE) + 1;
/** SendCommand's limit for `InstanceIds`. */
export const MAX_INSTANCE_IDS_PER_SEND = 50;

const instanceSchema = z.object({
  InstanceId: z.string().regex(/^(?:i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/),
  PingStatus: z.string().min(1),
  PlatformType: z.string().optional(),
  PlatformName: z.string().optional(),
  PlatformVersion: z.string().optional(),
  ComputerName: z.string().optional(),
  AgentVersion: z.string().optional(),
});
const describeInstancesSchema = z.object({
  InstanceInformationList: z.array(instanceSchema).default([]),
  NextToken: z.string().optional(),
});
const describeDocumentSchema = z.object({
  Document: z.object({
    Name: z.string(),
    DefaultVersion: z.string().regex(/^[1-9][0-9]*$/),
    /** The version described: the default one unless a version was asked for. */
    DocumentVersion: z.string().optional(),
    DocumentType: z.string().optional(),
    Status: z.string().optional(),
    Hash: z.string().optional(),
    HashType: z.string().optional(),
  }),
});
const sendCommandSchema = z.object({ Command: z.object({ CommandId: z.string().length(36) }) });
const invocationSchema = z.object({
  InstanceId: z.string(),
  Status: z.string(),
  StatusDetails: z.string().optional(),
  ResponseCode: z.number().optional(),
  StandardOutputContent: z.string().optional(),
  StandardErrorContent: z.string().optional(),
});
const listInvocationsSchema = z.object({
  CommandInvocations: z.array(z.object({ InstanceId: z.string(), Status: z.string(), StatusDetails: z.string().optional() })).default([]),
  NextToken: z.string().optional(),
});

/**
 * The SSM adapter: every response is validated with zod at this boundary, every failure becomes an AwsCallError that
 * keeps the SDK error as `cause`.
 *
 * The allow-tag check uses DescribeInstanceInformation's `tag:<key>` filter rather than EC2 DescribeTags or SSM
 * ListTagsForResource: it needs no permission beyond ssm:DescribeInstanceInformation (which the preflight needs
 * anyway), works for EC2 instances and hybrid `mi-` nodes alike (ListTagsForResource only covers `mi-` nodes,
 * DescribeTags only EC2), and sees tags the way SendCommand's `Targets` resolves them. SSM does not allow a tag filter
 * together with an InstanceIds filter, so the check pages through the allow-tagged instances (bounded by maxTagPages).
 *
 * @example
 * const ssm = new AwsSsmGateway({ client: new SSMClient({}), allowTag: config.allowTag,
 *   documents: [config.restartDocument, config.checkDocument] });
 */
export class AwsSsmGateway implements SsmGateway {
  private readonly client: SSMClient;
  private readonly sendClient: SSMClient;
  private readonly sendThrottleRetry: { attempts: number; baseDelayMs: number };
  private readonly allowTag: AllowTag;
  private readonly documents: ReadonlySet<string>;
  private readonly maxTagPages: number;
  private readonly commandLogGroup: string | undefined;
  private readonly documentHashes: Readonly<Record<string, string>>;

  public constructor({ client, sendClient = client, sendThrottleRetry = { attempts: 3, baseDelayMs: 150 }, allowTag, documents, maxTagPages = 20, commandLogGroup, documentHashes = {} }: SsmGatewayOptions) {
    this.commandLogGroup = commandLogGroup;
    this.documentHashes = documentHashes;
    this.client = client;
    this.sendClient = sendClient;
    this.sendThrottleRetry = sendThrottleRetry;
    this.allowTag = allowTag;
    this.documents = new Set(documents);
    this.maxTagPages = maxTagPages;
  }

  public async describeInstance(instanceId: string): Promise<InstanceFacts> {
    const [instance, hasAllowTag] = await Promise.all([this.findInstance(instanceId), this.carriesAllowTag(instanceId)]);
    return { instanceId, ...(instance ? { instance } : {}), hasAllowTag };
  }

  public async describeFleet(tag: { key: string; value: string }): Promise<FleetFacts> {
    // The allow tag itself (a scan of everything enrolled, lambda/remediation/fleet/): one filter, not the same one twice.
    const sameAsAllow = tag.key === this.allowTag.key && tag.value === this.allowTag.value;
    const both = sameAsAllow ? [tagFilter(tag)] : [tagFilter(tag), tagFilter(this.allowTag)];
    const [eligible, withTag] = await Promise.all([this.listInstances(both, FLEET_PAGES), this.listInstances([tagFilter(tag)], FLEET_PAGES)]);
    return {
      tag,
      eligible: eligible.instances,
      withRequestedTag: withTag.truncated ? undefined : withTag.instances.length,
      truncated: eligible.truncated,
    };
  }

  public async documentVersion(name: string): Promise<DocumentRef> {
    this.assertOurDocument(name);
    const response = await this.describeDocument(name);
    if (response.Document.DocumentType !== undefined && response.Document.DocumentType !== 'Command') {
      throw new AwsCallError('invalid-document', 'DescribeDocument', 'InvalidDocumentType', `${name} is a ${response.Document.DocumentType} document, not a Command document`);
    }
    const version = response.Document.DefaultVersion;
    const expected = this.documentHashes[name];
    if (expected !== undefined) {
      // The hash must be the one of the version the command will be pinned to, not of whichever version was described.
      const described = response.Document.DocumentVersion === undefined || response.Document.DocumentVersion === version ? response : await this.describeDocument(name, version);
      const { Hash: hash, HashType: hashType } = described.Document;
      if (hashType !== 'Sha256' || hash?.toLowerCase() !== expected) {
        throw new AwsCallError(
          'invalid-document',
          'DescribeDocument',
          'DocumentHashMismatch',
          `${name} version ${version} has ${hashType ?? 'no'} hash ${hash ?? '(none)'}, not the deployed content's SHA-256 ${expected}`,
        );
      }
    }
    return { name, version };
  }

  private describeDocument(name: string, version?: string) {
    return this.call('DescribeDocument', describeDocumentSchema, () =>
      this.client.send(new DescribeDocumentCommand({ Name: name, ...(version === undefined ? {} : { DocumentVersion: version }) })),
    );
  }

  public async sendCommand(request: CommandRequest): Promise<{ commandId: string }> {
    this.assertOurDocument(request.document.name);
    const input: SendCommandCommandInput = {
      DocumentName: request.document.name,
      // Pinned to the version the plan card showed, so the user confirmed exactly what runs.
      DocumentVersion: request.document.version,
      Comment: request.comment,
      TimeoutSeconds: request.rollout.timeoutSeconds,
      ...(request.parameters && Object.keys(request.parameters).length > 0
        ? { Parameters: Object.fromEntries(Object.entries(request.parameters).map(([name, values]) => [name, [...values]])) }
        : {}),
      CloudWatchOutputConfig: {
        CloudWatchOutputEnabled: true,
        ...(this.commandLogGroup === undefined ? {} : { CloudWatchLogGroupName: this.commandLogGroup }),
      },
    };
    if (request.instanceIds !== undefined) {
      if (request.instanceIds.length === 0 || request.instanceIds.length > MAX_INSTANCE_IDS_PER_SEND) {
        // A programming error: SSM would reject it (ValidationException), and the batches are cut before this.
        throw new RangeError(`a SendCommand batch takes 1 to ${MAX_INSTANCE_IDS_PER_SEND} instance ids, got ${request.instanceIds.length}`);
      }
      input.InstanceIds = [...request.instanceIds];
      input.MaxConcurrency = request.rollout.maxConcurrency;
      input.MaxErrors = request.rollout.maxErrors;
    } else if (request.target.kind === 'instance') {
      input.InstanceIds = [request.target.instanceId];
    } else {
      // Both tags: SSM resolves the intersection, and IAM's ssm:resourceTag condition guards the allow tag again.
      input.Targets = [
        { Key: `tag:${this.allowTag.key}`, Values: [this.allowTag.value] },
        { Key: `tag:${request.target.tag.key}`, Values: [request.target.tag.value] },
      ];
      input.MaxConcurrency = request.rollout.maxConcurrency;
      input.MaxErrors = request.rollout.maxErrors;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.call('SendCommand', sendCommandSchema, () => this.sendClient.send(new SendCommandCommand(input)));
        return { commandId: response.Command.CommandId };
      } catch (error) {
        if (!(error instanceof AwsCallError) || error.kind !== 'throttled' || attempt >= this.sendThrottleRetry.attempts) {
          if (error instanceof AwsCallError) error.attempts = attempt;
          throw error;
        }
        const delay = this.sendThrottleRetry.baseDelayMs * 2 ** (attempt - 1);
        await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
      }
    }
  }

  public async getCommandInvocation(commandId: string, instanceId: string): Promise<InvocationDetail> {
    const response = await this.call('GetCommandInvocation', invocationSchema, () =>
      this.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })),
    );
    return {
      instanceId: response.InstanceId,
      status: response.Status,
      ...(response.StatusDetails ? { statusDetails: response.StatusDetails } : {}),
      ...(response.ResponseCode !== undefined ? { responseCode: response.ResponseCode } : {}),
      stdout: response.StandardOutputContent ?? '',
      stderr: response.StandardErrorContent ?? '',
    };
  }

  public async listCommandInvocations(commandId: string): Promise<InvocationSummary[]> {
    const invocations: InvocationSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListCommandInvocations', listInvocationsSchema, () =>
        this.client.send(new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: PAGE_SIZE, NextToken: nextToken })),
      );
      for (const invocation of page.CommandInvocations) {
        invocations.push({
          instanceId: invocation.InstanceId,
          status: invocation.Status,
          ...(invocation.StatusDetails ? { statusDetails: invocation.StatusDetails } : {}),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return invocations;
  }

  private async findInstance(instanceId: string): Promise<ManagedInstance | undefined> {
    try {
      const { instances } = await this.listInstances([{ Key: 'InstanceIds', Values: [instanceId] }], 1);
      return instances.find((instance) => instance.instanceId === instanceId);
    } catch (error) {
      // An id SSM has never seen is reported as InvalidInstanceId by some regions and as an empty list by others.
      if (error instanceof AwsCallError && error.kind === 'invalid-instance') return undefined;
      throw error;
    }
  }

  private async carriesAllowTag(instanceId: string): Promise<boolean> {
    let nextToken: string | undefined;
    for (let page = 0; page < this.maxTagPages; page++) {
      const response = await this.describePage([tagFilter(this.allowTag)], nextToken);
      if (response.InstanceInformationList.some((instance) => instance.InstanceId === instanceId)) return true;
      nextToken = response.NextToken;
      if (!nextToken) return false;
    }
    // Not found within the bound: treat as untagged. Refusing is the safe side, and the message names the tag.
    return false;
  }

  private async listInstances(filters: InstanceInformationStringFilter[], maxPages: number): Promise<{ instances: ManagedInstance[]; truncated: boolean }> {
    const instances: ManagedInstance[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const response = await this.describePage(filters, nextToken);
      instances.push(...response.InstanceInformationList.map(toManagedInstance));
      nextToken = response.NextToken;
      if (!nextToken) return { instances, truncated: false };
    }
    return { instances, truncated: true };
  }

  private describePage(filters: InstanceInformationStringFilter[], nextToken: string | undefined) {
    return this.call('DescribeInstanceInformation', describeInstancesSchema, () =>
      this.client.send(new DescribeInstanceInformationCommand({ Filters: filters, MaxResults: PAGE_SIZE, NextToken: nextToken })),
    );
  }

  private assertOurDocument(name: string): void {
    if (!this.documents.has(name)) {
      // A programming error, not a user error: nothing may ever send a document other than ours.
      throw new AwsCallError('invalid-document', 'SendCommand', 'DocumentNotAllowed', `shim-fix only sends its own documents; refused ${name}`);
    }
  }

  private async call<S extends z.ZodType>(operation: string, schema: S, send: () => Promise<unknown>): Promise<z.output<S>> {
    let response: unknown;
    try {
      response = await send();
    } catch (error) {
      const { kind, awsName } = classifyAwsError(error);
      throw new AwsCallError(kind, operation, awsName, `${operation} failed: ${awsName}`, { cause: error });
    }
    const parsed = schema.safeParse(response);
    if (!parsed.success) {
      throw new AwsCallError('invalid-response', operation, 'InvalidResponse', `${operation} returned an unexpected response: ${parsed.error.message}`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

function tagFilter(tag: { key: string; value: string }): InstanceInformationStringFilter {
  return { Key: `tag:${tag.key}`, Values: [tag.value] };
}

function toManagedInstance(info: z.output<typeof instanceSchema>): ManagedInstance {
  return {
    instanceId: info.InstanceId,
    pingStatus: info.PingStatus,
    ...(info.PlatformType ? { platformType: info.PlatformType } : {}),
    ...(info.PlatformName ? { platformName: info.PlatformName } : {}),
    ...(info.PlatformVersion ? { platformVersion: info.PlatformVersion } : {}),
    ...(info.ComputerName ? { computerName: info.ComputerName } : {}),
    ...(info.AgentVersion ? { agentVersion: info.AgentVersion } : {}),
  };
}
