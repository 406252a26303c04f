import fc from 'fast-check';
import { countHan, tokenise } from '../../../lambda/core/text/tokenise';

describe('tokenise', () => {
  it('segments Chinese into words and keeps English terms', () => {
    // Act
    const tokens = tokenise('containerd 升级后 容器无法启动');

    // Assess: dictionary words first, then the bigrams the dictionary did not already give
    expect(tokens.slice(0, 1)).toEqual(['升级']);
    expect(tokens).toEqual(expect.arrayContaining(['升级', '容器', '无法', '启动', 'containerd', '级后', '器无', '法启']));
  });

  it('splits Chinese prose glued to an English log line', () => {
    // Prepare
    const text = '升级后报错：unsupported shim version (3)';

    // Act
    const tokens = tokenise(text);

    // Assess
    expect(tokens).toEqual(expect.arrayContaining(['升级', '报错', 'unsupported', 'shim', 'version', '3']));
  });

  it('keeps versions and identifiers whole, splits on other punctuation', () => {
    expect(tokenise('containerd-shim-runc-v2 v1.7.23 io.containerd.runc.v1')).toEqual([
      'containerd', 'shim', 'runc', 'v2', 'v1.7.23', 'io.containerd.runc.v1',
    ]);
  });

  it('drops stop words in both languages', () => {
    expect(tokenise('what is the error 的 了')).toEqual([]);
  });

  it('returns only lower-case, non-empty tokens for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => {
        for (const token of tokenise(text)) {
          expect(token).not.toBe('');
          expect(token).toBe(token.toLowerCase());
          expect(token).not.toMatch(/\s/);
        }
      }),
    );
  });

  it('counts Han characters, stopping at a limit', () => {
    expect(countHan('容器 abc 1 启动')).toBe(4);
    expect(countHan('容器 abc 1 启动', 3)).toBe(3);
    expect(countHan('no chinese here')).toBe(0);
  });
});
