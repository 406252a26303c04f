import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on right now (bound, read, closed): for a server a test starts, or for a client
 * that must meet a refused connection.
 */
export async function unusedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
