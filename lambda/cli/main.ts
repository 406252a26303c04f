import { writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDiagnoser } from '../core/diagnosis/create-diagnoser';
import type { DiagnoseMode, Diagnoser, Diagnosis } from '../core/diagnosis/types';
import { formatProblem, UsageError } from '../core/errors';
import { bundleFromRunbooks, serialiseKnowledgeBundle } from '../core/knowledge/bundle';
import type { RunbookSource } from '../core/knowledge/parse-runbook';
import { validateKnowledge } from '../core/knowledge/validate-knowledge';
import { DEFAULT_BUNDLE_FILE, DEFAULT_KNOWLEDGE_DIR, readKnowledgeFiles } from '../build/knowledge-files';
import { recheckRegexSafety } from '../build/regex-safety';
import { queryLanguage, titleText, type AnswerLanguage } from '../core/diagnosis/answer-text';
import { formatDiagnosis } from './format-diagnosis';
import { formatSearchHits, formatShow, searchJson, unknownRunbookLine } from './format-search';
import { readAll, writeLine, type CliIo } from './io';

/** What `npm run ask` diagnoses when given nothing: the error this project exists for. */
export const EXAMPLE_PASTE =
  'docker: Error response from daemon: failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';

export const USAGE = `Usage:
  shim-fix ask [TEXT]                                          diagnose TEXT (or stdin; with neither, a built-in example)
  shim-fix diagnose [--json] [--mode channel|direct] [TEXT]   diagnose TEXT (or stdin)
  shim-fix diagnose --batch [--mode channel|direct]            JSON Lines {"id","text"} on stdin, one result per line
  shim-fix search [--json] [--limit N] [--lang en|zh] QUERY   list matching runbooks (in Chinese for a Chinese QUERY)
  shim-fix show [--lang en|zh] ID                              print one runbook (English unless --lang zh)
  shim-fix kb validate                                         check every runbook (file and field on error)
  shim-fix kb build [--out FILE]                               validate, then write the knowledge bundle
Options:
  --knowledge DIR   runbook folder (default: the repository's knowledge/)
  --lang en|zh      language of titles, summaries and sections; search follows the QUERY's language without it
                    (any Chinese character: zh), show is English without it (a Chinese search or answer says --lang zh)
Examples:
  npm run ask -- "failed to start shim: start failed: unsupported shim version (3): not implemented"
  journalctl -u containerd --since -1h | npx shim-fix diagnose`;

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'diagnose':
        return await diagnoseCommand(rest, io);
      case 'ask':
        return await askCommand(rest, io);
      case 'search':
        return searchCommand(rest, io);
      case 'show':
        return showCommand(rest, io);
      case 'kb':
        return kbCommand(rest, io);
      case 'help':
      case '--help':
      case '-h':
        writeLine(io.stdout, USAGE);
        return EXIT_OK;
      case undefined:
        throw new UsageError('a command is required');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      writeLine(io.stderr, `shim-fix: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  // Checked by code, not `instanceof TypeError`: Node's built-in errors come from another realm under jest.
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function parseLanguage(value: string | undefined): AnswerLanguage | undefined {
  if (value === undefined || value === 'en' || value === 'zh') return value;
  throw new UsageError(`--lang must be en or zh, got "${value}"`);
}

function parseMode(value: string | undefined, fallback: DiagnoseMode): DiagnoseMode {
  if (value === undefined) return fallback;
  if (value === 'channel' || value === 'direct') return value;
  throw new UsageError(`--mode must be channel or direct, got "${value}"`);
}

/**
 * The runbook files of `--knowledge DIR` (default: the repository's), or undefined after saying why they cannot be read
 * (a folder that does not exist, a file, no permission): a mistyped option is a message, not a crash.
 */
function readKnowledge(dir: string | undefined, io: CliIo): RunbookSource[] | undefined {
  const folder = dir ?? DEFAULT_KNOWLEDGE_DIR;
  try {
    return readKnowledgeFiles(folder);
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string') throw error;
    writeLine(io.stderr, `shim-fix: cannot read the knowledge folder "${folder}" (${code}); pass --knowledge with the folder that holds the runbooks`);
    return undefined;
  }
}

/**
 * The engine last built and the runbook files it was built from. Building the search index is most of a call's work;
 * a process that calls `main` again with the files unchanged (the tests call it hundreds of times) reuses the engine,
 * and any change to any file's text builds anew, so it is never stale.
 */
let lastBuilt: { sources: string; diagnoser: Diagnoser } | undefined;

/** Builds the engine straight from the runbook files, so the CLI never serves a stale bundle. */
function loadDiagnoser(knowledgeDir: string | undefined, io: CliIo): Diagnoser | undefined {
  const sources = readKnowledge(knowledgeDir, io);
  if (!sources) return undefined;
  const key = JSON.stringify(sources);
  if (lastBuilt?.sources === key) return lastBuilt.diagnoser;
  const { runbooks, problems } = validateKnowledge(sources);
  if (problems.length > 0) {
    writeLine(io.stderr, `shim-fix: the knowledge base is invalid; fix these first (npx shim-fix kb validate):`);
    for (const problem of problems) writeLine(io.stderr, `  ${formatProblem(problem)}`);
    return undefined;
  }
  const diagnoser = createDiagnoser(bundleFromRunbooks(runbooks));
  lastBuilt = { sources: key, diagnoser };
  return diagnoser;
}

async function diagnoseCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      batch: { type: 'boolean', default: false },
      mode: { type: 'string' },
      knowledge: { type: 'string' },
    },
  });
  if (values.batch && positionals.length > 0) throw new UsageError('--batch reads JSON Lines from stdin; do not pass TEXT');
  const mode = parseMode(values.mode, values.batch ? 'channel' : 'direct');

  let text = positionals.join(' ');
  if (text.trim() === '' || values.batch) {
    if (io.stdin.isTTY) throw new UsageError(values.batch ? '--batch needs JSON Lines on stdin' : 'nothing to diagnose: pass TEXT or pipe it on stdin');
    text = await readAll(io.stdin);
  }
  if (text.trim() === '') throw new UsageError('nothing to diagnose: the input is empty');

  const diagnoser = loadDiagnoser(values.knowledge, io);
  if (!diagnoser) return EXIT_FAILURE;

  if (values.batch) return diagnoseBatch(text, mode, diagnoser, io);
  const diagnosis = diagnoser.diagnose(text, { mode });
  writeLine(io.stdout, values.json ? JSON.stringify(toJson(diagnosis)) : formatDiagnosis(diagnosis));
  return EXIT_OK;
}

/**
 * JSON form of a diagnosis (CLI contract). `runbook` is what the bot would present: in channel mode only
 * a confident answer (else null: it stays silent); in direct mode the best candidate, with `confident`
 * saying whether it reached the threshold.
 */
export function toJson(diagnosis: Diagnosis): Record<string, unknown> {
  const presented = diagnosis.mode === 'direct' ? (diagnosis.runbook ?? diagnosis.candidates[0]?.runbook ?? null) : diagnosis.runbook;
  return {
    runbook: presented?.id ?? null,
    confidence: diagnosis.confidence,
    confident: diagnosis.confident,
    mode: diagnosis.mode,
    language: diagnosis.language,
    truncated: diagnosis.truncated,
    omitted: diagnosis.omitted,
    title: presented ? titleText(presented, diagnosis.language) : null,
    summary: presented ? (diagnosis.language === 'zh' ? presented.summaryZh : presented.summary) : null,
    evidence: diagnosis.evidence.map(({ line, match, pattern, weight, hint }) => ({ line, match, pattern, weight, ...(hint ? { hint } : {}) })),
    candidates: diagnosis.candidates.map((candidate) => ({ runbook: candidate.runbook.id, confidence: candidate.confidence })),
    // Two runbooks fit equally: `runbook` is then the first of them in direct mode, null in a channel.
    ambiguous: diagnosis.ambiguous,
    pair: diagnosis.pair
      ? {
          runbooks: diagnosis.pair.candidates.map((candidate) => candidate.runbook.id),
          confidence: diagnosis.pair.confidence,
          command: diagnosis.pair.discriminator?.command ?? null,
        }
      : null,
    missing: diagnosis.missing,
  };
}

/** `npm run ask`: the friendliest entry point. Direct mode, human output, and an example when given nothing. */
async function askCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { knowledge: { type: 'string' } } });
  let text = positionals.join(' ');
  if (text.trim() === '' && !io.stdin.isTTY) text = await readAll(io.stdin);
  if (text.trim() === '') {
    writeLine(io.stdout, `No text given, so here is the built-in example:\n  ${EXAMPLE_PASTE}\nPaste your own: npm run ask -- "<error>"  or  journalctl -u containerd | npm run ask\n`);
    text = EXAMPLE_PASTE;
  }
  const diagnoser = loadDiagnoser(values.knowledge, io);
  if (!diagnoser) return EXIT_FAILURE;
  writeLine(io.stdout, formatDiagnosis(diagnoser.diagnose(text, { mode: 'direct' })));
  return EXIT_OK;
}

async function diagnoseBatch(input: string, mode: DiagnoseMode, diagnoser: Diagnoser, io: CliIo): Promise<number> {
  let failures = 0;
  for (const [index, raw] of input.split('\n').entries()) {
    // `--batch | head` hangs up after a line: a write to the closed pipe fails only on a later tick (the stream is then
    // destroyed), so a loop that never yielded would diagnose every remaining line for nobody. The reader's choice to
    // stop is not an error (exit 0, as the bin's EPIPE handler does).
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (io.stdout.destroyed) return EXIT_OK;
    if (raw.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch {
      failures += 1;
      writeLine(io.stdout, JSON.stringify({ line: index + 1, error: 'not valid JSON' }));
      continue;
    }
    const { id, text } = (record ?? {}) as { id?: unknown; text?: unknown };
    if (typeof text !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) {
      failures += 1;
      // Only a usable id is echoed: an arbitrary JSON value (10,000 nested arrays) could not even be serialised.
      const shownId = typeof id === 'string' || typeof id === 'number' ? id : null;
      writeLine(io.stdout, JSON.stringify({ line: index + 1, id: shownId, error: 'expected {"id": string|number, "text": string}' }));
      continue;
    }
    const json = toJson(diagnoser.diagnose(text, { mode }));
    writeLine(io.stdout, JSON.stringify({ id, runbook: json.runbook, confidence: json.confidence }));
  }
  if (failures > 0) writeLine(io.stderr, `shim-fix: ${failures} input line(s) were invalid; see the "error" lines`);
  return failures > 0 ? EXIT_FAILURE : EXIT_OK;
}

function searchCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, limit: { type: 'string' }, lang: { type: 'string' }, knowledge: { type: 'string' } },
  });
  const query = positionals.join(' ').trim();
  const asked = parseLanguage(values.lang);
  if (query === '') throw new UsageError('search needs a QUERY, e.g. shim-fix search "shim version"');
  const limit = values.limit === undefined ? 5 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new UsageError('--limit must be a whole number from 1 to 50');
  const diagnoser = loadDiagnoser(values.knowledge, io);
  if (!diagnoser) return EXIT_FAILURE;
  const hits = diagnoser.search(query, { limit });
  const language = asked ?? queryLanguage(query);
  writeLine(io.stdout, values.json ? JSON.stringify(searchJson(hits, language)) : formatSearchHits(query, hits, language));
  return EXIT_OK;
}

function showCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { lang: { type: 'string' }, knowledge: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('show needs exactly one runbook ID');
  // An id says nothing about its reader's language: English unless asked (a Chinese search or answer says --lang zh).
  const language = parseLanguage(values.lang) ?? 'en';
  const diagnoser = loadDiagnoser(values.knowledge, io);
  if (!diagnoser) return EXIT_FAILURE;
  const runbook = diagnoser.runbook(positionals[0]!);
  if (!runbook) {
    writeLine(io.stderr, unknownRunbookLine(positionals[0]!, diagnoser.runbooks(), language));
    return EXIT_FAILURE;
  }
  writeLine(io.stdout, formatShow(runbook, language));
  return EXIT_OK;
}

/** Rewriting an identical file would only churn timestamps and rebuilds. */
function writeIfChanged(file: string, content: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function kbCommand(args: string[], io: CliIo): number {
  const [sub, ...rest] = args;
  if (sub !== 'validate' && sub !== 'build') throw new UsageError(`kb needs "validate" or "build"${sub ? `, got "${sub}"` : ''}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: false,
    options: { knowledge: { type: 'string' }, out: { type: 'string' } },
  });
  void positionals;
  if (sub === 'validate' && values.out !== undefined) throw new UsageError('--out only goes with kb build');

  const sources = readKnowledge(values.knowledge, io);
  if (!sources) return EXIT_FAILURE;
  const { runbooks, problems } = validateKnowledge(sources, {
    checkRegex: recheckRegexSafety,
  });
  if (problems.length > 0) {
    writeLine(io.stderr, `shim-fix: ${problems.length} problem(s) in the knowledge base:`);
    for (const problem of problems) writeLine(io.stderr, `  ${formatProblem(problem)}`);
    return EXIT_FAILURE;
  }
  if (sub === 'validate') {
    writeLine(io.stdout, `ok: ${runbooks.length} runbooks are valid (${runbooks.reduce((n, r) => n + r.signatures.length, 0)} signatures, all proven free of catastrophic backtracking)`);
    return EXIT_OK;
  }
  const out = path.resolve(values.out ?? DEFAULT_BUNDLE_FILE);
  const json = serialiseKnowledgeBundle(runbooks);
  writeIfChanged(out, json);
  // The same JSON as one string literal for the Lambda bundle: V8 parses a string and JSON.parse far faster
  // than a 100 KB object literal, and the cold start pays for every millisecond of it.
  writeIfChanged(
    out.replace(/\.json$/, '') + '-embedded.ts',
    `// Generated by \`npm run kb:build\` from knowledge/: do not edit.\nexport const KNOWLEDGE_JSON = ${JSON.stringify(json)};\n`,
  );
  writeLine(io.stdout, `ok: wrote ${runbooks.length} runbooks to ${path.relative(process.cwd(), out) || out} (${json.length} bytes)`);
  return EXIT_OK;
}
