/** The value of the first button with `actionId` anywhere in `blocks` (a message, a card, a list of blocks). */
export function buttonValue(blocks: unknown, actionId: string): string {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.action_id === actionId && typeof record.value === 'string') found.push(record.value);
      Object.values(record).forEach(visit);
    }
  };
  visit(blocks);
  if (!found[0]) throw new Error(`no ${actionId} button in ${JSON.stringify(blocks)}`);
  return found[0];
}
