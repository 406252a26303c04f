import type { Readable, Writable } from 'node:stream';

/** The streams a CLI command talks to; tests pass in-memory ones. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
}

/**
 * Most of stdin the CLI keeps: far more than any paste, little enough for memory. `journalctl … | shim-fix ask`
 * can stream a whole journal; the newest lines come last, so beyond this the start is dropped, not the end.
 */
export const MAX_STDIN_BYTES = 8 * 1024 * 1024;

/** Reads the whole stream, keeping at most the last `limit` bytes (cut at a line start so no character is split). */
export async function readAll(stream: Readable, limit = MAX_STDIN_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = false;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    size += buffer.length;
    // Drop whole chunks from the front while the rest still fills the limit.
    while (chunks.length > 1 && size - chunks[0]!.length >= limit) {
      size -= chunks.shift()!.length;
      dropped = true;
    }
  }
  let all = Buffer.concat(chunks);
  if (all.length > limit) {
    all = all.subarray(all.length - limit);
    dropped = true;
  }
  if (dropped) {
    const newline = all.indexOf(0x0a);
    if (newline >= 0) all = all.subarray(newline + 1);
  }
  return all.toString('utf8');
}

export function writeLine(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
