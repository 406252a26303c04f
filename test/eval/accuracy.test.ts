import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { shippedDiagnoser } from '../helpers/knowledge';

/** Real pastes from public issues (each with its source), labelled with the runbook that fixes them or `none`. */
const pasteSchema = z.object({ id: z.string(), category: z.string(), text: z.string(), source: z.string().min(1), note: z.string().optional() });
type Paste = z.infer<typeof pasteSchema>;

const FIXTURES = ['real-pastes.jsonl', 'pastes-extra.jsonl', 'pastes-found.jsonl'].map((name) => path.join(__dirname, '../fixtures', name));

function loadPastes(): Paste[] {
  return FIXTURES.filter((file) => existsSync(file)).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => {
        const parsed = pasteSchema.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error(`${path.basename(file)} line ${index + 1}: ${parsed.error.issues[0]?.message}`);
        return parsed.data;
      }),
  );
}

/** Floors from the foundation issue: top-1 on ≥ 90% of positives; silence on every negative in a channel. */
const TOP1_FLOOR = 0.9;
/** A wrong answer in a channel is worse than silence: allow almost none. */
const WRONG_CHANNEL_ANSWER_CEILING = 0.05;

describe('accuracy on real pastes', () => {
  const diagnoser = shippedDiagnoser();
  const pastes = loadPastes();
  const runbookIds = new Set(diagnoser.runbooks().map((r) => r.id));
  const positives = pastes.filter((p) => p.category !== 'none');
  const negatives = pastes.filter((p) => p.category === 'none');

  const results = pastes.map((paste) => {
    const direct = diagnoser.diagnose(paste.text, { mode: 'direct' });
    const channel = diagnoser.diagnose(paste.text, { mode: 'channel' });
    return { paste, top1: direct.candidates[0]?.runbook.id ?? null, channel: channel.runbook?.id ?? null, confidence: channel.confidence };
  });

  afterAll(() => {
    const rows = new Map<string, { n: number; top1: number; answered: number; wrong: number }>();
    for (const { paste, top1, channel } of results) {
      const row = rows.get(paste.category) ?? { n: 0, top1: 0, answered: 0, wrong: 0 };
      row.n += 1;
      if (paste.category === 'none') {
        if (channel !== null) row.wrong += 1;
      } else {
        if (top1 === paste.category) row.top1 += 1;
        if (channel === paste.category) row.answered += 1;
        else if (channel !== null) row.wrong += 1;
      }
      rows.set(paste.category, row);
    }
    const lines = ['', 'category                          pastes  top-1  answered-in-channel  wrong-in-channel'];
    for (const [category, row] of [...rows].sort()) {
      lines.push(`${category.padEnd(34)}${String(row.n).padStart(6)}${String(row.top1).padStart(7)}${String(row.answered).padStart(21)}${String(row.wrong).padStart(18)}`);
    }
    const misses = results.filter(({ paste, top1, channel }) => (paste.category === 'none' ? channel !== null : top1 !== paste.category));
    for (const { paste, top1, channel, confidence } of misses) {
      lines.push(`  miss ${paste.id}: expected ${paste.category}, top-1 ${top1}, channel ${channel} (${confidence})`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  it('uses only labels that are runbook ids or none', () => {
    expect(pastes.map((p) => p.category).filter((c) => c !== 'none' && !runbookIds.has(c))).toEqual([]);
    expect(positives.length).toBeGreaterThanOrEqual(20);
    expect(negatives.length).toBeGreaterThanOrEqual(5);
    const ids = pastes.map((p) => p.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it(`ranks the right runbook first on at least ${TOP1_FLOOR * 100}% of positives`, () => {
    const correct = results.filter(({ paste, top1 }) => paste.category !== 'none' && top1 === paste.category).length;
    expect(correct / positives.length).toBeGreaterThanOrEqual(TOP1_FLOOR);
  });

  it('stays silent in a channel on every negative', () => {
    const spoken = results.filter(({ paste, channel }) => paste.category === 'none' && channel !== null);
    expect(spoken.map(({ paste, channel }) => `${paste.id} → ${channel}`)).toEqual([]);
  });

  it(`answers a channel with the wrong runbook on at most ${WRONG_CHANNEL_ANSWER_CEILING * 100}% of positives`, () => {
    const wrong = results.filter(({ paste, channel }) => paste.category !== 'none' && channel !== null && channel !== paste.category);
    expect(wrong.length / positives.length).toBeLessThanOrEqual(WRONG_CHANNEL_ANSWER_CEILING);
  });
});
