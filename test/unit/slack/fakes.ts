import type { Candidate, DiagnoseMode, Diagnoser, Diagnosis, SearchHit } from '../../../lambda/core/diagnosis/types';
import type { Runbook } from '../../../lambda/core/knowledge/runbook';
import type { AppLogger } from '../../../lambda/logger';

/** A runbook with every field filled; override what a test is about. */
export function runbookFixture(overrides: Partial<Runbook> = {}): Runbook {
  return {
    id: 'shim-version-mismatch',
    title: 'Containerd daemon older than its shim after an upgrade',
    titleZh: '升级后 containerd 守护进程比 shim 旧',
    summary: 'A containerd 1.7 daemon is still running after the 2.x package was installed; restart containerd, then Docker.',
    summaryZh: '旧的 containerd 1.7 守护进程仍在运行；请先重启 containerd，再重启 Docker。',
    signatures: [{ pattern: 'unsupported shim version \\(\\d+\\)', weight: 1 }],
    excludes: [],
    keywords: ['containerd'],
    appliesTo: ['containerd 1.7', 'containerd 2.0'],
    remediation: 'restart-container-runtime',
    sources: ['https://github.com/containerd/containerd/issues/10984'],
    area: 'shim',
    file: 'knowledge/shim/shim-version-mismatch.md',
    sections: {
      symptoms: 'New containers fail.',
      cause: 'The old daemon rejects the new shim.',
      fix: '```bash\nsudo systemctl restart containerd\n```',
      verify: '`sudo ctr version`',
      notTheFix: 'Two installs: `which -a containerd`.',
    },
    sectionsZh: {
      symptoms: '新容器启动失败。',
      cause: '旧的守护进程不认新的 shim。',
      fix: '```bash\nsudo systemctl restart containerd\n```',
      verify: '`sudo ctr version`',
      notTheFix: '装了两份：`which -a containerd`。',
    },
    ...overrides,
  };
}

export interface FakeDiagnoserOptions {
  runbooks?: Runbook[];
  /** Decides the diagnosis of a text; default: the first runbook when the text says "unsupported shim version". */
  decide?: (text: string, mode: DiagnoseMode) => Decision;
}

interface Decision {
  runbook: Runbook | null;
  confidence: number;
  language?: 'en' | 'zh';
}

/** A stand-in for the diagnosis engine, so listener tests do not depend on the knowledge base. */
export function fakeDiagnoser({ runbooks = [runbookFixture()], decide }: FakeDiagnoserOptions = {}): Diagnoser {
  const first = runbooks[0] ?? runbookFixture();
  const decideDefault = (text: string): Decision =>
    /unsupported shim version/i.test(text) ? { runbook: first, confidence: 0.95 } : { runbook: null, confidence: 0.2 };
  return {
    diagnose(text, options = {}): Diagnosis {
      const mode = options.mode ?? 'direct';
      const decision = (decide ?? decideDefault)(text, mode);
      const candidates: Candidate[] = decision.runbook
        ? [{ runbook: decision.runbook, confidence: decision.confidence, evidence: [] }]
        : runbooks.map((runbook) => ({ runbook, confidence: decision.confidence, evidence: [] }));
      const evidence = decision.runbook ? [{ line: text.split('\n')[0]?.slice(0, 300) ?? '', match: 'unsupported shim version', pattern: 'x', weight: 1 }] : [];
      return {
        mode,
        runbook: decision.runbook,
        confidence: decision.confidence,
        confident: decision.runbook !== null,
        shouldAnswer: mode === 'direct' || decision.runbook !== null,
        candidates,
        evidence,
        language: decision.language ?? 'en',
        truncated: text.length > 40_000,
        ambiguous: false,
        pair: null,
        omitted: null,
        missing: [],
      };
    },
    search(query, options = {}): SearchHit[] {
      return runbooks
        .filter((runbook) => `${runbook.title} ${runbook.summary} ${runbook.id}`.toLowerCase().includes(query.toLowerCase().split(/\s+/)[0] ?? ''))
        .slice(0, options.limit ?? 5)
        .map((runbook, index) => ({ runbook, score: 10 - index }));
    },
    runbook: (id) => runbooks.find((runbook) => runbook.id === id),
    runbooks: () => runbooks,
  };
}

export interface RecordingLogger extends AppLogger {
  entries: { level: string; message: string; data: Record<string, unknown> }[];
}

/** A logger that keeps what was logged, for tests that check structured log events. */
export function silentLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  const record =
    (level: string) =>
    (message: unknown, ...rest: unknown[]): void => {
      entries.push({ level, message: String(message), data: Object.assign({}, ...rest.filter((item) => typeof item === 'object')) });
    };
  return { entries, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } as RecordingLogger;
}
