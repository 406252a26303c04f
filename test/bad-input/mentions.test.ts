import { escapeMrkdwn } from '../../lambda/slack/blocks/mrkdwn';
import { INJECTED_MENTIONS } from './support/hostile';
import { findEchoedMentions } from './support/mentions';

/** The checker the bad-input properties rely on must itself catch every injected mention, and only those. */
describe('findEchoedMentions', () => {
  test.each(INJECTED_MENTIONS.filter((mention) => /^<[!@#][^&]*>$/.test(mention)))('finds %s sent raw in a mrkdwn section', (mention) => {
    // Prepare
    const message = { text: 'answer', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `see ${mention}`, verbatim: true } }] };

    // Act
    const found = findEchoedMentions(message, ['U0PERSON01']);

    // Assess
    expect(found).toEqual([{ path: 'blocks[0].text.text', mention: expect.stringContaining(mention.slice(0, 3)) }]);
  });

  test('finds a raw mention in the top-level fallback text', () => {
    // Act
    const found = findEchoedMentions({ text: 'ping <!here>', blocks: [] }, []);

    // Assess
    expect(found).toHaveLength(1);
  });

  test.each(['@channel', '@here', '@everyone'])('finds a bare %s in mrkdwn Slack may auto-parse, not in verbatim or code', (mention) => {
    // Prepare
    const parsed = { type: 'context', elements: [{ type: 'mrkdwn', text: `hey ${mention}` }] };
    const verbatim = { type: 'section', text: { type: 'mrkdwn', text: `hey ${mention}`, verbatim: true } };
    const inCode = { type: 'section', text: { type: 'mrkdwn', text: `\`${mention}\` and \`\`\`${mention}\`\`\`` } };

    // Act
    const found = findEchoedMentions({ text: 'x', blocks: [parsed, verbatim, inCode] }, []);

    // Assess
    expect(found).toEqual([{ path: 'blocks[0].elements[0].text', mention }]);
  });

  test('accepts escaped mentions, plain_text, button values, metadata and the operators the app names', () => {
    // Prepare
    const message = {
      text: escapeMrkdwn('<!channel> <@U0EVIL0001>'),
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `Only <@U0PERSON01> can restart. ${escapeMrkdwn('<!here>')} <!date^1700000000^{time}|soon>` } },
        { type: 'header', text: { type: 'plain_text', text: '<!channel>' } },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, value: '<!everyone>' }] },
      ],
      view: { type: 'modal', private_metadata: '<!channel>' },
    };

    // Act
    const found = findEchoedMentions(message, ['U0PERSON01']);

    // Assess
    expect(found).toEqual([]);
  });
});
