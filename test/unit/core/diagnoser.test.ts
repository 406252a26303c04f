import fc from 'fast-check';
import { createDiagnoser, DEFAULT_DIAGNOSER_OPTIONS } from '../../../lambda/core/diagnosis/create-diagnoser';
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
    expect(diagnosis.confidence).toBeLessThan(DEFAULT_DIAGNOSER_OPTIONS.threshold);
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
    expect(diagnosis.confidence).toBeLessThan(DEFAULT_DIAGNOSER_OPTIONS.threshold);
    expect(diagnosis.runbook).toBeNull();
  });

  it('flags Chinese pastes so answers lead with the Chinese summary', () => {
    expect(fixtureDiagnoser().diagnose('升级以后容器起不来了 kaboom (1)').language).toBe('zh');
    expect(fixtureDiagnoser().diagnose('kaboom (1)').language).toBe('en');
  });

  it('reports an over-long paste as truncated, with what was left out', () => {
    const diagnosis = fixtureDiagnoser().diagnose('x'.repeat(40_001));
    expect(diagnosis.truncated).toBe(true);
    expect(diagnosis.omitted).toEqual({ chars: 1, lines: 1, inputChars: 40_001 });
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
        if (diagnosis.ambiguous) {
          expect(diagnosis.pair?.candidates.map((c) => c.runbook.id)).toEqual(diagnosis.candidates.slice(0, 2).map((c) => c.runbook.id));
          expect(diagnosis.confidence).toBe(diagnosis.pair?.confidence);
        } else {
          expect(diagnosis.pair).toBeNull();
          expect(diagnosis.confidence).toBe(confidences[0] ?? 0);
        }
        expect(diagnosis.runbook !== null).toBe(diagnosis.confident && !diagnosis.ambiguous);
        expect(diagnosis.shouldAnswer).toBe(mode === 'direct' || diagnosis.confident);
        if (diagnosis.runbook) expect(diagnosis.evidence.length).toBeGreaterThan(0);
        if (diagnosis.confident || mode === 'channel') expect(diagnosis.missing).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

/** A runbook with the given signatures (`pattern: weight`) and keywords, for engine tests. */
function runbookWith(id: string, signatures: Record<string, number>, keywords = `[${id}]`) {
  const yaml = Object.entries(signatures)
    .map(([pattern, weight]) => `\n  - pattern: '${pattern}'\n    weight: ${weight}`)
    .join('');
  return parseRunbook({ file: `knowledge/t/${id}.md`, text: runbookText({ id, frontMatter: { title: `Runbook ${id}`, signatures: yaml, keywords } }) });
}

describe('diagnose (absolute evidence)', () => {
  const diagnoser = createDiagnoser(
    bundleFromRunbooks([
      runbookWith('cause-effect', { 'disk quota gone.{0,60}sandbox refused': 0.9, 'kaboom \\(\\d+\\)': 0.95 }),
      runbookWith('other', { 'unrelated signature': 0.9 }),
    ]),
  );

  it('gives a runbook the same confidence whatever else the knowledge base holds', () => {
    // Prepare: the same runbook alone, and beside a runbook that shares every word of the paste
    const paste = 'kaboom (3) while starting the widget pipeline on node seven';
    const alone = createDiagnoser(bundleFromRunbooks([runbookWith('cause-effect', { 'kaboom \\(\\d+\\)': 0.95 })]));
    const crowded = createDiagnoser(
      bundleFromRunbooks([
        runbookWith('cause-effect', { 'kaboom \\(\\d+\\)': 0.95 }),
        runbookWith('word-twin', { 'never matches anything': 0.9 }, '[widget, pipeline, node, seven, starting, kaboom]'),
      ]),
    );

    // Act
    const confidenceOf = (d: typeof alone) => d.diagnose(paste).candidates.find((c) => c.runbook.id === 'cause-effect')?.confidence;

    // Assess
    expect(confidenceOf(crowded)).toBe(confidenceOf(alone));
  });

  it.each([
    ['an info-level logrus line', 'time="2024-11-10T12:00:01Z" level=info msg="kaboom (3) handled"'],
    ['a klog info line', 'I1110 12:00:01.123456    1234 server.go:10] kaboom (3) handled'],
    ['a Normal event row', 'Normal   Pulled   3m   kubelet  kaboom (3) pulled image'],
  ])('gives no weight to %s', (_, paste) => {
    expect(diagnoser.diagnose(paste, { mode: 'channel' }).candidates.find((c) => c.runbook.id === 'cause-effect')?.evidence ?? []).toEqual([]);
  });

  it('counts the same line at warning or error level', () => {
    expect(diagnoser.diagnose('time="2024-11-10T12:00:01Z" level=error msg="kaboom (3)"', { mode: 'channel' }).runbook?.id).toBe('cause-effect');
  });

  it('matches evidence that spans neighbouring lines (cause on one, effect on the next)', () => {
    // Act
    const diagnosis = diagnoser.diagnose('E1110 12:00:01.123456    1234 node.go:1] disk quota gone for pod web-1\nE1110 12:00:01.123470    1234 node.go:2] sandbox refused', { mode: 'channel' });

    // Assess
    expect(diagnosis.runbook?.id).toBe('cause-effect');
    expect(diagnosis.evidence[0]?.line).toBe('disk quota gone for pod web-1 sandbox refused');
  });

  it.each([
    ['e-mail quoting', '> > server said kaboom (3)'],
    ['typographic quotes and a wrapped line', 'server said “kaboom\n(3)” again'],
    ['replacement characters and prose around it', 'after the upgrade I had to restart docker, then: \ufffd\ufffdkaboom (3)\ufffd and nothing else'],
  ])('survives copy-paste damage: %s', (_, paste) => {
    expect(diagnoser.diagnose(paste, { mode: 'channel' }).runbook?.id).toBe('cause-effect');
  });
});

describe('diagnose (honest ambiguity)', () => {
  const twins = () => [
    runbookWith('old-client', { 'unknown service api\\.v9': 0.55, 'client v?1\\.\\d': 0.3 }),
    runbookWith('plugin-off', { 'unknown service api\\.v9': 0.5 }),
  ];

  it('names both runbooks when the evidence fits them equally, and answers a channel only when the pair is confident', () => {
    // Act
    const diagnosis = createDiagnoser(bundleFromRunbooks(twins())).diagnose('rpc error: unknown service api.v9', { mode: 'channel' });

    // Assess
    expect(diagnosis.ambiguous).toBe(true);
    expect(diagnosis.runbook).toBeNull();
    expect(diagnosis.pair?.candidates.map((c) => c.runbook.id)).toEqual(['old-client', 'plugin-off']);
    expect(diagnosis.confidence).toBeGreaterThanOrEqual(DEFAULT_DIAGNOSER_OPTIONS.threshold);
    expect(diagnosis.shouldAnswer).toBe(true);
  });

  it('stays silent in a channel when the pair together is not confident', () => {
    const weak = createDiagnoser(bundleFromRunbooks(twins()), { threshold: 0.95 });
    expect(weak.diagnose('rpc error: unknown service api.v9', { mode: 'channel' }).shouldAnswer).toBe(false);
  });

  it('lets a version hint break the tie without adding weight of its own', () => {
    // Act
    const diagnoser = createDiagnoser(bundleFromRunbooks(twins()));
    const hinted = diagnoser.diagnose('rpc error: unknown service api.v9\nclient v1.2', { mode: 'channel' });
    const hintOnly = diagnoser.diagnose('client v1.2', { mode: 'direct' });

    // Assess
    expect(hinted.ambiguous).toBe(false);
    expect(hinted.runbook?.id).toBe('old-client');
    expect(hintOnly.candidates.find((c) => c.runbook.id === 'old-client')?.confidence ?? 0).toBeLessThan(0.3);
  });

  it('pairs the CRI runbooks on an unknown v1alpha2 service and names the command that tells them apart', () => {
    // Act
    const diagnosis = shippedDiagnoser().diagnose('failed to get runtime version: rpc error: code = Unimplemented desc = unknown service runtime.v1alpha2.RuntimeService', { mode: 'channel' });

    // Assess
    expect(diagnosis.ambiguous).toBe(true);
    expect(diagnosis.pair?.candidates.map((c) => c.runbook.id).sort()).toEqual(['cri-plugin-disabled', 'cri-v1alpha2-removed']);
    expect(diagnosis.pair?.discriminator?.command).toContain('ctr plugins ls');
    expect(diagnosis.shouldAnswer).toBe(true);
  });
});

describe('diagnose (look-alike lines stay silent in a channel)', () => {
  const diagnoser = shippedDiagnoser();

  it.each([
    ['SandboxChanged event', 'Normal  SandboxChanged  2m (x3 over 5m)  kubelet  Pod sandbox changed, it will be killed and re-created.'],
    ['SandboxChanged message alone', 'Pod sandbox changed, it will be killed and re-created.'],
    [
      'routine shim disconnected lines',
      'time="2024-11-10T12:00:01Z" level=info msg="shim disconnected" id=5d2c namespace=moby\ntime="2024-11-10T12:00:01Z" level=info msg="cleaning up after shim disconnected" id=5d2c namespace=moby',
    ],
    ['shim disconnected without its level', 'shim disconnected id=5d2c namespace=k8s.io\ncleaning up after shim disconnected id=5d2c'],
    [
      "crictl's default-endpoints warning",
      'WARN[0000] runtime connect using default endpoints: [unix:///var/run/dockershim.sock unix:///run/containerd/containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]. As the default settings are now deprecated, you should set the endpoint instead.',
    ],
    ["kubeadm's container runtime is not running alone", '[ERROR CRI]: container runtime is not running'],
  ])('%s', (_, paste) => {
    expect(diagnoser.diagnose(paste, { mode: 'channel' }).shouldAnswer).toBe(false);
  });

  it("does not let crictl's warning decide a paste whose real error is an unknown v1alpha2 service", () => {
    const paste = [
      'WARN[0000] runtime connect using default endpoints: [unix:///var/run/dockershim.sock unix:///run/containerd/containerd.sock]. As the default settings are now deprecated, you should set the endpoint instead.',
      'FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unimplemented desc = unknown service runtime.v1alpha2.RuntimeService',
    ].join('\n');
    const named = (d: ReturnType<typeof diagnoser.diagnose>) => (d.pair ? d.pair.candidates.map((c) => c.runbook.id) : [d.runbook?.id]);
    expect(named(diagnoser.diagnose(paste, { mode: 'channel' }))).not.toContain('crictl-wrong-endpoint');
  });
});

describe('diagnose (abstention that helps)', () => {
  const diagnoser = shippedDiagnoser();

  it('asks for the error line, the journal and the versions when given prose', () => {
    const diagnosis = diagnoser.diagnose('after the upgrade nothing starts any more, any idea?', { mode: 'direct' });
    expect(diagnosis.confident).toBe(false);
    expect(diagnosis.missing).toEqual(['error-line', 'journal', 'versions']);
  });

  it('asks only for what is missing', () => {
    const diagnosis = diagnoser.diagnose('containerd 2.0.1: failed to start something odd', { mode: 'direct' });
    expect(diagnosis.missing).toEqual(['journal']);
  });
});

describe('diagnose (long input)', () => {
  it('diagnoses the headline error on the last line of a 60 KB journal and says what was left out', () => {
    // Prepare
    const routine = 'Nov 10 12:00:00 node-1 containerd[812]: time="2024-11-10T12:00:00Z" level=info msg="loading plugin" id=io.containerd.x type=io.containerd.y\n';
    const journal = `${routine.repeat(Math.ceil(60_000 / routine.length))}Nov 10 12:00:01 node-1 dockerd[900]: ${HEADLINE}`;

    // Act
    const diagnosis = shippedDiagnoser().diagnose(journal, { mode: 'channel' });

    // Assess
    expect(journal.length).toBeGreaterThan(60_000);
    expect(diagnosis.runbook?.id).toBe('shim-version-mismatch');
    expect(diagnosis.truncated).toBe(true);
    expect(diagnosis.omitted?.inputChars).toBe(journal.length);
    expect(diagnosis.omitted?.chars).toBeGreaterThan(20_000);
  });
});
