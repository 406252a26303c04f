import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isCodedError } from '../core/errors';
import { MAX_BODY_BYTES, type FunctionUrlEvent, type SlackHttpHandler } from '../handlers/slack-http-boundary';
import { logger } from '../logger';
import { buildKnowledgeBundle } from './knowledge-bundle';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Loopback unless told otherwise: a tunnel (or `HOST=0.0.0.0`) is how a real workspace reaches it. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;

/**
 * A local HTTP server in front of the real Lambda handler: `POST /slack/events` becomes a Function URL event
 * (payload format 2.0), `GET /healthz` answers 200. Point a tunnel at it to use a real workspace.
 *
 * @example
 * const server = createLocalSlackServer(handler).listen(3000, '127.0.0.1');
 */
export function createLocalSlackServer(handler: SlackHttpHandler): Server {
  return createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (request.method === 'GET' && path === '/healthz') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      if (path !== SLACK_EVENTS_PATH) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end(`Slack requests go to POST ${SLACK_EVENTS_PATH}\n`);
        return;
      }
      if (request.method !== 'POST') {
        response.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      const body = await readBody(request);
      if (body === undefined) {
        // The whole body was read (and dropped) first: answering mid-upload resets the connection instead.
        response.writeHead(413, { connection: 'close' }).end();
        return;
      }
      const result = await handler(toFunctionUrlEvent(request, body), { awsRequestId: `local-${Date.now()}`, functionName: 'shim-fix-local' });
      const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
      response.writeHead(result.statusCode, headers).end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    })().catch((error: unknown) => {
      logger.error('local server failed to handle a request', { error: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
}

/** What a Function URL hands the Lambda: lower-case headers, the raw body, no base64 for text bodies. */
export function toFunctionUrlEvent(request: IncomingMessage, body: string): FunctionUrlEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: request.method ?? 'POST', path: url.pathname, sourceIp: request.socket.remoteAddress ?? '' } },
  };
}

/** The body, or undefined when it is over {@link MAX_BODY_BYTES} (read to the end all the same, and dropped). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** Listens, and turns "address in use" into a sentence that says what to do. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} on ${host} is already in use (another npm run serve?): stop that process, or pick another port, e.g. PORT=${port + 1} npm run serve`, { cause: error }));
      } else reject(error);
    });
    server.listen(port, host, resolve);
  });
}

async function main(): Promise<void> {
  // The runbooks as they are now, then the app, then the port: a broken runbook, a missing secret or a taken port
  // fails here, not on the first request.
  await buildKnowledgeBundle(process.stderr);
  // Required only now: the handler reads the bundle that was just built.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler, prepareHandler } = require('../handlers/slack') as typeof import('../handlers/slack');
  await prepareHandler();
  const port = Number(process.env.PORT ?? DEFAULT_PORT);
  const host = process.env.HOST ?? DEFAULT_HOST;
  const server = createLocalSlackServer(handler);
  await listen(server, port, host);
  logger.info(`shim-fix listening on http://${host}:${port}${SLACK_EVENTS_PATH} (health: /healthz)`);
  const stop = (): void => {
    server.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`shim-fix serve: ${isCodedError(error) || error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
