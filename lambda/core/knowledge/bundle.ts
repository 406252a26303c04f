import MiniSearch from 'minisearch';
import * as z from 'zod';
import { KnowledgeBaseInvalidError } from '../errors';
import { frontMatterSchema, REMEDIATIONS, type Runbook } from './runbook';
import { buildSearchIndex, commonTerms, INDEX_OPTIONS, type IndexedRunbook } from './search-index';

/** Bumped whenever the bundle's shape or the index options change, so a stale bundle fails loudly. */
export const BUNDLE_SCHEMA = 4;

/** The generated artefact (`lambda/generated/knowledge.json`): validated runbooks plus their serialised index. */
export interface KnowledgeBundleJson {
  schema: number;
  runbooks: Runbook[];
  /** Terms too common in this knowledge base to be worth querying (see `commonTerms`). */
  commonTerms: string[];
  index: unknown;
}

export interface KnowledgeBundle {
  runbooks: readonly Runbook[];
  byId: ReadonlyMap<string, Runbook>;
  commonTerms: ReadonlySet<string>;
  index: MiniSearch<IndexedRunbook>;
}

const sectionsSchema = z.object({ symptoms: z.string(), cause: z.string(), fix: z.string(), verify: z.string(), notTheFix: z.string() });

const runbookSchema = z.object({
  id: z.string(),
  title: z.string(),
  titleZh: z.string(),
  summary: z.string(),
  summaryZh: z.string(),
  signatures: frontMatterSchema.shape.signatures,
  excludes: z.array(z.string()),
  keywords: z.array(z.string()),
  appliesTo: z.array(z.string()),
  remediation: z.enum(REMEDIATIONS),
  sources: z.array(z.string()),
  area: z.string(),
  file: z.string(),
  sections: sectionsSchema,
  sectionsZh: sectionsSchema,
});

const envelopeSchema = z.object({
  schema: z.literal(BUNDLE_SCHEMA, { message: `bundle schema must be ${BUNDLE_SCHEMA}: rebuild it with npm run kb:build` }),
  runbooks: z.array(z.object({ id: z.string() }).loose()).min(1, 'bundle has no runbooks'),
  commonTerms: z.array(z.string()),
  index: z.record(z.string(), z.unknown()),
});
const bundleSchema = envelopeSchema.extend({ runbooks: z.array(runbookSchema).min(1, 'bundle has no runbooks') });

export interface LoadBundleOptions {
  /**
   * `full` checks every runbook field; `envelope` checks only the schema version and the shape around the
   * runbooks. The Lambda embeds a bundle that `kb build` validated in full (and a test loads in full), so
   * at cold start it checks the envelope only: re-validating every runbook would cost ~10 ms per cold start.
   * @default 'full'
   */
  verify?: 'full' | 'envelope';
}

/**
 * Serialises validated runbooks and their index. Deterministic: the same runbooks give byte-identical
 * output (sorted by id, no timestamps), so the generated file only changes when the knowledge does.
 */
export function serialiseKnowledgeBundle(runbooks: readonly Runbook[]): string {
  const sorted = [...runbooks].sort((a, b) => a.id.localeCompare(b.id));
  const bundle: KnowledgeBundleJson = {
    schema: BUNDLE_SCHEMA,
    runbooks: sorted,
    commonTerms: commonTerms(sorted),
    index: buildSearchIndex(sorted).toJSON(),
  };
  return `${JSON.stringify(bundle)}\n`;
}

/**
 * Loads a bundle (parsed JSON object or its text) once at start-up.
 *
 * @throws KnowledgeBaseInvalidError when the bundle is not one this code can read.
 * @example
 * import json from '../generated/knowledge.json';
 * const bundle = loadKnowledgeBundle(json);
 */
export function loadKnowledgeBundle(json: unknown, { verify = 'full' }: LoadBundleOptions = {}): KnowledgeBundle {
  let data = json;
  try {
    if (typeof json === 'string') data = JSON.parse(json);
  } catch (error) {
    throw new KnowledgeBaseInvalidError('knowledge bundle is not valid JSON: rebuild it with npm run kb:build', { cause: error });
  }
  const parsed = (verify === 'full' ? bundleSchema : envelopeSchema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KnowledgeBaseInvalidError(`knowledge bundle is invalid at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`);
  }
  const runbooks = parsed.data.runbooks as Runbook[];
  let index: MiniSearch<IndexedRunbook>;
  try {
    index = MiniSearch.loadJS<IndexedRunbook>(parsed.data.index as never, INDEX_OPTIONS);
  } catch (error) {
    throw new KnowledgeBaseInvalidError('knowledge bundle index cannot be loaded: rebuild it with npm run kb:build', { cause: error });
  }
  return {
    runbooks,
    byId: new Map(runbooks.map((runbook) => [runbook.id, runbook])),
    commonTerms: new Set(parsed.data.commonTerms),
    index,
  };
}

/** Builds a bundle in memory straight from runbooks (CLI and tests), without a serialise/parse round trip. */
export function bundleFromRunbooks(runbooks: readonly Runbook[]): KnowledgeBundle {
  const sorted = [...runbooks].sort((a, b) => a.id.localeCompare(b.id));
  return {
    runbooks: sorted,
    byId: new Map(sorted.map((runbook) => [runbook.id, runbook])),
    commonTerms: new Set(commonTerms(sorted)),
    index: buildSearchIndex(sorted),
  };
}
