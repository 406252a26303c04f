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

/**
 * What Slack would reject (`invalid_blocks`, `msg_too_long`) in a message, checked against Slack's documented limits
 * (lambda/slack/blocks/limits.ts): blocks per message, section text and fields, context elements, button text and
 * value, action ids unique within the message. Empty when Slack would accept it.
 */
export function blockKitProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Record<string, unknown>[]) : [];
  if (blocks.length > 50) problems.push(`${blocks.length} blocks (max 50)`);
  const actionIds = new Set<string>();
  const textOf = (value: unknown): string => (value !== null && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string' ? (value as { text: string }).text : '');
  const checkButton = (element: Record<string, unknown>, at: string): void => {
    if (element.type !== 'button') return;
    if (textOf(element.text).length > 75) problems.push(`${at}: button text over 75`);
    if (typeof element.value === 'string' && element.value.length > 2000) problems.push(`${at}: button value over 2000`);
    if (typeof element.action_id === 'string') {
      if (actionIds.has(element.action_id)) problems.push(`${at}: action_id ${element.action_id} twice`);
      actionIds.add(element.action_id);
    }
  };
  blocks.forEach((block, index) => {
    const at = `block ${index} (${String(block.type)})`;
    if (block.type === 'section') {
      const text = textOf(block.text);
      if (block.text !== undefined && (text.length === 0 || text.length > 3000)) problems.push(`${at}: text length ${text.length} (1..3000)`);
      const fields = Array.isArray(block.fields) ? block.fields : [];
      if (fields.length > 10) problems.push(`${at}: ${fields.length} fields (max 10)`);
      fields.forEach((field) => textOf(field).length > 2000 && problems.push(`${at}: field over 2000`));
      if (block.text === undefined && fields.length === 0) problems.push(`${at}: neither text nor fields`);
      if (block.accessory !== null && typeof block.accessory === 'object') checkButton(block.accessory as Record<string, unknown>, at);
    } else if (block.type === 'context') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > 10) problems.push(`${at}: ${elements.length} elements (1..10)`);
    } else if (block.type === 'actions') {
      const elements = Array.isArray(block.elements) ? (block.elements as Record<string, unknown>[]) : [];
      if (elements.length === 0 || elements.length > 25) problems.push(`${at}: ${elements.length} elements (1..25)`);
      elements.forEach((element) => checkButton(element, at));
    } else if (block.type === 'header') {
      if (textOf(block.text).length > 150) problems.push(`${at}: header over 150`);
    }
  });
  const chars = JSON.stringify(message).length;
  if (chars > 60_000) problems.push(`${chars} characters of JSON`);
  return problems;
}
