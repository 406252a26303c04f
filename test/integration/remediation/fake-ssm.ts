import {
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
  type InstanceInformation,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeNode {
  pingStatus?: string;
  platformType?: string;
  tags?: Record<string, string>;
}

/**
 * A stubbed SSM (aws-sdk-client-mock on every SSMClient): an inventory of managed nodes with tags, our two documents
 * with versions, and command results. It answers DescribeInstanceInformation's filters the way SSM does (tag filters
 * ANDed, InstanceIds alone), so the real gateway runs unchanged.
 */
export class FakeSsm {
  public readonly mock = mockClient(SSMClient);
  public readonly nodes = new Map<string, FakeNode>();
  public readonly versions = new Map<string, string>([
    ['ShimFix-RestartContainerRuntime', '3'],
    ['ShimFix-CheckContainerRuntime', '2'],
  ]);
  public readonly invocations = new Map<string, { Status: string; StandardOutputContent: string; StandardErrorContent: string }>();
  public sendError: Error | undefined;
  private commandCounter = 0;

  public constructor() {
    this.install();
  }

  public reset(): void {
    this.mock.reset();
    this.nodes.clear();
    this.invocations.clear();
    this.sendError = undefined;
    this.versions.set('ShimFix-RestartContainerRuntime', '3');
    this.versions.set('ShimFix-CheckContainerRuntime', '2');
    this.install();
  }

  public sent(): SendCommandCommandInput[] {
    return this.mock.commandCalls(SendCommandCommand).map((call) => call.args[0].input);
  }

  public describeCalls(): number {
    return this.mock.commandCalls(DescribeInstanceInformationCommand).length;
  }

  private install(): void {
    const mock = this.mock;
    mock.on(DescribeInstanceInformationCommand).callsFake((input: { Filters?: Array<{ Key?: string; Values?: string[] }> }) => {
      const filters = input.Filters ?? [];
      const matches = [...this.nodes.entries()].filter(([id, node]) =>
        filters.every((filter) => {
          const values = filter.Values ?? [];
          if (filter.Key === 'InstanceIds') return values.includes(id);
          if (filter.Key?.startsWith('tag:')) return values.includes(node.tags?.[filter.Key.slice(4)] ?? '\u0000');
          throw new Error(`unsupported filter ${filter.Key}`);
        }),
      );
      const list: InstanceInformation[] = matches.map(([id, node]) => ({
        InstanceId: id,
        PingStatus: (node.pingStatus ?? 'Online') as InstanceInformation['PingStatus'],
        PlatformType: (node.platformType ?? 'Linux') as InstanceInformation['PlatformType'],
        PlatformName: 'Ubuntu',
        PlatformVersion: '24.04',
      }));
      return { InstanceInformationList: list };
    });
    mock.on(DescribeDocumentCommand).callsFake((input: { Name: string }) => {
      const version = this.versions.get(input.Name);
      if (!version) throw Object.assign(new Error('document not found'), { name: 'InvalidDocument' });
      return { Document: { Name: input.Name, DefaultVersion: version, DocumentType: 'Command', Status: 'Active' } };
    });
    mock.on(SendCommandCommand).callsFake(() => {
      if (this.sendError) throw this.sendError;
      this.commandCounter += 1;
      return { Command: { CommandId: `00000000-0000-4000-8000-${String(this.commandCounter).padStart(12, '0')}` } };
    });
    mock.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string; InstanceId: string }) => {
      const found = this.invocations.get(input.InstanceId);
      if (!found) throw Object.assign(new Error('no invocation'), { name: 'InvocationDoesNotExist' });
      return { CommandId: input.CommandId, InstanceId: input.InstanceId, ...found };
    });
    mock.on(ListCommandInvocationsCommand).callsFake(() => ({
      CommandInvocations: [...this.invocations.entries()].map(([id, invocation]) => ({ InstanceId: id, Status: invocation.Status })),
    }));
  }
}
