import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { main } from '../../../lambda/cli/main';
import { BUNDLE_SCHEMA } from '../../../lambda/core/knowledge/bundle';
import { runCli } from '../../helpers/cli';
import { shippedRunbooks } from '../../helpers/knowledge';
import { knowledgeDir, runbookText } from '../../helpers/runbook-text';

const HEADLINE = 'failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';

describe('shim-fix diagnose', () => {
  it('prints a human diagnosis of TEXT', async () => {
    // Act
    const run = await runCli(['diagnose', HEADLINE]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✔ shim-version-mismatch: /);
    expect(run.stdout).toContain('systemctl restart containerd');
  });

  it('prints the JSON contract: runbook, confidence and candidates', async () => {
    // Act
    const run = await runCli(['diagnose', '--json', '--mode', 'channel'], `${HEADLINE}\n`);

    // Assess
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ runbook: 'shim-version-mismatch', mode: 'channel', confident: true });
    expect(json.confidence).toBeGreaterThanOrEqual(0.6);
    expect(json.candidates).toEqual(expect.arrayContaining([{ runbook: 'shim-version-mismatch', confidence: json.confidence }]));
  });

  it('returns runbook null in channel mode when it would stay silent', async () => {
    // Act
    const run = await runCli(['diagnose', '--json', '--mode', 'channel', 'has anyone tried the new coffee machine?']);

    // Assess
    expect(JSON.parse(run.stdout)).toMatchObject({ runbook: null, confident: false });
  });

  it('diagnoses JSON Lines in batch mode, one output line per input, channel mode by default', async () => {
    // Prepare
    const input = [JSON.stringify({ id: 'a', text: HEADLINE }), JSON.stringify({ id: 7, text: 'lunch at noon?' })].join('\n');

    // Act
    const run = await runCli(['diagnose', '--batch'], input);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { id: 'a', runbook: 'shim-version-mismatch', confidence: expect.any(Number) },
      { id: 7, runbook: null, confidence: expect.any(Number) },
    ]);
  });

  it('keeps going past invalid batch lines, reports each, and exits 1', async () => {
    // Act
    const run = await runCli(['diagnose', '--batch'], `not json\n{"id":"x"}\n${JSON.stringify({ id: 'ok', text: HEADLINE })}\n`);

    // Assess
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { line: 1, error: 'not valid JSON' },
      { line: 2, id: 'x', error: 'expected {"id": string|number, "text": string}' },
      { id: 'ok', runbook: 'shim-version-mismatch', confidence: expect.any(Number) },
    ]);
    expect(run.stderr).toContain('2 input line(s) were invalid');
  });

  it.each([
    ['an unknown flag', ['diagnose', '--verbose', 'x'], undefined, /Unknown option '--verbose'/],
    ['an unknown mode', ['diagnose', '--mode', 'loud', 'x'], undefined, /--mode must be channel or direct/],
    ['empty input on a terminal', ['diagnose'], undefined, /nothing to diagnose/],
    ['empty stdin', ['diagnose'], '  \n', /the input is empty/],
    ['TEXT with --batch', ['diagnose', '--batch', 'x'], '', /do not pass TEXT/],
    ['no command', [], undefined, /a command is required/],
    ['an unknown command', ['fix-it'], undefined, /unknown command "fix-it"/],
    ['search without a query', ['search'], undefined, /search needs a QUERY/],
    ['a bad --limit', ['search', '--limit', '0', 'shim'], undefined, /--limit must be a whole number/],
    ['kb without a subcommand', ['kb'], undefined, /kb needs "validate" or "build"/],
  ])('prints usage and exits 2 on %s', async (_, argv, stdin, message) => {
    // Act
    const run = await runCli(argv, stdin);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage:');
  });
});

describe('shim-fix ask (npm run ask)', () => {
  it('diagnoses the built-in example when given nothing, and says so', async () => {
    // Act
    const run = await runCli(['ask'], '');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^No text given, so here is the built-in example:/);
    expect(run.stdout).toContain('✔ shim-version-mismatch');
  });

  it('diagnoses text from stdin in direct mode, listing candidates when unsure', async () => {
    // Act
    const run = await runCli(['ask'], 'after the upgrade containers do not start and the shim looks wrong');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✘ No confident match/);
    expect(run.stdout).toContain('shim-version-mismatch');
  });

  it('offers the candidates as a question for prose without an error, and says what to paste', async () => {
    // Act
    const run = await runCli(['ask'], 'after the upgrade containers do not start and the shim looks wrong');

    // Assess
    expect(run.stdout).toContain('There is no error message in this, so I can only guess. Is it one of these?');
    expect(run.stdout).toContain('To get a confident answer, paste:');
    expect(run.stdout).toContain('the full error line');
    expect(run.stdout).toContain('journalctl -u containerd -u kubelet --since -15min');
    expect(run.stdout).toContain('containerd --version');
  });

  it('answers a Chinese paste of the headline error wholly in Chinese, with the runbook\'s Chinese sections', async () => {
    // Prepare
    const runbook = shippedRunbooks().find((r) => r.id === 'shim-version-mismatch')!;
    const chineseFix = runbook.sectionsZh.fix.split('\n').find((line) => /\p{Script=Han}/u.test(line))!;

    // Act
    const run = await runCli(['ask'], `升级 containerd 之后容器起不来了，报错如下：\n${HEADLINE}`);

    // Assess
    expect(run.stdout).toMatch(/^✔ shim-version-mismatch: .*（?置信度/);
    for (const heading of ['原因', '修复', '验证', '不适用的情况', '参考来源', '运行手册']) expect(run.stdout).toContain(heading);
    expect(run.stdout).toContain(runbook.summaryZh);
    expect(run.stdout).toContain(chineseFix.trim());
    expect(run.stdout).not.toMatch(/^(Cause|Fix|Verify|When this is not the fix|Sources)\b/m);
  });

  it('answers a Chinese paste with the runbook\'s Chinese title and sections, not the English ones', async () => {
    // Prepare
    const dir = knowledgeDir({
      'example-failure.md': runbookText({
        frontMatter: { title_zh: '小部件缓存过期' },
        sections: { Cause: 'The widget cache is stale.' },
        sectionsZh: { 原因: '小部件的缓存过期了。' },
      }),
    });

    // Act
    const run = await runCli(['ask', '--knowledge', dir], '升级之后报错了 example failure (1)');

    // Assess
    expect(run.stdout).toMatch(/^✔ example-failure: 小部件缓存过期 /);
    expect(run.stdout).toContain('小部件的缓存过期了。');
    expect(run.stdout).not.toContain('The widget cache is stale.');
  });
});

describe('shim-fix on long input and ambiguous errors', () => {
  const routine = 'Nov 10 12:00:00 node-1 containerd[812]: time="2024-11-10T12:00:00Z" level=info msg="loading plugin" id=io.containerd.x type=io.containerd.y\n';
  const journal = `${routine.repeat(Math.ceil(60_000 / routine.length))}Nov 10 12:00:01 node-1 dockerd[900]: ${HEADLINE}\n`;

  it('diagnoses the headline error on the last line of a 60 KB journal read from stdin, and says what was left out', async () => {
    // Act
    const json = JSON.parse((await runCli(['diagnose', '--json', '--mode', 'channel'], journal)).stdout) as Record<string, unknown>;
    const human = await runCli(['ask'], journal);

    // Assess
    expect(journal.length).toBeGreaterThan(60_000);
    expect(json).toMatchObject({ runbook: 'shim-version-mismatch', truncated: true, omitted: { inputChars: journal.length } });
    expect(human.stdout).toMatch(/^\(The paste has 6\d,\d{3} characters; I read the part that holds the error and left out [\d,]+\.\)/);
    expect(human.stdout).toContain('✔ shim-version-mismatch');
  });

  it('keeps the end of stdin beyond its bound, where a journal has its newest lines', async () => {
    // Act: 9 MB of routine lines, then the error
    const huge = `${routine.repeat(Math.ceil(9_000_000 / routine.length))}Nov 10 12:00:01 node-1 dockerd[900]: ${HEADLINE}\n`;
    const run = await runCli(['diagnose', '--json', '--mode', 'channel'], huge);

    // Assess
    expect(JSON.parse(run.stdout)).toMatchObject({ runbook: 'shim-version-mismatch', truncated: true });
  });

  it('shows both runbooks of an ambiguous error in --json, with the command that tells them apart', async () => {
    // Act
    const run = await runCli(['diagnose', '--json', '--mode', 'channel', 'rpc error: code = Unimplemented desc = unknown service runtime.v1alpha2.RuntimeService']);

    // Assess
    const json = JSON.parse(run.stdout) as { ambiguous: boolean; runbook: unknown; pair: { runbooks: string[]; command: string }; candidates: { runbook: string }[] };
    expect(json.ambiguous).toBe(true);
    expect(json.runbook).toBeNull();
    expect(json.pair.runbooks.sort()).toEqual(['cri-plugin-disabled', 'cri-v1alpha2-removed']);
    expect(json.pair.command).toContain('ctr plugins ls');
    expect(json.candidates.slice(0, 2).map((c) => c.runbook).sort()).toEqual(['cri-plugin-disabled', 'cri-v1alpha2-removed']);
  });

  it('prints one answer naming both runbooks and the command, in English or in Chinese', async () => {
    // Act
    const english = await runCli(['ask', 'unknown service runtime.v1alpha2.RuntimeService']);
    const chinese = await runCli(['ask', '升级以后 kubeadm init 报错了： unknown service runtime.v1alpha2.RuntimeService']);

    // Assess
    expect(english.stdout).toMatch(/^✔ Two runbooks fit this error equally/);
    expect(english.stdout).toContain('cri-plugin-disabled');
    expect(english.stdout).toContain('cri-v1alpha2-removed');
    expect(english.stdout).toContain('Run this to tell them apart:\n  sudo ctr plugins ls | awk \'$1=="io.containerd.grpc.v1" && $2=="cri"\'');
    expect(chinese.stdout).toMatch(/^✔ 这个错误同时符合两份运行手册/);
    expect(chinese.stdout).toContain('运行下面的命令区分：');
  });
});

describe('shim-fix search and show', () => {
  it('lists runbooks matching a query', async () => {
    const run = await runCli(['search', '--json', 'unsupported shim version']);
    expect((JSON.parse(run.stdout) as { runbook: string }[])[0]?.runbook).toBe('shim-version-mismatch');
  });

  it('says so when nothing matches', async () => {
    const run = await runCli(['search', 'qwertyuiop']);
    expect(run.stdout).toMatch(/^No runbook matches "qwertyuiop"/);
  });

  it('shows one runbook, or lists the known ids for an unknown one', async () => {
    expect((await runCli(['show', 'shim-version-mismatch'])).stdout).toMatch(/^shim-version-mismatch: /);
    const unknown = await runCli(['show', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Known: ');
  });
});

describe('shim-fix kb', () => {
  it('validates the shipped knowledge base', async () => {
    const run = await runCli(['kb', 'validate']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: \d+ runbooks are valid/);
  });

  it('fails with file and field for each bad runbook', async () => {
    // Prepare
    const dir = knowledgeDir({
      'a/example-failure.md': runbookText({ frontMatter: { remediation: 'reboot' } }),
      'b/other-failure.md': runbookText({ id: 'other-failure', sections: { Cause: undefined } }),
    });

    // Act
    const run = await runCli(['kb', 'validate', '--knowledge', dir]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('knowledge/a/example-failure.md: remediation: must be one of restart-container-runtime, check-only, none');
    expect(run.stderr).toContain('knowledge/b/other-failure.md: body: is missing the section "## Cause"');
  });

  it('refuses to diagnose on an invalid knowledge base and says how to find out why', async () => {
    const dir = knowledgeDir({ 'a/example-failure.md': runbookText({ frontMatter: { weight: '1' } }) });
    const run = await runCli(['diagnose', '--knowledge', dir, 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('npx shim-fix kb validate');
  });

  it('builds a bundle, and rebuilding gives byte-identical output', async () => {
    // Prepare
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'shim-fix-bundle-')), 'knowledge.json');

    // Act
    await runCli(['kb', 'build', '--out', out]);
    const first = readFileSync(out, 'utf8');
    const again = await runCli(['kb', 'build', '--out', out]);

    // Assess
    expect(again.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(first);
    expect(JSON.parse(first)).toMatchObject({ schema: BUNDLE_SCHEMA, commonTerms: [] });
  });
});

describe('the installed command', () => {
  it('runs through the package bin, as npx shim-fix does', () => {
    // Act
    const stdout = execFileSync(process.execPath, [path.join(__dirname, '../../../bin/shim-fix.js'), 'diagnose', '--json', HEADLINE], {
      encoding: 'utf8',
    });

    // Assess
    expect(JSON.parse(stdout)).toMatchObject({ runbook: 'shim-version-mismatch' });
  });

  it('exits quietly when the reader closes the pipe early (| head)', async () => {
    // Prepare
    const child = spawn(process.execPath, [path.join(__dirname, '../../../bin/shim-fix.js'), 'diagnose', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    // Act: read one line, then hang up, as `head -1` does
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.end(`${JSON.stringify({ id: 1, text: HEADLINE })}\n`.repeat(5000));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    // Assess
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('stops diagnosing once the reader has hung up, instead of working through the rest of the input for nobody', async () => {
    // Prepare: a stdout whose reader goes away after the first line, as a pipe into `head -1` does
    let delivered = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        delivered += 1;
        callback(delivered > 1 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    stdout.on('error', () => undefined);
    // Every line the CLI tries to write, including those a destroyed stream refuses without reaching the reader.
    let writes = 0;
    const write = stdout.write.bind(stdout);
    stdout.write = ((...args: Parameters<typeof write>) => {
      writes += 1;
      return write(...args);
    }) as typeof stdout.write;
    const stdin = Readable.from([Buffer.from(`${JSON.stringify({ id: 1, text: HEADLINE })}\n`.repeat(1_000))]);

    // Act
    const code = await main(['diagnose', '--batch'], { stdin, stdout, stderr: new PassThrough() });

    // Assess: the line the reader took, the one that found the pipe closed, and nothing after it
    expect(code).toBe(0);
    expect(writes).toBe(2);
  });
});
