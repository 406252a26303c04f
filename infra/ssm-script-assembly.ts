import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../lambda/core/errors';

const INCLUDE = /^# shim-fix:include (\S+)$/;
/** How many lines after the marker the `source` line that it replaces may come. */
const INCLUDE_STANZA_LINES = 4;

/**
 * The script an SSM document runs, with every `# shim-fix:include <lib>` stanza replaced by the library's code.
 *
 * The check and restart scripts share their probes (versions, binaries, Docker, result line) in one file,
 * `infra/ssm/lib/runtime-probes.sh`. A document must be one self-contained script, so the library is inlined here
 * at synth time; the tests run exactly this assembled text. Run from the repository, the scripts `source` the
 * library instead, which is why the stanza ends with that `source` line.
 *
 * @example
 * const script = assembleScript('infra/ssm/restart-container-runtime.sh');
 */
export function assembleScript(file: string): string {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const include = INCLUDE.exec(lines[i]!.replace(/\r$/, ''));
    if (!include) {
      out.push(lines[i]!);
      continue;
    }
    const target = include[1]!;
    const sourceLine = lines.slice(i + 1, i + 1 + INCLUDE_STANZA_LINES).findIndex((line) => line.startsWith('source '));
    if (sourceLine < 0) {
      throw new ConfigurationError(`${file}:${i + 1}: "# shim-fix:include ${target}" must be followed by its source line within ${INCLUDE_STANZA_LINES} lines`);
    }
    out.push(...libraryBody(path.join(path.dirname(file), target), target));
    i += sourceLine + 1;
  }
  return out.join('\n');
}

/** The library without its leading comment header, between markers that say where it came from. */
function libraryBody(file: string, name: string): string[] {
  if (!existsSync(file)) throw new ConfigurationError(`${file} is missing: the SSM scripts include it`);
  const lines = readFileSync(file, 'utf8').replace(/\n+$/, '').split('\n');
  if (lines.some((line) => INCLUDE.test(line))) throw new ConfigurationError(`${file}: included libraries may not include others`);
  const firstCode = lines.findIndex((line) => !line.startsWith('#'));
  const body = lines.slice(firstCode < 0 ? lines.length : firstCode);
  while (body[0]?.trim() === '') body.shift();
  return [`# --- begin ${name} (inlined when the document was built) ---`, ...body, `# --- end ${name} ---`];
}
