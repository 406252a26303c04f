import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Real pastes from public threads, labelled with the runbook that fixes them or `none` (the bot must stay
 * silent in a channel). `split` keeps evaluation honest: signatures and weights are written against `dev`
 * only; `heldout` is what the floors are enforced on. A thread is never in both parts.
 */
export const pasteSchema = z
  .object({
    id: z.string().min(1),
    category: z.string().min(1),
    text: z.string().min(1),
    source: z.string().regex(/^https:\/\/\S+/, 'must start with the https URL of the thread'),
    note: z.string().optional(),
    split: z.enum(['dev', 'heldout']),
  })
  .strict();
export type Paste = z.infer<typeof pasteSchema> & { file: string };

export const FIXTURE_DIR = path.join(__dirname, '../fixtures');

/** Every test/fixtures/*.jsonl file: other helpers and contributors add their own files beside ours. */
export function loadPastes(dir = FIXTURE_DIR): Paste[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  return files.flatMap((name) =>
    readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => line.trim() !== '')
      .map(({ line, index }) => {
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch (error) {
          throw new Error(`${name} line ${index + 1}: not JSON`, { cause: error });
        }
        const parsed = pasteSchema.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(`${name} line ${index + 1}: ${issue?.path.join('.')}: ${issue?.message}`);
        }
        return { ...parsed.data, file: name };
      }),
  );
}

/**
 * The thread a source URL belongs to: comment anchors, query strings, `/files` or `/commits` tails and
 * trailing prose are dropped, so two comments of one issue are the same thread.
 *
 * @example threadOf('https://github.com/containerd/containerd/issues/10979#issuecomment-1 (comment by x)')
 * // 'github.com/containerd/containerd/issues/10979'
 */
export function threadOf(source: string): string {
  const url = (source.split(/\s/)[0] ?? '').replace(/[#?].*$/, '').replace(/[).,;]+$/, '');
  const withoutScheme = url.replace(/^https?:\/\//, '').toLowerCase();
  const github = /^(github\.com\/[^/]+\/[^/]+\/(?:issues|pull|discussions)\/\d+)/.exec(withoutScheme);
  if (github?.[1]) return github[1].replace('/pull/', '/issues/');
  return withoutScheme.replace(/\/+$/, '');
}
