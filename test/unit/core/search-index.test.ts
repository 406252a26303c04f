import { createDiagnoser } from '../../../lambda/core/diagnosis/create-diagnoser';
import { bundleFromRunbooks } from '../../../lambda/core/knowledge/bundle';
import { parseRunbook } from '../../../lambda/core/knowledge/parse-runbook';
import { buildSearchIndex, chineseProse, PASTE_SEARCH } from '../../../lambda/core/knowledge/search-index';
import { runbookText } from '../../helpers/runbook-text';

function runbook(id: string, symptomsZh: string) {
  return parseRunbook({ file: `knowledge/test/${id}.md`, text: runbookText({ id, sectionsZh: { 症状: symptomsZh } }) });
}

describe('search index: the Chinese body', () => {
  it('indexes only the Han prose of a Chinese section, not its code or quoted errors', () => {
    const markdown = '节点离线时报 `failed to get sandbox image`：\n\n```bash\nsudo ctr version   # 检查\n```\n\nkubelet 启动失败。';
    expect(chineseProse(markdown)).toBe('节点离线时报 启动失败');
  });

  it('finds a runbook by words that only its Chinese body uses', () => {
    // Prepare: the English bodies are identical, the Chinese symptoms differ
    const offline = runbook('offline-node', '节点离线，无法访问镜像仓库。');
    const mirror = runbook('mirror-config', '镜像加速配置没有生效。');
    const diagnoser = createDiagnoser(bundleFromRunbooks([offline, mirror]));

    // Act
    const hits = diagnoser.search('节点离线');

    // Assess
    expect(hits.map((hit) => hit.runbook.id)).toEqual(['offline-node']);
  });

  it('ranks an English paste exactly as it would without any Chinese title or body', () => {
    // Prepare
    const withZh = [runbook('offline-node', '节点离线，报 `example failure (1)`。'), runbook('mirror-config', '镜像加速配置没有生效。')];
    // The English sections in place of the Chinese ones: no Han text left for the zh field.
    const withoutZh = withZh.map((r) => ({ ...r, titleZh: '', sectionsZh: r.sections }));
    const paste = 'containers fail with example failure (1) after the upgrade';

    // Act
    const scores = (runbooks: typeof withZh) =>
      buildSearchIndex(runbooks)
        .search(paste, PASTE_SEARCH)
        .map((hit) => [hit.id, hit.score]);

    // Assess
    expect(scores(withZh)).toEqual(scores(withoutZh));
  });
});
