import fc from 'fast-check';
import { ErrorCode } from '../../../lambda/core/errors';
import { TargetInvalidError } from '../../../lambda/core/remediation/errors';
import { formatTarget, parseTarget, TAG_KEY_MAX, TAG_VALUE_MAX } from '../../../lambda/core/remediation/targets';

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const tagKeyChar = fc.constantFrom(...'abcXYZ019_.:/-@'.split(''), 'é', '日');
const tagValueChar = fc.constantFrom(...'abcXYZ019_.:/=+-@'.split(''), 'ü', '本');

function invalid(text: string): TargetInvalidError {
  try {
    parseTarget(text);
  } catch (error) {
    if (error instanceof TargetInvalidError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('parseTarget', () => {
  it('accepts every EC2 instance id of 8 or 17 hex digits and every mi- id of 17', () => {
    // Prepare
    const ids = fc.oneof(
      hex(8).map((h) => `i-${h}`),
      hex(17).map((h) => `i-${h}`),
      hex(17).map((h) => `mi-${h}`),
    );

    // Act + Assess
    fc.assert(fc.property(ids, (id) => {
      expect(parseTarget(id)).toEqual({ kind: 'instance', instanceId: id });
      expect(parseTarget(`  \`${id.toUpperCase().replace(/^(M?I)-/, (p) => p.toLowerCase())}\`  `)).toEqual({ kind: 'instance', instanceId: id });
    }));
  });

  it('rejects instance ids of any other length or with non-hex digits, with an example of the right form', () => {
    // Prepare
    const wrongLength = fc.integer({ min: 1, max: 30 }).filter((n) => n !== 8 && n !== 17).chain((n) => hex(n).map((h) => `i-${h}`));
    const wrongManaged = fc.integer({ min: 1, max: 30 }).filter((n) => n !== 17).chain((n) => hex(n).map((h) => `mi-${h}`));
    const notHex = hex(17).map((h) => `i-${h.slice(0, 16)}g`);

    // Act + Assess
    fc.assert(fc.property(fc.oneof(wrongLength, wrongManaged, notHex), (text) => {
      const error = invalid(text);
      expect(error.code).toBe(ErrorCode.TargetInvalid);
      expect(error.message).toContain('i-0123456789abcdef0');
      expect(error.message).toContain('tag:team=payments');
    }));
  });

  it('round-trips every valid fleet tag through formatTarget', () => {
    // Prepare
    const key = fc.string({ unit: tagKeyChar, minLength: 1, maxLength: TAG_KEY_MAX }).filter((k) => !/^aws:/i.test(k));
    const value = fc.string({ unit: tagValueChar, minLength: 1, maxLength: TAG_VALUE_MAX });

    // Act + Assess
    fc.assert(fc.property(key, value, (k, v) => {
      const target = parseTarget(`tag:${k}=${v}`);
      expect(target).toEqual({ kind: 'fleet', tag: { key: k, value: v } });
      expect(parseTarget(formatTarget(target))).toEqual(target);
    }));
  });

  it.each([
    ['tag:', 'needs a tag key and value'],
    ['tag:team', 'needs a tag key and value'],
    ['tag:=payments', 'needs a tag key and value'],
    ['tag:team=', 'needs a tag key and value'],
    [`tag:${'k'.repeat(TAG_KEY_MAX + 1)}=v`, 'tag key has 1 to 128'],
    [`tag:team=${'v'.repeat(TAG_VALUE_MAX + 1)}`, 'tag value has 1 to 256'],
    ['tag:te+am=payments', 'tag key has'],
    ['tag:team=pay;ments', 'tag value has'],
    ['tag:aws:cloudformation:stack-name=prod', 'reserved by AWS'],
  ])('rejects the fleet %s and says why', (text, why) => {
    // Act
    const error = invalid(text);

    // Assess
    expect(error.message).toContain(why);
    expect(error.message).toContain('tag:team=payments');
  });

  it('rejects anything that is neither, including empty text and other AWS resource ids', () => {
    // Prepare
    const samples = ['', '   ', 'restart', 'i-', 'vol-0123456789abcdef0', 'arn:aws:ec2:us-east-1:1:instance/i-0123456789abcdef0', 'i-0123456789abcdef0; reboot'];

    // Act + Assess
    for (const text of samples) {
      expect(invalid(text).code).toBe(ErrorCode.TargetInvalid);
    }
  });

  it('never throws anything but TargetInvalidError on arbitrary text', () => {
    // Act + Assess
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
      try {
        const target = parseTarget(text);
        expect(['instance', 'fleet']).toContain(target.kind);
      } catch (error) {
        expect(error).toBeInstanceOf(TargetInvalidError);
      }
    }));
  });
});

describe('parseTarget echo', () => {
  it('never echoes Slack control characters or back-ticks from what the user typed', () => {
    // Act
    const error = invalid('<!channel> `rm -rf` &amp;');

    // Assess
    expect(error.message).not.toMatch(/<!channel>|&amp;/);
    expect(error.message).toContain('!channel');
  });

  it('keeps the echo on one line, so a mention on a later line cannot escape the code span', () => {
    // Act
    const error = invalid('kubeadm init\n@everyone look\n[preflight]');

    // Assess
    expect(error.message).toMatch(/^`kubeadm init @everyone look \[preflight\]` is not an instance id/);
  });
});
