import fc from 'fast-check';
import { readableMessageText } from '../../../lambda/slack/message-text';

describe('readableMessageText', () => {
  test('text wins when it has words', () => {
    // Act
    const text = readableMessageText({ text: 'failed to start shim', attachments: [{ text: 'other' }] });

    // Assess
    expect(text).toBe('failed to start shim');
  });

  test('an attachment gives its pretext, title, text and fields, in that order; the fallback only when nothing else', () => {
    // Act
    const text = readableMessageText({
      text: '',
      attachments: [
        { pretext: '[FIRING:1] KubePodNotReady', title: 'Pod web not ready', text: 'unsupported shim version (3)', fallback: 'ignored', fields: [{ title: 'node', value: 'node-7' }] },
        { fallback: 'only a fallback here' },
      ],
    });

    // Assess
    expect(text).toBe('[FIRING:1] KubePodNotReady\nPod web not ready\nunsupported shim version (3)\nnode: node-7\nonly a fallback here');
  });

  test('section text and fields and rich_text (sections, preformatted, lists, links) are read before attachments', () => {
    // Act
    const text = readableMessageText({
      text: ' ',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'Deploy failed' }, fields: [{ type: 'mrkdwn', text: '*host* node-7' }] },
        {
          type: 'rich_text',
          elements: [
            { type: 'rich_text_section', elements: [{ type: 'text', text: 'see ' }, { type: 'link', url: 'https://example.com/x' }] },
            { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'failed to start shim: start failed' }] },
            { type: 'rich_text_list', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'item' }] }] },
          ],
        },
        { type: 'divider' },
      ],
      attachments: [{ text: 'not read' }],
    });

    // Assess
    expect(text).toBe('Deploy failed\n*host* node-7\nsee https://example.com/x\nfailed to start shim: start failed\nitem');
  });

  test('never throws, whatever the shapes of text, blocks and attachments', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (text, blocks, attachments) => {
        // Act
        const read = readableMessageText({ text, blocks, attachments });

        // Assess
        expect(typeof read).toBe('string');
      }),
    );
  });
});
