import { KnowledgeBaseInvalidError } from '../../../lambda/core/errors';
import { createDiagnoser } from '../../../lambda/core/diagnosis/create-diagnoser';
import { BUNDLE_SCHEMA, loadKnowledgeBundle, serialiseKnowledgeBundle } from '../../../lambda/core/knowledge/bundle';
import { parseRunbook } from '../../../lambda/core/knowledge/parse-runbook';
import { shippedRunbooks } from '../../helpers/knowledge';
import { runbookText } from '../../helpers/runbook-text';

describe('knowledge bundle', () => {
  it('serialises the same runbooks to byte-identical output, whatever their order', () => {
    // Prepare
    const runbooks = shippedRunbooks();

    // Act
    const first = serialiseKnowledgeBundle(runbooks);
    const second = serialiseKnowledgeBundle([...runbooks].reverse());

    // Assess
    expect(second).toBe(first);
  });

  it('loads back into an engine that answers like one built in memory', () => {
    // Prepare
    const json = JSON.parse(serialiseKnowledgeBundle(shippedRunbooks())) as unknown;

    // Act
    const diagnoser = createDiagnoser(loadKnowledgeBundle(json));
    const diagnosis = diagnoser.diagnose('failed to start shim: start failed: unsupported shim version (3): not implemented');

    // Assess
    expect(diagnosis.runbook?.id).toBe('shim-version-mismatch');
    expect(diagnoser.runbooks().length).toBe(shippedRunbooks().length);
  });

  it.each([
    ['text that is not JSON', '{not json', /not valid JSON/],
    ['a bundle of another schema', { schema: 99, runbooks: [], commonTerms: [], index: {} }, new RegExp(`bundle schema must be ${BUNDLE_SCHEMA}: rebuild it with npm run kb:build`)],
    ['a bundle without runbooks', { schema: BUNDLE_SCHEMA, runbooks: [], commonTerms: [], index: {} }, /bundle has no runbooks/],
    ['a runbook missing a field', { schema: BUNDLE_SCHEMA, runbooks: [{ id: 'x' }], commonTerms: [], index: {} }, /invalid at runbooks\.0\.title/],
  ])('rejects %s with a message that says how to fix it', (_, input, message) => {
    expect(() => loadKnowledgeBundle(input)).toThrow(KnowledgeBaseInvalidError);
    expect(() => loadKnowledgeBundle(input)).toThrow(message);
  });

  it('carries the Chinese body, and rejects one with a section missing', () => {
    // Prepare
    const runbook = parseRunbook({ file: 'knowledge/test/example-failure.md', text: runbookText({ sectionsZh: true }) });
    const bundle = JSON.parse(serialiseKnowledgeBundle([runbook])) as { runbooks: { sectionsZh: Record<string, string> }[] };

    // Act
    const loaded = loadKnowledgeBundle(bundle);
    delete bundle.runbooks[0]!.sectionsZh.verify;

    // Assess
    expect(loaded.runbooks[0]?.sectionsZh).toEqual(runbook.sectionsZh);
    expect(runbook.sectionsZh?.fix).toContain('systemctl restart example');
    expect(() => loadKnowledgeBundle(bundle)).toThrow(/invalid at runbooks\.0\.sectionsZh\.verify/);
  });

  it('checks only the envelope when told the runbooks were validated at build time', () => {
    // Prepare
    const bundle = JSON.parse(serialiseKnowledgeBundle(shippedRunbooks())) as { runbooks: Record<string, unknown>[] };
    delete bundle.runbooks[0]!.title;

    // Act / Assess
    expect(() => loadKnowledgeBundle(bundle)).toThrow(/invalid at runbooks\.0\.title/);
    expect(() => loadKnowledgeBundle(bundle, { verify: 'envelope' })).not.toThrow();
    expect(() => loadKnowledgeBundle({ schema: 1, runbooks: [{ id: 'x' }], index: {} }, { verify: 'envelope' })).toThrow(`bundle schema must be ${BUNDLE_SCHEMA}`);
  });

  it('loads the generated bundle the Lambda embeds, in full', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated file, built by npm test before jest
    const json = require('../../../lambda/generated/knowledge.json') as unknown;
    expect(loadKnowledgeBundle(json).runbooks.map((r) => r.id)).toEqual(shippedRunbooks().map((r) => r.id));
  });

  it('rejects an index that cannot be loaded', () => {
    // Prepare
    const bundle = JSON.parse(serialiseKnowledgeBundle(shippedRunbooks())) as { index: unknown };
    bundle.index = { garbage: true };

    // Act / Assess
    expect(() => loadKnowledgeBundle(bundle)).toThrow(/index cannot be loaded/);
  });
});

describe('common terms', () => {
  it('lists the terms in more than half of a large knowledge base, and none in a small one', () => {
    // Prepare
    const base = shippedRunbooks();
    const large = Array.from({ length: 60 }, (_, i) => ({
      ...base[i % base.length]!,
      id: `runbook-${i}`,
      keywords: i % 3 === 0 ? ['everywhere'] : ['everywhere', `only${i}`],
    }));

    // Act
    const bundle = JSON.parse(serialiseKnowledgeBundle(large)) as { commonTerms: string[] };
    const small = JSON.parse(serialiseKnowledgeBundle(base)) as { commonTerms: string[] };

    // Assess
    expect(bundle.commonTerms).toContain('everywhere');
    expect(bundle.commonTerms).not.toContain('only1');
    expect(small.commonTerms).toEqual([]);
  });

  it('are left out of a query that has other terms, and kept when nothing else would remain', () => {
    // Prepare
    const base = shippedRunbooks();
    const large = Array.from({ length: 60 }, (_, i) => ({ ...base[i % base.length]!, id: `runbook-${i}`, keywords: ['everywhere', `only${i}`] }));
    const diagnoser = createDiagnoser(loadKnowledgeBundle(serialiseKnowledgeBundle(large)));

    // Act
    const selective = diagnoser.search('everywhere only7');
    const commonOnly = diagnoser.search('everywhere');

    // Assess
    expect(selective[0]?.runbook.id).toBe('runbook-7');
    expect(commonOnly.length).toBeGreaterThan(0);
  });
});
