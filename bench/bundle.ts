/**
 * `npm run bench:bundle`: bundles the Slack handler exactly as the stack does (same esbuild settings, taken from
 * infra/constructs/handler-function.ts), prints the minified size against the 1.5 MB budget and what fills it.
 * Run `npm run kb:build` first (the handler imports the generated knowledge index); `npm run synth` does both.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { HANDLER_BUNDLING, handlerEsbuildOptions, PROJECT_ROOT } from '../infra/constructs/handler-function';

const BUDGET_BYTES = 1.5 * 1024 * 1024;
const TOP = 15;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(8)} KiB`;

/** Groups inputs by npm package (or by our own top-level folder), since one package is usually many files. */
function owner(input: string): string {
  const nodeModules = input.lastIndexOf('node_modules/');
  if (nodeModules === -1) return input.split('/').slice(0, 2).join('/');
  const rest = input.slice(nodeModules + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
}

function largest(metafile: Metafile, outputFile: string): { packages: [string, number][]; files: [string, number][] } {
  const inputs = metafile.outputs[outputFile]?.inputs ?? {};
  const files = Object.entries(inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput] as [string, number]);
  const packages = new Map<string, number>();
  for (const [file, bytes] of files) packages.set(owner(file), (packages.get(owner(file)) ?? 0) + bytes);
  const bySize = (a: [string, number], b: [string, number]) => b[1] - a[1];
  return { packages: [...packages].sort(bySize).slice(0, TOP), files: files.sort(bySize).slice(0, TOP) };
}

async function main(): Promise<number> {
  if (!existsSync(path.join(PROJECT_ROOT, 'lambda', 'generated', 'knowledge.json'))) {
    process.stderr.write('lambda/generated/knowledge.json is missing: run `npm run kb:build` first\n');
    return 1;
  }
  const outfile = path.join(PROJECT_ROOT, 'cdk.out', 'bench-bundle', 'index.js');
  const result = await build({ ...handlerEsbuildOptions('lambda/handlers/slack.ts', outfile), metafile: true, write: false });
  const output = result.outputFiles.find((file) => file.path === outfile);
  if (!output) throw new Error('esbuild produced no bundle');
  const size = output.contents.byteLength;
  const { packages, files } = largest(result.metafile, path.relative(process.cwd(), outfile));

  const lines = [
    `Slack handler bundle (lambda/handlers/slack.ts, ${HANDLER_BUNDLING.target}, minified, external: ${HANDLER_BUNDLING.externalModules.join(' ')})`,
    `size: ${size} bytes (${(size / 1024 / 1024).toFixed(2)} MiB); budget ${(BUDGET_BYTES / 1024 / 1024).toFixed(1)} MiB: ${size <= BUDGET_BYTES ? 'within' : 'OVER'}`,
    '',
    `largest packages (bytes in the bundle):`,
    ...packages.map(([name, bytes]) => `${kib(bytes)}  ${name}`),
    '',
    `largest files:`,
    ...files.map(([name, bytes]) => `${kib(bytes)}  ${name}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return size <= BUDGET_BYTES ? 0 : 2;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:bundle: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
