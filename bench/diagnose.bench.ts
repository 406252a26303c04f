/**
 * `npm run bench:diagnose`: speed and accuracy of the diagnosis engine. Prints figures; asserts nothing.
 * Targets (foundation issue): p99 ≤ 2 ms per paste and index load ≤ 20 ms on the shipped knowledge base;
 * search query p99 ≤ 20 ms at 10,000 runbooks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { createDiagnoser } from '../lambda/core/diagnosis/create-diagnoser';
import { loadKnowledgeBundle, serialiseKnowledgeBundle } from '../lambda/core/knowledge/bundle';
import type { Runbook } from '../lambda/core/knowledge/runbook';
import { validateKnowledge } from '../lambda/core/knowledge/validate-knowledge';
import { readKnowledgeFiles } from '../lambda/build/knowledge-files';
import { heapUsed, mb, ms, percentile, time, verdict } from './stats';
import { evaluate, pct } from '../test/eval/evaluate';
import { loadPastes, type Paste } from '../test/eval/pastes';

const ROUNDS = 200;

function shippedRunbooks(): Runbook[] {
  const { runbooks, problems } = validateKnowledge(readKnowledgeFiles());
  if (problems.length > 0) throw new Error(`knowledge base is invalid; run npx shim-fix kb validate`);
  return runbooks;
}

/**
 * Synthetic runbooks shaped like a large real knowledge base: the shipped runbooks' structure, with words
 * drawn from a Zipf distribution over the shipped vocabulary followed by 30,000 rarer invented terms. So the
 * common domain words (`containerd`, `shim`) occur in nearly every runbook, as they would, and most words in few.
 */
function syntheticRunbooks(base: readonly Runbook[], count: number): Runbook[] {
  const real = [
    ...new Set(base.flatMap((r) => `${r.title} ${r.summary} ${r.sections.symptoms} ${r.sections.cause}`.toLowerCase().split(/[^a-z0-9]+/))),
  ].filter((word) => word.length >= 3);
  const vocabulary = [...real, ...Array.from({ length: 30_000 }, (_, i) => `term${i.toString(36)}`)];
  const harmonic = vocabulary.reduce((sum, _, rank) => sum + 1 / (rank + 1), 0);
  const cdf: number[] = [];
  vocabulary.reduce((acc, _, rank) => {
    cdf.push(acc + 1 / (rank + 1) / harmonic);
    return cdf[rank]!;
  }, 0);
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const draw = (): string => {
    const u = random();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
  const pick = (n: number): string => Array.from({ length: n }, draw).join(' ');
  return Array.from({ length: count }, (_, i) => {
    const template = base[i % base.length]!;
    const token = `synthetic${i}`;
    return {
      ...template,
      id: `${template.id}-${i}`,
      title: `${pick(6)} ${token}`,
      summary: pick(20),
      keywords: [token, ...pick(5).split(' ')],
      signatures: [{ pattern: `${token} ${pick(2)}`, weight: 0.9 }],
      excludes: [],
      sections: { ...template.sections, symptoms: pick(80), cause: pick(80) },
    };
  });
}

function measureShipped(runbooks: Runbook[], pastes: Paste[]): void {
  const json = serialiseKnowledgeBundle(runbooks);
  const loads = Array.from({ length: 30 }, () => time(() => loadKnowledgeBundle(JSON.parse(json))));
  const diagnoser = createDiagnoser(loadKnowledgeBundle(JSON.parse(json)));
  for (const paste of pastes) diagnoser.diagnose(paste.text); // warm-up: JIT and regex compilation
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const paste of pastes) samples.push(time(() => diagnoser.diagnose(paste.text, { mode: 'channel' })));
  }
  const big = 'Nov 10 12:00:00 node-1 containerd[812]: level=info msg="starting containerd" revision=abc version=v1.7.23\n'.repeat(400).slice(0, 40_000);
  const bigSamples = Array.from({ length: 50 }, () => time(() => diagnoser.diagnose(big)));
  const p99 = percentile(samples, 99);
  const loadMedian = percentile(loads, 50);
  console.log(`Shipped knowledge base: ${runbooks.length} runbooks, bundle ${(json.length / 1024).toFixed(1)} KB`);
  console.log(`  index load (parse + MiniSearch.loadJS), median of 30: ${ms(loadMedian)}  ${verdict(loadMedian, 20)}`);
  console.log(`  diagnosis per paste (${pastes.length} real pastes × ${ROUNDS}): p50 ${ms(percentile(samples, 50))}, p99 ${ms(p99)}  ${verdict(p99, 2)}`);
  console.log(`  40,000-character journal dump: p50 ${ms(percentile(bigSamples, 50))}, p99 ${ms(percentile(bigSamples, 99))}`);
}

function measureSynthetic(base: Runbook[], count: number, pastes: Paste[]): void {
  const runbooks = syntheticRunbooks(base, count);
  const before = heapUsed();
  let json = '';
  const build = time(() => {
    json = serialiseKnowledgeBundle(runbooks);
  });
  let bundle = loadKnowledgeBundle(JSON.parse(json));
  const load = time(() => {
    bundle = loadKnowledgeBundle(JSON.parse(json));
  });
  const diagnoser = createDiagnoser(bundle);
  const heap = heapUsed() - before;
  const queries = ['containerd upgrade shim version', 'cgroup driver systemd', 'schema 1 image pull', 'containerd 升级后 容器无法启动', 'socket connection refused'];
  for (const query of queries) diagnoser.search(query);
  const searchSamples: number[] = [];
  for (let round = 0; round < 40; round += 1) for (const query of queries) searchSamples.push(time(() => diagnoser.search(query)));
  const diagnoseSamples: number[] = [];
  for (const paste of pastes.slice(0, 20)) diagnoseSamples.push(time(() => diagnoser.diagnose(paste.text)));
  const searchP99 = percentile(searchSamples, 99);
  console.log(`Synthetic knowledge base: ${count} runbooks`);
  console.log(`  index build + serialise: ${ms(build)}; serialised size ${mb(json.length)}; load ${ms(load)}; heap used ${mb(heap)}`);
  console.log(`  search query p99: ${ms(searchP99)}  ${verdict(searchP99, 20)}`);
  console.log(`  full diagnosis (signatures + ranking) p50 ${ms(percentile(diagnoseSamples, 50))}, p99 ${ms(percentile(diagnoseSamples, 99))}`);
}

/** The naive baseline: MiniSearch with default options over the raw runbook text, the raw paste as the query. */
function measureAccuracy(runbooks: Runbook[], pastes: Paste[]): void {
  const naive = new MiniSearch<{ id: string; text: string }>({ fields: ['text'] });
  naive.addAll(runbooks.map((r) => ({ id: r.id, text: readFileSync(path.join(__dirname, '..', r.file), 'utf8') })));
  const ours = createDiagnoser(loadKnowledgeBundle(JSON.parse(serialiseKnowledgeBundle(runbooks))));
  const heldout = pastes.filter((p) => p.split === 'heldout');
  const positives = heldout.filter((p) => p.category !== 'none');
  const negatives = heldout.filter((p) => p.category === 'none');
  // What the direct answer names first: the best candidate, or both runbooks of an honest pair (as the accuracy test counts).
  const oursTop1 = evaluate(ours, positives).directTop1;
  const naiveTop1 = positives.filter((p) => naive.search(p.text)[0]?.id === p.category).length;
  const oursSilent = negatives.length - evaluate(ours, negatives).negativesAnswered;
  const naiveSilent = negatives.filter((p) => naive.search(p.text).length === 0).length;
  const pct = (n: number, d: number): string => `${((100 * n) / Math.max(1, d)).toFixed(1)}% (${n}/${d})`;
  console.log(`Accuracy on the held-out part: ${positives.length} labelled real pastes and ${negatives.length} negatives`);
  console.log(`  top-1 correct: shim-fix ${pct(oursTop1, positives.length)}   naive MiniSearch ${pct(naiveTop1, positives.length)}`);
  console.log(`  silent on negatives: shim-fix ${pct(oursSilent, negatives.length)}   naive MiniSearch ${pct(naiveSilent, negatives.length)} (it has no notion of confidence)`);
}

/**
 * Channel recall and precision against the threshold, on the held-out part only (the part no signature was
 * written against): the table the default threshold is chosen from (docs/diagnosis.md).
 */
function measureThresholds(runbooks: Runbook[], pastes: Paste[]): void {
  const heldout = pastes.filter((p) => p.split === 'heldout');
  const bundle = loadKnowledgeBundle(JSON.parse(serialiseKnowledgeBundle(runbooks)));
  const rows: { threshold: number; recall: number; precision: number; wrong: number; negatives: number }[] = [];
  for (let step = 6; step <= 19; step += 1) {
    const threshold = step / 20;
    const metrics = evaluate(createDiagnoser(bundle, { threshold }), heldout);
    const answers = metrics.channelCorrect + metrics.channelWrong + metrics.negativesAnswered;
    rows.push({
      threshold,
      recall: metrics.channelCorrect / Math.max(1, metrics.positives),
      precision: answers === 0 ? 1 : metrics.channelCorrect / answers,
      wrong: metrics.channelWrong,
      negatives: metrics.negativesAnswered,
    });
  }
  const positives = heldout.filter((p) => p.category !== 'none').length;
  console.log(`Channel answers against the threshold, held-out part (${positives} positives, ${heldout.length - positives} negatives)`);
  console.log('  threshold  recall    precision  wrong  on-negatives   recall ▮ / precision ·');
  for (const row of rows) {
    const bar = plotRow(row.recall, row.precision, 30);
    console.log(`  ${row.threshold.toFixed(2).padStart(9)}  ${pct(row.recall).padStart(7)}  ${pct(row.precision).padStart(9)}  ${String(row.wrong).padStart(5)}  ${String(row.negatives).padStart(12)}   |${bar}|`);
  }
}

/** One line of the terminal plot: a bar for recall, a dot where precision lies (0..100 %). */
function plotRow(recall: number, precision: number, width: number): string {
  const cells: string[] = Array.from({ length: width }, (_, i) => (i < Math.round(recall * width) ? '▮' : ' '));
  const dot = Math.min(width - 1, Math.round(precision * (width - 1)));
  cells[dot] = cells[dot] === '▮' ? '◆' : '·';
  return cells.join('');
}

function main(): void {
  const runbooks = shippedRunbooks();
  const pastes = loadPastes();
  console.log(`node ${process.version}, ${process.arch}\n`);
  measureShipped(runbooks, pastes);
  console.log('');
  for (const count of [1_000, 10_000]) {
    measureSynthetic(runbooks, count, pastes);
    console.log('');
  }
  measureAccuracy(runbooks, pastes);
  console.log('');
  measureThresholds(runbooks, pastes);
}

main();
