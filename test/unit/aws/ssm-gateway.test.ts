import {
  AccessDeniedException,
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  InvalidInstanceId,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
  ThrottlingException,
  type InstanceInformation,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsSsmGateway } from '../../../lambda/aws/ssm-gateway';
import { AwsCallError } from '../../../lambda/core/remediation/errors';
import { DEFAULT_ROLLOUT } from '../../../lambda/core/remediation/types';
import { startSsmProtocolStub, type SsmProtocolStub } from '../../helpers/ssm-protocol-stub';

const ID = 'i-0123456789abcdef0';
const OTHER = 'i-0fedcba9876543210';
const COMMAND_ID = '11111111-2222-3333-4444-555555555555';
const allowTag = { key: 'shim-fix', value: 'enabled' };
const documents = ['ShimFix-RestartContainerRuntime', 'ShimFix-CheckContainerRuntime'];
const info = (InstanceId: string, extra: Partial<InstanceInformation> = {}): InstanceInformation => ({ InstanceId, PingStatus: 'Online', PlatformType: 'Linux', ...extra });

describe('AwsSsmGateway', () => {
  const ssm = mockClient(SSMClient);
  let gateway: AwsSsmGateway;

  beforeEach(() => {
    ssm.reset();
    gateway = new AwsSsmGateway({ client: new SSMClient({ region: 'us-east-1' }), allowTag, documents, maxTagPages: 3 });
  });

  describe('describeInstance', () => {
    it('combines the instance lookup with the allow-tag listing, using only DescribeInstanceInformation', async () => {
      // Prepare
      ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'InstanceIds', Values: [ID] }] }).resolves({ InstanceInformationList: [info(ID, { ComputerName: 'node-1' })] });
      ssm
        .on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'tag:shim-fix', Values: ['enabled'] }] })
        .resolvesOnce({ InstanceInformationList: [info(OTHER)], NextToken: 'page-2' })
        .resolvesOnce({ InstanceInformationList: [info(ID)] });

      // Act
      const facts = await gateway.describeInstance(ID);

      // Assess
      expect(facts).toEqual({ instanceId: ID, hasAllowTag: true, instance: { instanceId: ID, pingStatus: 'Online', platformType: 'Linux', computerName: 'node-1' } });
      expect(ssm).toHaveReceivedCommandWith(DescribeInstanceInformationCommand, { NextToken: 'page-2' });
      expect(ssm.calls().every((call) => call.args[0] instanceof DescribeInstanceInformationCommand)).toBe(true);
    });

    it('reports an untagged instance, and stops paging at the bound', async () => {
      // Prepare
      ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'InstanceIds', Values: [ID] }] }).resolves({ InstanceInformationList: [info(ID)] });
      ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'tag:shim-fix', Values: ['enabled'] }] }).resolves({ InstanceInformationList: [info(OTHER)], NextToken: 'more' });

      // Act
      const facts = await gateway.describeInstance(ID);

      // Assess
      expect(facts.hasAllowTag).toBe(false);
      expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 1 + 3);
    });

    it('treats InvalidInstanceId as an instance SSM does not manage', async () => {
      // Prepare
      ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'InstanceIds', Values: [ID] }] }).rejects(new InvalidInstanceId({ message: 'no', $metadata: {} }));
      ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'tag:shim-fix', Values: ['enabled'] }] }).resolves({ InstanceInformationList: [] });

      // Act
      const facts = await gateway.describeInstance(ID);

      // Assess
      expect(facts).toEqual({ instanceId: ID, hasAllowTag: false });
    });

    it('wraps access denied in an AwsCallError that keeps the SDK error', async () => {
      // Prepare
      const denied = new AccessDeniedException({ Message: 'not authorized to perform ssm:DescribeInstanceInformation', message: 'not authorized to perform ssm:DescribeInstanceInformation', $metadata: {} });
      ssm.on(DescribeInstanceInformationCommand).rejects(denied);

      // Act
      const error = await gateway.describeInstance(ID).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(AwsCallError);
      expect(error).toMatchObject({ kind: 'access-denied', operation: 'DescribeInstanceInformation', awsName: 'AccessDeniedException' });
      expect((error as AwsCallError).cause).toBe(denied);
    });

    it('rejects a malformed response at the boundary', async () => {
      // Prepare
      ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [info('not-an-id')] });

      // Act
      const error = await gateway.describeInstance(ID).catch((caught: unknown) => caught);

      // Assess
      expect(error).toMatchObject({ kind: 'invalid-response', operation: 'DescribeInstanceInformation' });
    });
  });

  describe('describeFleet', () => {
    it('lists the instances with both tags and counts those with the requested tag', async () => {
      // Prepare
      ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'tag:team', Values: ['payments'] }, { Key: 'tag:shim-fix', Values: ['enabled'] }] }).resolves({ InstanceInformationList: [info(ID)] });
      ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'tag:team', Values: ['payments'] }] }).resolves({ InstanceInformationList: [info(ID), info(OTHER)] });

      // Act
      const facts = await gateway.describeFleet({ key: 'team', value: 'payments' });

      // Assess
      expect(facts).toEqual({ tag: { key: 'team', value: 'payments' }, eligible: [{ instanceId: ID, pingStatus: 'Online', platformType: 'Linux' }], withRequestedTag: 2, truncated: false });
    });
  });

  describe('documentVersion', () => {
    it('returns the default version of our document', async () => {
      // Prepare
      ssm.on(DescribeDocumentCommand, { Name: 'ShimFix-RestartContainerRuntime' }).resolves({ Document: { Name: 'ShimFix-RestartContainerRuntime', DefaultVersion: '4', DocumentType: 'Command', Status: 'Active' } });

      // Act
      const document = await gateway.documentVersion('ShimFix-RestartContainerRuntime');

      // Assess
      expect(document).toEqual({ name: 'ShimFix-RestartContainerRuntime', version: '4' });
    });

    it('refuses to describe or send any other document, without calling AWS', async () => {
      // Act
      const described = await gateway.documentVersion('AWS-RunShellScript').catch((caught: unknown) => caught);
      const sent = await gateway
        .sendCommand({ document: { name: 'AWS-RunShellScript', version: '1' }, target: { kind: 'instance', instanceId: ID }, comment: 'x', rollout: DEFAULT_ROLLOUT })
        .catch((caught: unknown) => caught);

      // Assess
      expect(described).toMatchObject({ kind: 'invalid-document' });
      expect(sent).toMatchObject({ kind: 'invalid-document' });
      expect(ssm.calls()).toHaveLength(0);
    });
  });

  describe('sendCommand', () => {
    it('sends one instance by id, pinned to the planned version, with CloudWatch output, timeout and comment', async () => {
      // Prepare
      ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND_ID } });

      // Act
      const result = await gateway.sendCommand({
        document: { name: 'ShimFix-RestartContainerRuntime', version: '4' },
        target: { kind: 'instance', instanceId: ID },
        comment: 'shim-fix U111 r-1',
        rollout: DEFAULT_ROLLOUT,
      });

      // Assess
      expect(result).toEqual({ commandId: COMMAND_ID });
      expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 1);
      const input = ssm.commandCalls(SendCommandCommand)[0]?.args[0].input;
      expect(input).toEqual({
        DocumentName: 'ShimFix-RestartContainerRuntime',
        DocumentVersion: '4',
        InstanceIds: [ID],
        Comment: 'shim-fix U111 r-1',
        TimeoutSeconds: 600,
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: true },
      });
    });

    it('targets a fleet by the allow tag AND the requested tag, one at a time, stopping on the first error', async () => {
      // Prepare
      ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND_ID } });

      // Act
      await gateway.sendCommand({
        document: { name: 'ShimFix-RestartContainerRuntime', version: '4' },
        target: { kind: 'fleet', tag: { key: 'team', value: 'payments' } },
        comment: 'c',
        rollout: DEFAULT_ROLLOUT,
      });

      // Assess
      expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, {
        Targets: [
          { Key: 'tag:shim-fix', Values: ['enabled'] },
          { Key: 'tag:team', Values: ['payments'] },
        ],
        MaxConcurrency: '1',
        MaxErrors: '0',
      });
      expect(ssm.commandCalls(SendCommandCommand)[0]?.args[0].input.InstanceIds).toBeUndefined();
    });
  });

  describe('sendCommand retries', () => {
    const request = {
      document: { name: 'ShimFix-RestartContainerRuntime', version: '4' },
      target: { kind: 'instance' as const, instanceId: ID },
      comment: 'c',
      rollout: DEFAULT_ROLLOUT,
    };

    it('repeats a throttled SendCommand (it was rejected, so nothing ran) and sends once it is accepted', async () => {
      // Prepare
      const throttled = new ThrottlingException({ Message: 'Rate exceeded', message: 'Rate exceeded', $metadata: {} });
      ssm.on(SendCommandCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ Command: { CommandId: COMMAND_ID } });
      const retrying = new AwsSsmGateway({ client: new SSMClient({ region: 'us-east-1' }), allowTag, documents, sendThrottleRetry: { attempts: 3, baseDelayMs: 1 } });

      // Act
      const result = await retrying.sendCommand(request);

      // Assess
      expect(result).toEqual({ commandId: COMMAND_ID });
      expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 3);
    });

    it('gives up after the attempts and says how many were made', async () => {
      // Prepare
      ssm.on(SendCommandCommand).rejects(new ThrottlingException({ Message: 'Rate exceeded', message: 'Rate exceeded', $metadata: {} }));
      const retrying = new AwsSsmGateway({ client: new SSMClient({ region: 'us-east-1' }), allowTag, documents, sendThrottleRetry: { attempts: 2, baseDelayMs: 1 } });

      // Act
      const error = await retrying.sendCommand(request).catch((caught: unknown) => caught);

      // Assess
      expect(error).toMatchObject({ kind: 'throttled', attempts: 2 });
      expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 2);
    });

    it('never repeats a SendCommand that timed out: it may have started a restart', async () => {
      // Prepare
      ssm.on(SendCommandCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));

      // Act
      const error = await gateway.sendCommand(request).catch((caught: unknown) => caught);

      // Assess
      expect(error).toMatchObject({ kind: 'timeout', attempts: 1 });
      expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 1);
    });
  });

  describe('command results', () => {
    it('reads one invocation with its output', async () => {
      // Prepare
      ssm.on(GetCommandInvocationCommand, { CommandId: COMMAND_ID, InstanceId: ID }).resolves({
        InstanceId: ID,
        Status: 'Failed',
        StatusDetails: 'Failed',
        ResponseCode: 1,
        StandardOutputContent: 'out',
        StandardErrorContent: 'err',
      });

      // Act
      const detail = await gateway.getCommandInvocation(COMMAND_ID, ID);

      // Assess
      expect(detail).toEqual({ instanceId: ID, status: 'Failed', statusDetails: 'Failed', responseCode: 1, stdout: 'out', stderr: 'err' });
    });

    it('lists every invocation across pages', async () => {
      // Prepare
      ssm
        .on(ListCommandInvocationsCommand)
        .resolvesOnce({ CommandInvocations: [{ InstanceId: ID, Status: 'Success' }], NextToken: 't' })
        .resolvesOnce({ CommandInvocations: [{ InstanceId: OTHER, Status: 'InProgress' }] });

      // Act
      const list = await gateway.listCommandInvocations(COMMAND_ID);

      // Assess
      expect(list).toEqual([
        { instanceId: ID, status: 'Success' },
        { instanceId: OTHER, status: 'InProgress' },
      ]);
    });
  });

  describe('on the wire (real SDK serialisation against the loopback SSM stub)', () => {
    let stub: SsmProtocolStub;
    beforeAll(async () => {
      stub = await startSsmProtocolStub();
    });
    afterAll(async () => {
      await stub.stop();
    });
    // The real client, unmocked: the outer beforeEach resets the mock, which puts it back on SSMClient.
    beforeEach(() => ssm.restore());

    it('sends the output to the stack\'s log group under SSM\'s field name, CloudWatchLogGroupName', async () => {
      // Prepare: a real client; the SDK drops fields its model does not know, so only the serialised body tells the truth.
      const client = new SSMClient({ region: 'us-east-1', endpoint: stub.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const wired = new AwsSsmGateway({ client, allowTag, documents, commandLogGroup: '/shim-fix/run-command' });

      // Act
      await wired.sendCommand({ document: { name: 'ShimFix-CheckContainerRuntime', version: '2' }, target: { kind: 'instance', instanceId: ID }, comment: 'c', rollout: DEFAULT_ROLLOUT });

      // Assess
      expect(stub.calls('SendCommand')[0]?.body.CloudWatchOutputConfig).toEqual({ CloudWatchOutputEnabled: true, CloudWatchLogGroupName: '/shim-fix/run-command' });
      client.destroy();
    });

    describe('document content pinned by its SHA-256', () => {
      const NAME = 'ShimFix-RestartContainerRuntime';
      const DEPLOYED = 'a'.repeat(64);
      const withHashes = () =>
        new AwsSsmGateway({
          client: new SSMClient({ region: 'us-east-1', endpoint: stub.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
          allowTag,
          documents,
          documentHashes: { [NAME]: DEPLOYED },
        });

      it('accepts the default version when DescribeDocument reports the deployed content\'s hash', async () => {
        // Prepare
        stub.setDocument(NAME, { version: '3', hash: DEPLOYED });

        // Act + Assess
        await expect(withHashes().documentVersion(NAME)).resolves.toEqual({ name: NAME, version: '3' });
      });

      it.each([
        ['a new default version published outside the deployment', { version: '4', hash: 'b'.repeat(64) }],
        ['a document that reports no hash', { version: '3' }],
      ])('refuses %s', async (_name, document) => {
        // Prepare
        stub.setDocument(NAME, document);

        // Act
        const error = await withHashes().documentVersion(NAME).catch((caught: unknown) => caught);

        // Assess
        expect(error).toMatchObject({ kind: 'invalid-document', awsName: 'DocumentHashMismatch' });
      });
    });
  });
});
