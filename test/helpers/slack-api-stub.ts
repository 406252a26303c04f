import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stub received: a Web API method call or a post to a response URL. */
export interface RecordedCall {
  kind: 'api' | 'response_url';
  /** Web API method (`chat.postMessage`) or the response URL path (`/response/abc`). */
  method: string;
  /** Parsed body: form fields (JSON values such as `blocks` decoded) or the JSON object. */
  body: Record<string, unknown>;
  authorization?: string;
  /** HTTP status the stub answered with; 0 for a call held by `holdNext` (never answered) or cut off by a reset. */
  status: number;
  /** True when the call took effect (a message was posted), even if its answer never reached the client. */
  landed: boolean;
}

/** A scripted failure for the next call(s) of a method. */
export type StubFailure =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 502 | 503 }
  | { error: string }
  /** Takes effect (posts), but answers only after `delayMs`: a degraded Slack, slower than the client's timeout. */
  | { slowMs: number }
  /** Takes effect (posts), then resets the connection instead of answering. */
  | { resetAfterPosting: true };

export interface SlackApiStub {
  /** Base URL for `SLACK_API_URL` / `slackApiUrl`, ending in `/api/`. */
  apiUrl: string;
  /** A response URL on the stub, as Slack puts in slash command and interactivity payloads. */
  responseUrl(id?: string): string;
  /** Every call so far, in order; filter by method name (`chat.postMessage`) or `response_url`. */
  calls(method?: string): RecordedCall[];
  /** The calls of `method` that took effect: for `chat.postMessage`, the messages now in Slack. */
  landed(method: string): RecordedCall[];
  /** Makes the next `times` calls of `method` fail as described (then succeed again). */
  failNext(method: string, failure: StubFailure, times?: number): void;
  /**
   * Holds the next call of `method` without answering (it is recorded with status 0 and never counts as delivered);
   * resolves when that call arrives. For cutting a process off in the middle of a Web API call.
   */
  holdNext(method: string): Promise<RecordedCall>;
  reset(): void;
  stop(): Promise<void>;
}

let responseCounter = 0;

/**
 * A local HTTP server standing in for the Slack Web API and for response URLs. It records every call and
 * answers `{ ok: true }` with a fresh `ts` for message posts, unless told to fail.
 *
 * @example
 * const slack = await startSlackApiStub();
 * process.env.SLACK_API_URL = slack.apiUrl;
 * afterAll(() => slack.stop());
 */
export async function startSlackApiStub(): Promise<SlackApiStub> {
  const recorded: RecordedCall[] = [];
  const failures = new Map<string, { failure: StubFailure; remaining: number }>();
  const holds = new Map<string, (call: RecordedCall) => void>();
  let tsCounter = 0;

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch(() => {
      response.statusCode = 500;
      response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.startsWith('/api/');
    const method = isApi ? url.pathname.slice('/api/'.length) : url.pathname;
    const body = parseBody(raw, request.headers['content-type'] ?? '');
    const call: RecordedCall = { kind: isApi ? 'api' : 'response_url', method, body, authorization: request.headers.authorization, status: 200, landed: true };
    recorded.push(call);

    const hold = holds.get(method);
    if (hold) {
      holds.delete(method);
      call.status = 0;
      call.landed = false;
      hold(call);
      return;
    }

    const scripted = failures.get(method);
    if (scripted && scripted.remaining > 0) {
      scripted.remaining -= 1;
      const { failure } = scripted;
      if ('slowMs' in failure) {
        await new Promise((resolve) => setTimeout(resolve, failure.slowMs));
        if (response.destroyed) return;
      } else if ('resetAfterPosting' in failure) {
        call.status = 0;
        response.socket?.resetAndDestroy();
        return;
      } else if ('status' in failure) {
        call.landed = false;
        call.status = failure.status;
        response.statusCode = failure.status;
        if (failure.status === 429) response.setHeader('Retry-After', String(failure.retryAfterSeconds));
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'internal_error' }));
        return;
      } else {
        call.landed = false;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ ok: false, error: failure.error }));
        return;
      }
    }

    response.setHeader('content-type', 'application/json');
    if (!isApi) {
      response.end(JSON.stringify({ ok: true }));
      return;
    }
    tsCounter += 1;
    const channel = typeof body.channel === 'string' ? body.channel : undefined;
    response.end(JSON.stringify({ ok: true, channel, ts: `1800000000.${String(tsCounter).padStart(6, '0')}` }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id = `r${++responseCounter}`) => `${base}/response/${id}`,
    calls: (method) =>
      recorded.filter((call) => method === undefined || call.method === method || (method === 'response_url' && call.kind === 'response_url')),
    landed: (method) => recorded.filter((call) => call.method === method && call.landed),
    failNext: (method, failure, times = 1) => {
      failures.set(method, { failure, remaining: times });
    },
    holdNext: (method) => new Promise<RecordedCall>((resolve) => holds.set(method, resolve)),
    reset: () => {
      recorded.length = 0;
      failures.clear();
      holds.clear();
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { raw };
    }
  }
  const fields: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    fields[name] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return fields;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
