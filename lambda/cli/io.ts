import type { Readable, Writable } from 'node:stream';

/** The streams a CLI command talks to; tests pass in-memory ones. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function writeLine(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
