import fc from 'fast-check';
import { createDiagnoser } from '../../../lambda/core/diagnosis/create-diagnoser';
import { bundleFromRunbooks } from '../../../lambda/core/knowledge/bundle';
import { parseRunbook } from '../../../lambda/core/knowledge/parse-runbook';
import { runbookText } from '../../helpers/runbook-text';
import { shippedDiagnoser } from '../../helpers/knowledge';

const HEADLINE =
  'docker: Error response from daemon: failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';

/** A two-runbook knowledge base whose weights the tests control. */
function fixtureDiagnoser() {
  const strong = parseRunbook({
    file: 'knowledge/t/strong-one.md',
    text: runbookText({
      id: 'strong-one',
      frontMatter: {
        title: 'Strong signature failure',
        signatures: "\n  - pattern: 'kaboom \\(\\d+\\)'\n    weight: 0.95\n  - pattern: 'generic trouble'\n    weight: 0.3",
        excludes: "['kaboom \\(0\\)']",
        keywords: '[kaboom, 爆炸]',
      },
    }),
  });
  const weak = parseRunbook({
    file: 'knowledge/t/weak-one.md',
    text: runbookText({
      id: 'weak-one',
      frontMatter: {
        title: 'Weak signature failure',
        signatures: "\n  - pattern: 'generic trouble'\n    weight: 0.3",
        keywords: '[trouble, widget]',
      },
    }),
  });
  return createDiagnoser(bundleFromRunbooks([strong, weak]));
}

describe('diagnose (engine mechanics)', () => {
  it('answers in a channel when a strong signature matches, with the line as evidence', () => {
    // Act
    const diagnosis = fixtureDiagnoser().diagnose('noise\nserver said kaboom (7) twice\nmore noise', { mode: 'channel' });

    // Assess
    expect(diagnosis.runbook?.id).toBe('strong-one');
    expect(diagnosis.shouldAnswer).toBe(true);
    expect(diagnosis.confidence).toBeGreaterThanOrEqual(0.95);
    expect(diagnosis.evidence[0]).toMatchObject({ line: 'server said kaboom (7) twice', match: 'kaboom (7)', weight: 0.95 });
  });

  it('stays silent in a channel when only a generic signature matches', () => {
    // Act
    const diagnosis = fixtureDiagnoser().diagnose('we hit generic trouble again', { mode: 'channel' });

    // Assess
    expect(diagnosis.runbook).toBeNull();
    expect(diagnosis.shouldAnswer).toBe(false);
    expect(diagnosis.confidence).toBeLessThan(0.6);
    expect(diagnosis.candidates.map((c) => c.runbook.id)).toEqual(expect.arrayContaining(['strong-one', 'weak-one']));
  });

  it('answers with candidates but no runbook when asked directly and unsure', () => {
    // Act
    const diagnosis = fixtureDiagnoser().diagnose('we hit generic trouble again', { mode: 'direct' });

    // Assess
    expect(diagnosis.shouldAnswer).toBe(true);
    expect(diagnosis.confident).toBe(false);
    expect(diagnosis.runbook).toBeNull();
    expect(diagnosis.candidates.length).toBeGreaterThan(0);
  });

  it('leaves out a runbook whose exclude pattern matches (a known look-alike)', () => {
    // Act
    const diagnosis = fixtureDiagnoser().diagnose('kaboom (7) after kaboom (0)', { mode: 'direct' });

    // Assess
    expect(diagnosis.candidates.map((c) => c.runbook.id)).not.toContain('strong-one');
  });

  it('never lets full-text relevance alone reach the channel threshold', () => {
    // Act
    const diagnosis = fixtureDiagnoser().diagnose('kaboom widget trouble 爆炸 strong signature failure', { mode: 'channel' });

    // Assess
    expect(diagnosis.confidence).toBeLessThan(0.6);
    expect(diagnosis.runbook).toBeNull();
  });

  it('flags Chinese pastes so answers lead with the Chinese summary', () => {
    expect(fixtureDiagnoser().diagnose('升级以后容器起不来了 kaboom (1)').language).toBe('zh');
    expect(fixtureDiagnoser().diagnose('kaboom (1)').language).toBe('en');
  });

  it('reports an over-long paste as truncated', () => {
    expect(fixtureDiagnoser().diagnose('x'.repeat(40_001)).truncated).toBe(true);
  });

  it('returns nothing for empty input and search queries made only of stop words', () => {
    const diagnoser = fixtureDiagnoser();
    expect(diagnoser.diagnose('', { mode: 'direct' }).candidates).toEqual([]);
    expect(diagnoser.search('the of and')).toEqual([]);
  });
});

describe('diagnose (shipped knowledge base)', () => {
  const diagnoser = shippedDiagnoser();

  it('diagnoses the headline error in a channel', () => {
    // Act
    const diagnosis = diagnoser.diagnose(HEADLINE, { mode: 'channel' });

    // Assess
    expect(diagnosis.runbook?.id).toBe('shim-version-mismatch');
    expect(diagnosis.runbook?.remediation).toBe('restart-container-runtime');
  });

  it('diagnoses the kubelet form of the headline, wrapped in a journalctl dump with Chinese prose', () => {
    // Prepare
    const paste = [
      '升级 containerd 之后 pod 起不来，日志如下：',
      '```',
      'Nov 10 09:12:01 node-7 kubelet[2211]: E1110 09:12:01.441022    2211 log.go:32] "RunPodSandbox from runtime service failed" err="rpc error: code = Unimplemented desc = failed to create containerd task: failed to start shim: start failed: unsupported shim version (3): not implemented"',
      '```',
    ].join('\n');

    // Act
    const diagnosis = diagnoser.diagnose(paste, { mode: 'channel' });

    // Assess
    expect(diagnosis.runbook?.id).toBe('shim-version-mismatch');
    expect(diagnosis.language).toBe('zh');
  });

  it('finds the shim runbook for a Chinese question', () => {
    // Act
    const hits = diagnoser.search('containerd 升级后 容器无法启动');
    const direct = diagnoser.diagnose('containerd 升级后 容器无法启动', { mode: 'direct' });

    // Assess
    expect(hits.map((hit) => hit.runbook.id).slice(0, 3)).toContain('shim-version-mismatch');
    expect(direct.candidates.map((c) => c.runbook.id).slice(0, 3)).toContain('shim-version-mismatch');
  });

  it.each([
    [
      'an OCI runtime create failure',
      'Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app": permission denied: unknown',
    ],
    ['a shim connection closed', 'failed to create shim task: ttrpc: closed: unknown'],
  ])('does not answer %s with the shim-version runbook', (_, paste) => {
    expect(diagnoser.diagnose(paste, { mode: 'channel' }).runbook?.id).not.toBe('shim-version-mismatch');
  });

  it('finds runbooks by id and by misspelt words', () => {
    expect(diagnoser.search('shim-version-mismatch')[0]?.runbook.id).toBe('shim-version-mismatch');
    expect(diagnoser.search('schema1 imgae')[0]?.runbook.id).toBe('schema1-image-unsupported');
  });
});

describe('diagnose (invariants over any input)', () => {
  const diagnoser = shippedDiagnoser();
  const fragments = diagnoser.runbooks().flatMap((r) => r.keywords);

  it('returns a well-formed diagnosis whatever is pasted', () => {
    // Prepare: random text mixed with real keywords, so some inputs match and some do not
    const paste = fc.array(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(...fragments), fc.constantFrom(HEADLINE, '\n', '```')), { maxLength: 30 }).map((parts) => parts.join(' '));

    // Act / Assess
    fc.assert(
      fc.property(paste, fc.constantFrom('channel' as const, 'direct' as const), (text, mode) => {
        const diagnosis = diagnoser.diagnose(text, { mode });
        expect(diagnosis.confidence).toBeGreaterThanOrEqual(0);
        expect(diagnosis.confidence).toBeLessThanOrEqual(1);
        expect(diagnosis.candidates.length).toBeLessThanOrEqual(5);
        const confidences = diagnosis.candidates.map((c) => c.confidence);
        expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
        expect(diagnosis.confidence).toBe(confidences[0] ?? 0);
        expect(diagnosis.runbook === null).toBe(!diagnosis.confident);
        expect(diagnosis.shouldAnswer).toBe(mode === 'direct' || diagnosis.confident);
        if (diagnosis.runbook) expect(diagnosis.evidence.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
