import fc from 'fast-check';
import { editDistance, routeSlashCommand } from '../../../lambda/slack/slash-command-routes';

describe('routeSlashCommand', () => {
  test.each([
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP me', { kind: 'help' }],
    ['search unsupported shim version', { kind: 'search', query: 'unsupported shim version' }],
    ['search', { kind: 'search', query: '' }],
    ['check i-0123456789abcdef0', { kind: 'remediation', text: 'check i-0123456789abcdef0' }],
    ['restart tag:env=prod', { kind: 'remediation', text: 'restart tag:env=prod' }],
    ['i-0123abcd', { kind: 'remediation', text: 'i-0123abcd' }],
    ['mi-0123456789abcdef0', { kind: 'remediation', text: 'mi-0123456789abcdef0' }],
    ['tag:team=data', { kind: 'remediation', text: 'tag:team=data' }],
  ])('routes "%s"', (text, expected) => {
    // Act
    const route = routeSlashCommand(text, true);

    // Assess
    expect(route).toEqual(expected);
  });

  test.each([
    ['serch shim', '/shim-fix search shim'],
    ['hlep', '/shim-fix help'],
    ['restrat i-0123abcd', '/shim-fix restart i-0123abcd'],
    ['unsupported shim version (3)', '/shim-fix search unsupported shim version (3)'],
  ])('suggests the closest subcommand for "%s"', (text, suggestion) => {
    // Act
    const route = routeSlashCommand(text, true);

    // Assess
    expect(route).toEqual({ kind: 'unknown', word: text.split(' ')[0], suggestion });
  });

  test('does not suggest remediation subcommands where remediation is not configured', () => {
    // Act
    const route = routeSlashCommand('chek i-0123abcd', false);

    // Assess
    expect(route).toEqual({ kind: 'unknown', word: 'chek', suggestion: '/shim-fix search chek i-0123abcd' });
  });

  test('routes any text somewhere, with a suggestion short enough for one line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.boolean(), (text, remediation) => {
        // Act
        const route = routeSlashCommand(text, remediation);

        // Assess
        expect(['help', 'search', 'remediation', 'unknown']).toContain(route.kind);
        if (route.kind === 'unknown') expect(route.suggestion.length).toBeLessThanOrEqual(120);
      }),
    );
  });
});

describe('editDistance', () => {
  test.each([
    ['search', 'serch', 1],
    ['help', 'help', 0],
    ['', 'abc', 3],
  ])('%s → %s is %d', (a, b, distance) => {
    // Act
    const result = editDistance(a, b);

    // Assess
    expect(result).toBe(distance);
  });
});

test('a swap of two neighbouring letters counts as one edit', () => {
  // Act
  const distance = editDistance('hlep', 'help');

  // Assess
  expect(distance).toBe(1);
});
