import { spawn } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { runCli, type CliRun } from '../helpers/cli';
import { badInputCase } from '../reliability/bad-input-cases';
import { anyHostileText, controlCharacter, shortHostileText, deeplyNested, deeplyNestedObject, hostileFragment, hugeArray, oversizedText, wrongType } from './support/hostile';

/**
 * A throw out of `main` (the binary would print its message and exit 1) fails a property with that error.
 *
 * The CLI (`shim-fix diagnose`, `diagnose --batch`, `search`) with hostile arguments and stdin, in process. Whatever
 * the input: exit 0, 1 or 2, a message when it is not 0, and never a stack trace.
 */

/** A line of a Node stack trace: `    at fn (file.ts:12:3)` or `    at file.ts:12:3`. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/** True when `name` is given as an option: before any `--`, after which everything is TEXT. */
function isOption(argv: readonly string[], name: string): boolean {
  const end = argv.indexOf('--');
  const at = argv.indexOf(name);
  return at !== -1 && (end === -1 || at < end);
}

function expectWellBehaved(result: CliRun): void {
  expect([0, 1, 2]).toContain(result.code);
  expect(result.stdout).not.toMatch(STACK_LINE);
  expect(result.stderr).not.toMatch(STACK_LINE);
  if (result.code !== 0) expect(result.stderr.trim()).not.toBe('');
}

/** Bytes that are not UTF-8, as the string a pipe delivers them to the CLI as (Latin-1 keeps each byte). */
const invalidUtf8Text = fc.constantFrom('\x80', '\xc0\xaf', '\xed\xa0\x80', '\xff\xfe', '\xf0\x9f\x98').map((bytes) => Buffer.from(bytes, 'latin1').toString('utf8'));
const option = fc.constantFrom('--json', '--mode', 'channel', 'direct', 'loud', '--mode=', '--batch', '--knowledge', '/nonexistent', '--', '-', '--json=yes', '--limit', '0', '51', '1e3', '-1', 'NaN', '--verbose', '-x');

describe('CLI with bad input', () => {
  test('diagnose exits 0, 1 or 2 with a message on any input', async () => {
    const diagnose = badInputCase('input-cli-diagnose');
    await fc.assert(
      fc.asyncProperty(
        fc.array(option, { maxLength: 3 }),
        fc.oneof(anyHostileText, invalidUtf8Text, fc.constantFrom('', ' ', '\n')),
        fc.boolean(),
        async (options, text, onStdin) => {
          // Act
          const result = onStdin ? await runCli(['diagnose', ...options.filter((o) => o !== '--batch')], text) : await runCli(['diagnose', ...options, text]);

          // Assess
          expectWellBehaved(result);
          if (result.code === 0 && isOption(options, '--json') && !isOption(options, '--batch')) {
            const json = JSON.parse(result.stdout) as { confidence: number; candidates: unknown[] };
            expect(json.confidence).toBeGreaterThanOrEqual(0);
            expect(json.confidence).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: diagnose.count },
    );
  });

  test('batch answers every JSON Lines input line with one output line', async () => {
    const batch = badInputCase('input-cli-batch');
    const badLine = fc.oneof(
      fc.constantFrom('{', '{"id":', 'null', '[]', '"text"', '{}', '{"id":"a"}', '{"text":"x"}', '\u0000', '{"id":"a","text":"x"', deeplyNested(10_000), hugeArray(20_000)),
      fc.constantFrom(`{"id":${deeplyNested(10_000)},"text":"x"}`, `{"id":"deep","text":${deeplyNestedObject(10_000)}}`, `{"id":"huge","text":${hugeArray(20_000)}}`),
      fc.tuple(wrongType, wrongType).map(([id, text]) => JSON.stringify({ id, text }) ?? 'undefined'),
      fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), anyHostileText).map(([id, text]) => JSON.stringify({ id, text })),
      fc.tuple(fc.string({ maxLength: 10 }), oversizedText).map(([id, text]) => JSON.stringify({ id, text })),
      fc.tuple(anyHostileText, fc.double({ min: 0, max: 1, noNaN: true })).map(([text, where]) => {
        const line = JSON.stringify({ id: 'cut', text });
        return line.slice(0, Math.floor(where * line.length));
      }),
      invalidUtf8Text.map((bytes) => `{"id":"bytes","text":"${bytes}"}`),
      controlCharacter.map((char) => JSON.stringify({ id: 'ctl', text: `unsupported shim version ${char}` })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(badLine, { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\r\n'), async (lines, eol) => {
        // Prepare
        const input = lines.join(eol);

        // Act
        const result = await runCli(['diagnose', '--batch'], input);

        // Assess
        expectWellBehaved(result);
        // 2 (usage) only for input with nothing in it.
        if (input.trim() !== '') expect(result.code).not.toBe(2);
        // One output line per non-blank input line: a result, or an error naming the line.
        const inputs = input.split('\n').filter((line) => line.trim() !== '');
        const outputs = result.stdout.split('\n').filter((line) => line !== '');
        expect(outputs).toHaveLength(inputs.length);
        for (const output of outputs) {
          const line = JSON.parse(output) as Record<string, unknown>;
          expect(typeof line.error === 'string' || 'runbook' in line).toBe(true);
        }
      }),
      { numRuns: batch.count },
    );
  });

  test('search exits 0 or 2 with a message on any query', async () => {
    const search = badInputCase('input-cli-search');
    await fc.assert(
      fc.asyncProperty(fc.array(option, { maxLength: 3 }), fc.array(fc.oneof(shortHostileText, hostileFragment, invalidUtf8Text), { maxLength: 3 }), async (options, words) => {
        // Act
        const result = await runCli(['search', ...options, ...words]);

        // Assess
        expectWellBehaved(result);
        if (result.code === 0 && isOption(options, '--json')) expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
      }),
      { numRuns: search.count },
    );
  });

  test('the installed binary turns hostile stdin into exit codes and messages, never a stack trace', async () => {
    // Prepare
    const bin = path.join(__dirname, '..', '..', 'bin', 'shim-fix.js');
    const stdin = Buffer.concat([
      Buffer.from('{"id":1,"text":"unsupported shim version (3): not implemented \xff\xfe"}\n', 'latin1'),
      Buffer.from(`{"id":${deeplyNested(10_000)},"text":"x"}\n{"id":2,"text":`),
    ]);

    // Act
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'diagnose', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
      child.stdin.end(stdin);
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
    expect(result.stderr).toContain('2 input line(s) were invalid');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(STACK_LINE);
  });
});
