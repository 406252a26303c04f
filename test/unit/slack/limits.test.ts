import type { KnownBlock } from '@slack/types';
import fc from 'fast-check';
import { fitMessage, messageChars, SLACK_LIMITS, splitMrkdwn, truncateMrkdwn, truncatePlain } from '../../../lambda/slack/blocks/limits';

const fences = (text: string): number => text.split('```').length - 1;

const mrkdwnish = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('```', '```\n', '&amp;', '&lt;', '<https://example.com/a|label>', '\n', '😀', '中文'),
      fc.string({ maxLength: 3000 }).map((text) => text.replace(/[<>&]/g, '')),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('truncateMrkdwn', () => {
  test('keeps text that fits unchanged', () => {
    // Act
    const text = truncateMrkdwn('short', 10);

    // Assess
    expect(text).toBe('short');
  });

  test('does not leave an entity cut when stepping back out of a link lands right after it', () => {
    // Act: the cut falls inside the link, and stepping back to its `<` leaves a bare `&`
    const cut = truncateMrkdwn('&<https://example.com/a|label>', 20);

    // Assess
    expect(cut).not.toMatch(/&[a-z]{0,3}…$/);
    expect(cut.length).toBeLessThanOrEqual(20);
  });

  test('never exceeds the limit, never splits an entity, a link or an emoji, and never leaves a code fence open', () => {
    fc.assert(
      fc.property(mrkdwnish, fc.integer({ min: 20, max: 3000 }), (text, max) => {
        // Act
        const cut = truncateMrkdwn(text, max);

        // Assess
        expect(cut.length).toBeLessThanOrEqual(max);
        if (text.length > max) {
          expect(fences(cut) % 2).toBe(0);
          expect(cut).not.toMatch(/&[a-z]{0,3}…$/);
          expect(cut).not.toMatch(/<https:[^>]*…$/);
          expect(cut).not.toMatch(/[\ud800-\udbff]…$/);
        }
      }),
    );
  });
});

describe('truncatePlain', () => {
  test('cuts to the limit with an ellipsis', () => {
    // Act
    const header = truncatePlain('x'.repeat(400), SLACK_LIMITS.headerText);

    // Assess
    expect(header).toHaveLength(SLACK_LIMITS.headerText);
    expect(header.endsWith('…')).toBe(true);
  });
});

describe('splitMrkdwn', () => {
  test('splits long text into pieces that each fit and each balance their code fences, losing no line', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 500 }), fc.constant('```')), { maxLength: 60 }), (lines) => {
        // Prepare
        const text = lines.map((line) => line.replace(/`/g, '') || (line === '```' ? '```' : '')).join('\n');

        // Act
        const pieces = splitMrkdwn(text, 1000);

        // Assess
        for (const piece of pieces) {
          expect(piece.length).toBeLessThanOrEqual(1000);
          expect(fences(piece) % 2).toBe(0);
        }
        const joined = pieces.join('\n');
        for (const line of text.split('\n').filter((line) => line.trim() !== '' && line !== '```')) {
          expect(joined).toContain(line.slice(0, 100));
        }
      }),
    );
  });
});

describe('fitMessage', () => {
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const actions: KnownBlock = {
    type: 'actions',
    elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'b'.repeat(200) }, value: 'v' }],
  };

  test('keeps at most 50 blocks, says what was left out, and keeps the trailing buttons', () => {
    // Prepare
    const blocks = [...Array.from({ length: 80 }, (_, index) => section(`part ${index}`)), actions];

    // Act
    const message = fitMessage({ text: 'fallback', blocks });

    // Assess
    expect(message.blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    expect(message.blocks.at(-1)?.type).toBe('actions');
    expect(JSON.stringify(message.blocks.at(-2))).toContain('Shortened: 32 more parts not shown.');
  });

  test('clamps section text to 3,000 characters and button text to 75', () => {
    // Act
    const message = fitMessage({ text: 'fallback', blocks: [section('y'.repeat(9000)), actions] });

    // Assess
    const [first, last] = message.blocks as unknown as [{ text: { text: string } }, { elements: { text: { text: string } }[] }];
    expect(first.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(last.elements[0]?.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
  });

  test('for any blocks, the result respects the block count, the per-section limit and 40,000 characters in all', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6000 }), { maxLength: 70 }), fc.string({ maxLength: 50_000 }), (texts, fallback) => {
        // Act
        const message = fitMessage({ text: fallback, blocks: texts.map(section) });

        // Assess
        expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
        expect(messageChars(message)).toBeLessThanOrEqual(SLACK_LIMITS.messageChars);
        for (const block of message.blocks as { type: string; text?: { text: string } }[]) {
          if (block.type === 'section') expect(block.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        }
      }),
      { numRuns: 50 },
    );
  });

  test('escapes the fallback text, which Slack also parses for mentions', () => {
    // Act
    const message = fitMessage({ text: '<!here> look', blocks: [] });

    // Assess
    expect(message.text).toBe('&lt;!here&gt; look');
  });
});
