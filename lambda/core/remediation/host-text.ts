/**
 * Text a host reports about itself (SSM's ComputerName, PlatformName, PlatformVersion; strings in a script's result
 * line) is under the host's control: root on the host, or anything holding its instance role, can set it. Before it is
 * shown on a card it becomes one short, inert line: control and format characters removed, whitespace collapsed (a
 * line break could start a fake `*Runs:*` line), bold, strike and code marks dropped (they could close a code span or
 * fake a heading), and capped. Slack's own control characters (`& < >`) are escaped by the renderer, not here.
 *
 * @example
 * hostText('ip-10-0-1-5*\n*Runs:* nothing'); // 'ip-10-0-1-5 Runs: nothing'
 */
export function hostText(value: string, max = HOST_TEXT_MAX): string {
  const inert = value
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, ' ')
    .replace(/[`*~]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...inert];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : inert;
}

/** Enough for any real hostname label and OS name; long enough to recognise, short enough not to dominate a card. */
export const HOST_TEXT_MAX = 64;
