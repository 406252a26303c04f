import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for AWS Systems Manager that speaks its wire protocol (AWS JSON 1.1) on 127.0.0.1, so the real SDK
 * client runs unchanged: request signing, serialisation, error parsing and the SDK's retry strategy.
 *
 * Protocol, as the SDK sends and parses it: `POST /` with `Content-Type: application/x-amz-json-1.1` and
 * `X-Amz-Target: AmazonSSM.<Operation>`; success is 200 with a JSON body; an error is a 4xx/5xx whose JSON body
 * carries `__type` (the error name, e.g. `ThrottlingException`) and `message`. The SDK retries throttling
 * (`ThrottlingException`, 400) and 5xx responses with backoff, and reports `$metadata.attempts`.
 * The stub does not check signatures: the SDK signs with the dummy credentials the tests give it.
 *
 * @example
 * const ssm = await startSsmProtocolStub();
 * ssm.addNode('i-0123456789abcdef0', { tags: { 'shim-fix': 'enabled' } });
 * process.env.AWS_ENDPOINT_URL_SSM = ssm.endpoint;
 */
export interface SsmProtocolStub {
  /** Base URL for `AWS_ENDPOINT_URL_SSM`. */
  endpoint: string;
  /** A managed node: Online Linux unless told otherwise. */
  addNode(instanceId: string, node?: StubNode): void;
  /** Sets a document's default version and, optionally, the SHA-256 DescribeDocument reports for it. */
  setDocument(name: string, document: { version: string; hash?: string }): void;
  /** Sets what GetCommandInvocation and ListCommandInvocations report for one instance of a sent command. */
  setInvocation(commandId: string, instanceId: string, invocation: StubInvocation): void;
  /**
   * Decides each instance's invocation when a command is sent (instead of `InProgress` until `setInvocation`): the
   * verdict per instance of a simulated fleet. Return `undefined` to leave that instance `InProgress`.
   */
  setResponder(responder: InvocationResponder | undefined): void;
  /** The instance ids a sent command reached: its InstanceIds, or the nodes its tag Targets resolved to. */
  instancesOf(commandId: string): string[];
  /** What GetCommandInvocation reports now for one instance of a sent command. */
  invocationOf(commandId: string, instanceId: string): StubInvocation | undefined;
  /** Every request received so far (retries included), in order; filter by operation (`SendCommand`). */
  calls(operation?: string): SsmCall[];
  /** The inputs of the SendCommand requests SSM accepted (a scripted failure is not a command). */
  commands(): { commandId: string; input: Record<string, unknown> }[];
  /** Makes the next `times` requests of `operation` fail as described, then answer normally again. */
  failNext(operation: string, failure: SsmFailure, times?: number): void;
  /** Resolves when the next request of `operation` arrives (before it is answered, or left hanging). */
  nextCall(operation: string): Promise<SsmCall>;
  reset(): void;
  stop(): Promise<void>;
}

export interface StubNode {
  pingStatus?: string;
  platformType?: string;
  tags?: Record<string, string>;
}

/** What the command is: called once per instance a SendCommand reaches. */
export type InvocationResponder = (sent: { commandId: string; documentName: string; instanceId: string; parameters: Record<string, unknown> }) => StubInvocation | undefined;

/** SSM's own limits that the stub enforces like SSM does. */
export const SSM_LIMITS = {
  /** SendCommand `InstanceIds`: at most 50 ids (more is a ValidationException). */
  sendCommandInstanceIds: 50,
  /** DescribeInstanceInformation `MaxResults` with `Filters`: 5 to 50. */
  describeMinResults: 5,
  describeMaxResults: 50,
} as const;

export interface StubInvocation {
  Status: string;
  StatusDetails?: string;
  ResponseCode?: number;
  StandardOutputContent?: string;
  StandardErrorContent?: string;
}

/**
 * `ThrottlingException` is a 400 in SSM's protocol; service faults are 5xx (`InternalServerError`); `hang` accepts the
 * request and never answers (the connection is closed when the stub stops).
 */
export type SsmFailure =
  | { status: 400; type: 'ThrottlingException' | 'InvalidInstanceId' | 'InvalidDocument' | 'AccessDeniedException' | 'ValidationException' }
  | { status: 500 | 503; type: 'InternalServerError' | 'ServiceUnavailable' }
  | { hang: true }
  /** The connection is destroyed after the request arrived: a network error after the command may have landed. */
  | { destroy: true }
  /** A 200 with this body instead of the real answer (e.g. one that fails the gateway's validation). */
  | { status: 200; body: Record<string, unknown> };

export interface SsmCall {
  operation: string;
  body: Record<string, unknown>;
  /** The SDK's `amz-sdk-request` header, e.g. `attempt=2; max=3`. */
  attempt: string;
  /** HTTP status answered; 0 for a request left hanging. */
  status: number;
}

const DOCUMENT_VERSIONS: Record<string, string> = { 'ShimFix-RestartContainerRuntime': '3', 'ShimFix-CheckContainerRuntime': '2' };

export async function startSsmProtocolStub(): Promise<SsmProtocolStub> {
  const nodes = new Map<string, StubNode>();
  const documents = new Map<string, { version: string; hash?: string }>(Object.entries(DOCUMENT_VERSIONS).map(([name, version]) => [name, { version }]));
  const invocations = new Map<string, Map<string, StubInvocation>>();
  const sent: { commandId: string; input: Record<string, unknown> }[] = [];
  const recorded: SsmCall[] = [];
  const failures = new Map<string, { failure: SsmFailure; remaining: number }>();
  const waiting = new Map<string, ((call: SsmCall) => void)[]>();
  let responder: InvocationResponder | undefined;
  const reached = new Map<string, string[]>();

  /** Nodes that carry every tag of `Targets` (`tag:<key>` → values), as SSM resolves a tag-targeted command. */
  const resolveTargets = (targets: { Key: string; Values: string[] }[]): string[] =>
    [...nodes.entries()]
      .filter(([, node]) => targets.every((target) => target.Key.startsWith('tag:') && target.Values.includes(node.tags?.[target.Key.slice(4)] ?? '\u0000')))
      .map(([id]) => id);

  const operations: Record<string, (input: Record<string, unknown>) => [number, Record<string, unknown>]> = {
    DescribeInstanceInformation: (input) => {
      const filters = (input.Filters ?? []) as { Key: string; Values: string[] }[];
      const list = [...nodes.entries()]
        .filter(([id, node]) =>
          filters.every((filter) => {
            if (filter.Key === 'InstanceIds') return filter.Values.includes(id);
            if (filter.Key.startsWith('tag:')) return filter.Values.includes(node.tags?.[filter.Key.slice(4)] ?? '\u0000');
            return false;
          }),
        )
        .map(([id, node]) => ({
          InstanceId: id,
          PingStatus: node.pingStatus ?? 'Online',
          PlatformType: node.platformType ?? 'Linux',
          PlatformName: 'Ubuntu',
          PlatformVersion: '24.04',
          // Epoch seconds, as SSM sends timestamps in this protocol: exercises the SDK's date parsing.
          LastPingDateTime: Math.floor(Date.now() / 1000),
        }));
      // Paged like SSM: MaxResults (5..50) per page and an opaque NextToken; without MaxResults, everything at once.
      if (input.MaxResults === undefined) return [200, { InstanceInformationList: list }];
      const size = Number(input.MaxResults);
      if (!Number.isInteger(size) || size < SSM_LIMITS.describeMinResults || size > SSM_LIMITS.describeMaxResults) {
        return [400, { __type: 'ValidationException', message: `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint` }];
      }
      const offset = typeof input.NextToken === 'string' ? Number(/^page-(\d+)$/.exec(input.NextToken)?.[1] ?? NaN) : 0;
      if (!Number.isInteger(offset)) return [400, { __type: 'InvalidNextToken', message: 'The specified token is not valid.' }];
      const page = list.slice(offset, offset + size);
      return [200, { InstanceInformationList: page, ...(offset + size < list.length ? { NextToken: `page-${offset + size}` } : {}) }];
    },
    DescribeDocument: (input) => {
      const name = String(input.Name);
      const document = documents.get(name);
      if (!document) return [400, { __type: 'InvalidDocument', message: `Document ${name} does not exist` }];
      const { version, hash } = document;
      // Only the default version's hash is known here; asking for another version answers without one.
      const described = typeof input.DocumentVersion === 'string' ? input.DocumentVersion : version;
      const hashed = hash !== undefined && described === version ? { Hash: hash, HashType: 'Sha256' } : {};
      return [200, { Document: { Name: name, DefaultVersion: version, DocumentVersion: described, DocumentType: 'Command', Status: 'Active', SchemaVersion: '2.2', ...hashed } }];
    },
    SendCommand: (input) => {
      const listed = (input.InstanceIds as string[] | undefined) ?? [];
      if (listed.length > SSM_LIMITS.sendCommandInstanceIds) {
        return [400, { __type: 'ValidationException', message: `1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to ${SSM_LIMITS.sendCommandInstanceIds}` }];
      }
      const commandId = randomUUID();
      sent.push({ commandId, input });
      const ids = listed.length > 0 ? listed : resolveTargets((input.Targets as { Key: string; Values: string[] }[] | undefined) ?? []);
      reached.set(commandId, ids);
      const documentName = String(input.DocumentName);
      const parameters = (input.Parameters as Record<string, unknown> | undefined) ?? {};
      invocations.set(commandId, new Map(ids.map((id) => [id, responder?.({ commandId, documentName, instanceId: id, parameters }) ?? { Status: 'InProgress' }])));
      return [200, { Command: { CommandId: commandId, DocumentName: input.DocumentName, DocumentVersion: input.DocumentVersion, InstanceIds: ids, Status: 'Pending', RequestedDateTime: Date.now() / 1000 } }];
    },
    GetCommandInvocation: (input) => {
      const found = invocations.get(String(input.CommandId))?.get(String(input.InstanceId));
      if (!found) return [400, { __type: 'InvocationDoesNotExist', message: 'An error occurred (InvocationDoesNotExist)' }];
      return [200, { CommandId: input.CommandId, InstanceId: input.InstanceId, DocumentName: 'ShimFix-RestartContainerRuntime', StandardOutputContent: '', StandardErrorContent: '', ...found }];
    },
    ListCommandInvocations: (input) => {
      const found = invocations.get(String(input.CommandId)) ?? new Map<string, StubInvocation>();
      return [200, { CommandInvocations: [...found.entries()].map(([id, invocation]) => ({ CommandId: input.CommandId, InstanceId: id, Status: invocation.Status, StatusDetails: invocation.StatusDetails ?? invocation.Status })) }];
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : '';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      body = {};
    }
    const call: SsmCall = { operation, body, attempt: String(request.headers['amz-sdk-request'] ?? ''), status: 200 };
    recorded.push(call);
    for (const resolve of waiting.get(operation) ?? []) resolve(call);
    waiting.delete(operation);

    const answer = (status: number, payload: Record<string, unknown>): void => {
      call.status = status;
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      response.end(JSON.stringify(payload));
    };
    if (request.headers['content-type'] !== 'application/x-amz-json-1.1' || !operations[operation]) {
      answer(400, { __type: 'UnknownOperationException', message: `unsupported: ${target}` });
      return;
    }
    const scripted = failures.get(operation);
    if (scripted && scripted.remaining > 0) {
      scripted.remaining -= 1;
      const { failure } = scripted;
      if ('hang' in failure) {
        call.status = 0;
        return;
      }
      if ('destroy' in failure) {
        call.status = 0;
        request.socket.destroy();
        return;
      }
      if ('body' in failure) {
        answer(200, failure.body);
        return;
      }
      answer(failure.status, { __type: failure.type, message: failure.type === 'ThrottlingException' ? 'Rate exceeded' : `${failure.type} (stub)` });
      return;
    }
    answer(...operations[operation](body));
  }

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch(() => {
      response.statusCode = 500;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    addNode: (instanceId, node = {}) => nodes.set(instanceId, node),
    setDocument: (name, document) => void documents.set(name, document),
    setInvocation: (commandId, instanceId, invocation) => {
      const forCommand = invocations.get(commandId) ?? new Map<string, StubInvocation>();
      forCommand.set(instanceId, invocation);
      invocations.set(commandId, forCommand);
    },
    setResponder: (next) => {
      responder = next;
    },
    instancesOf: (commandId) => [...(reached.get(commandId) ?? [])],
    invocationOf: (commandId, instanceId) => invocations.get(commandId)?.get(instanceId),
    calls: (operation) => recorded.filter((call) => operation === undefined || call.operation === operation),
    commands: () => [...sent],
    failNext: (operation, failure, times = 1) => {
      failures.set(operation, { failure, remaining: times });
    },
    nextCall: (operation) => new Promise<SsmCall>((resolve) => waiting.set(operation, [...(waiting.get(operation) ?? []), resolve])),
    reset: () => {
      recorded.length = 0;
      sent.length = 0;
      failures.clear();
      responder = undefined;
      reached.clear();
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
