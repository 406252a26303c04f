import { BUNDLE_SCHEMA, loadKnowledgeBundle, serialiseKnowledgeBundle } from '../../../lambda/core/knowledge/bundle';
import { parseRunbook } from '../../../lambda/core/knowledge/parse-runbook';
import { runbookText } from '../../helpers/runbook-text';

/** The bundle contract since schema 4: every runbook carries its Chinese title and its whole Chinese body. */
describe('knowledge bundle: Chinese title and body are part of the contract', () => {
  const runbook = parseRunbook({ file: 'knowledge/test/example-failure.md', text: runbookText() });
  const bundleJson = (): { schema: number; runbooks: Record<string, unknown>[] } =>
    JSON.parse(serialiseKnowledgeBundle([runbook])) as { schema: number; runbooks: Record<string, unknown>[] };

  it('carries titleZh and sectionsZh through a serialise/load round trip', () => {
    // Act
    const loaded = loadKnowledgeBundle(bundleJson());

    // Assess
    expect(loaded.runbooks[0]).toMatchObject({ titleZh: '测试用的示例故障', sectionsZh: runbook.sectionsZh });
  });

  it.each([
    ['a runbook without its Chinese body (as schema 3 allowed)', { sectionsZh: null }, /invalid at runbooks\.0\.sectionsZh/],
    ['a runbook without its Chinese title', { titleZh: undefined }, /invalid at runbooks\.0\.titleZh/],
  ])('rejects %s when verified in full', (_, change, message) => {
    // Prepare
    const bundle = bundleJson();
    bundle.runbooks[0] = { ...bundle.runbooks[0], ...change };

    // Act / Assess
    expect(() => loadKnowledgeBundle(bundle)).toThrow(message);
  });

  it('rejects a bundle built before the Chinese body was required, even when only the envelope is checked', () => {
    // Prepare
    const stale = { ...bundleJson(), schema: 3 };

    // Act / Assess
    expect(BUNDLE_SCHEMA).toBe(4);
    expect(() => loadKnowledgeBundle(stale, { verify: 'envelope' })).toThrow('bundle schema must be 4: rebuild it with npm run kb:build');
  });
});
