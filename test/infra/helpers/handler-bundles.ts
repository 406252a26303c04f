import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { handlerEsbuildOptions, PROJECT_ROOT, prebuiltHandlerDir } from '../../../infra/constructs/handler-function';

const HANDLERS_DIR = path.join('lambda', 'handlers');
/** A Lambda entry is a file of lambda/handlers that exports `handler` (the others are the parts they are made of). */
const EXPORTS_HANDLER = /^export (?:const|async function|function) handler\b/m;
/** How long a worker waits for another one that is bundling; far above the few seconds it takes. */
const WAIT_LIMIT_MS = 120_000;

/** Entries, relative to the repository root, as HandlerFunction takes them (`lambda/handlers/slack.ts`). */
export function handlerEntries(): string[] {
  return readdirSync(path.join(PROJECT_ROOT, HANDLERS_DIR))
    .filter((file) => file.endsWith('.ts') && EXPORTS_HANDLER.test(readFileSync(path.join(PROJECT_ROOT, HANDLERS_DIR, file), 'utf8')))
    .map((file) => path.posix.join('lambda', 'handlers', file))
    .sort();
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function bundleAll(folder: string): void {
  for (const entry of handlerEntries()) {
    buildSync(handlerEsbuildOptions(entry, path.join(prebuiltHandlerDir(folder, entry), 'index.js')));
  }
}

let bundledHere: string | undefined;

/**
 * The folder for `shim-fix:prebuilt-handlers`: every handler bundled with the stack's esbuild options, once per jest run.
 * The bundles go in the run's temporary folder (test/helpers/test-temp-dir.ts, removed at the end); the first worker that
 * needs them builds them while the others wait, so a run bundles each handler once whatever the number of stack tests.
 * Outside jest's global setup (no run folder) each process bundles once for itself, in a folder removed when it exits.
 */
export function prebuiltHandlers(): string {
  const runRoot = process.env.SHIM_FIX_TEST_TMPDIR;
  if (runRoot === undefined) {
    bundledHere ??= (() => {
      const folder = mkdtempSync(path.join(tmpdir(), 'shim-fix-handlers-'));
      process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
      bundleAll(folder);
      return folder;
    })();
    return bundledHere;
  }
  const folder = path.join(runRoot, 'prebuilt-handlers');
  const ready = path.join(runRoot, 'prebuilt-handlers.ready');
  const failed = path.join(runRoot, 'prebuilt-handlers.failed');
  const lock = path.join(runRoot, 'prebuilt-handlers.lock');
  try {
    // mkdir is atomic: exactly one worker of the run gets to bundle.
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (!existsSync(ready)) {
      if (existsSync(failed)) throw new Error(`bundling the handlers failed in another jest worker: ${readFileSync(failed, 'utf8')}`);
      if (Date.now() > deadline) throw new Error(`no handler bundles in ${folder} after ${WAIT_LIMIT_MS} ms (${lock} is held)`);
      sleepSync(100);
    }
    return folder;
  }
  try {
    const building = `${folder}.building`;
    bundleAll(building);
    renameSync(building, folder);
    writeFileSync(ready, '');
    return folder;
  } catch (error) {
    writeFileSync(failed, error instanceof Error ? error.message : String(error));
    throw error;
  }
}
