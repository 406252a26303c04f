import { PassThrough, type Writable } from 'node:stream';
import { ConfigurationError } from '../core/errors';
import { main } from './main';

/**
 * Builds `lambda/generated/knowledge*.{json,ts}` from `knowledge/` — what `npm run kb:build` does — so that
 * `npm run serve`, `npm run dev` and every `cdk synth`/`deploy`/`watch` work from a fresh clone and always
 * serve the runbooks as they are now, never a bundle left over from an earlier build. The files are only
 * rewritten when their content changes (no rebuild churn for `cdk watch`).
 *
 * @example
 * await buildKnowledgeBundle(process.stderr); // then require the handler
 */
export async function buildKnowledgeBundle(log: Writable): Promise<void> {
  const problems: Buffer[] = [];
  const stderr = new PassThrough().on('data', (chunk: Buffer) => problems.push(chunk));
  const code = await main(['kb', 'build'], { stdin: new PassThrough(), stdout: log, stderr });
  if (code !== 0) {
    throw new ConfigurationError(
      `could not build the knowledge bundle from knowledge/ (fix the runbooks, then check with npm run kb:build):\n${Buffer.concat(problems).toString('utf8').trim()}`,
    );
  }
}
