import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isCodedError } from '../core/errors';
import { handler, prepareHandler } from '../handlers/slack';
import type { FunctionUrlEvent, SlackHttpHandler } from '../handlers/slack-http-boundary';
import { logger } from '../logger';

/** Slack requests are small; anything bigger is not Slack. */
const MAX_BODY_BYTES = 1024 * 1024;
export const SLACK_EVENTS_PATH = '/slack/events';

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
        response.writeHead(413).end();
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

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  // Build the app before listening: a missing secret or a stale knowledge bundle fails here, not on the first request.
  await prepareHandler();
  const port = Number(process.env.PORT ?? 3000);
  const server = createLocalSlackServer(handler);
  server.listen(port, () => {
    logger.info(`shim-fix listening on http://localhost:${port}${SLACK_EVENTS_PATH} (health: /healthz)`);
  });
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
