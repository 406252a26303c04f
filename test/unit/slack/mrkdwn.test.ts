import fc from 'fast-check';
import { codeBlock, escapeMrkdwn, inlineCode, markdownToMrkdwn, mrkdwnLink } from '../../../lambda/slack/blocks/mrkdwn';

/** What Slack would parse as a mention, a broadcast or a link: `<@U…>`, `<!channel>`, `<#C…>`, `<http…>`. */
const SLACK_CONTROL_SEQUENCE = /<[@!#]|<https?:|<mailto:/;

describe('escapeMrkdwn', () => {
  test('turns &, < and > into entities so a paste cannot mention anyone', () => {
    // Act
    const escaped = escapeMrkdwn('<!channel> <@U012ABC> a & b > c');

    // Assess
    expect(escaped).toBe('&lt;!channel&gt; &lt;@U012ABC&gt; a &amp; b &gt; c');
  });

  test('for any text, the escaped form contains no raw < or > and decodes back to the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        // Act
        const escaped = escapeMrkdwn(text);

        // Assess
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(text);
      }),
    );
  });
});

describe('codeBlock and inlineCode', () => {
  test('a fence inside the text cannot close the block early', () => {
    // Act
    const block = codeBlock('before ``` <!here> after');

    // Assess
    expect(block.startsWith('```')).toBe(true);
    expect(block.endsWith('```')).toBe(true);
    expect(block.split('```')).toHaveLength(3);
    expect(block).not.toMatch(SLACK_CONTROL_SEQUENCE);
  });

  test('inline code of hostile text stays one span without control sequences', () => {
    // Act
    const span = inlineCode('`<@U1>`');

    // Assess
    expect(span).toBe("`'&lt;@U1&gt;'`");
  });
});

describe('markdownToMrkdwn', () => {
  test('converts headings, bold, links and bullets, and drops the language of code fences', () => {
    // Prepare
    const markdown = ['## Fix', 'Run **this** first, see [the docs](https://example.com/a?b=1&c=2).', '- one', '```bash', 'a && b > /dev/null', '```'].join('\n');

    // Act
    const mrkdwn = markdownToMrkdwn(markdown);

    // Assess
    expect(mrkdwn).toBe(
      ['*Fix*', 'Run *this* first, see <https://example.com/a?b=1&amp;c=2|the docs>.', '• one', '```', 'a &amp;&amp; b &gt; /dev/null', '```'].join('\n'),
    );
  });

  test('leaves inline code alone', () => {
    // Act
    const mrkdwn = markdownToMrkdwn('check `**not bold**` and `<x>`');

    // Assess
    expect(mrkdwn).toBe('check `**not bold**` and `&lt;x&gt;`');
  });

  test('for any text, the only links in the output are the ones written as Markdown links', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        // Act
        const mrkdwn = markdownToMrkdwn(text);

        // Assess
        expect(mrkdwn).not.toMatch(/<[@!#]/);
      }),
    );
  });
});

describe('mrkdwnLink', () => {
  test('labels a URL by host and path and keeps a | in the URL from ending the link', () => {
    // Act
    const link = mrkdwnLink('https://github.com/containerd/containerd/issues/10984?q=a|b');

    // Assess
    expect(link).toBe('<https://github.com/containerd/containerd/issues/10984?q=a%7Cb|github.com/containerd/containerd/issues/10984>');
  });

  test('does not turn a non-http URL into a link', () => {
    // Act
    const link = mrkdwnLink('javascript:alert(1)', 'click');

    // Assess
    expect(link).toBe('click');
  });
});
