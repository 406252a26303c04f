import type { ViewOutput } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { REMEDIATION_IDS } from './ids';

interface ModalContext {
  channelId?: string;
  threadTs?: string;
}

/**
 * "Check an instance…" on a diagnosis card: asks for the instance id or fleet tag, then runs the check flow (plan card
 * first, nothing runs before Confirm). The channel and thread travel in `private_metadata` so the card lands there.
 */
export function buildCheckModal(context: ModalContext): ModalView {
  return {
    type: 'modal',
    callback_id: REMEDIATION_IDS.checkModal,
    private_metadata: JSON.stringify(context),
    title: { type: 'plain_text', text: 'Check an instance' },
    submit: { type: 'plain_text', text: 'Plan the check' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: REMEDIATION_IDS.checkModalBlock,
        label: { type: 'plain_text', text: 'Instance id or fleet tag' },
        hint: { type: 'plain_text', text: 'i-0123456789abcdef0, mi-0123456789abcdef0, or tag:team=payments. The check is read-only; you confirm it on the next card.' },
        element: { type: 'plain_text_input', action_id: REMEDIATION_IDS.checkModalInput, placeholder: { type: 'plain_text', text: 'i-0123456789abcdef0' }, max_length: 300 },
      },
    ],
  };
}

/**
 * Reads the submitted target and where to answer. Read defensively: the payload is Slack's, but a forged or
 * malformed one (no `state`, `null` values, metadata that is not our JSON) must not crash the listener.
 */
export function readCheckModal(view: ViewOutput): { targetText: string; channelId?: string; threadTs?: string } {
  const state = (view as { state?: { values?: unknown } | null }).state;
  const input = field(field(state?.values, REMEDIATION_IDS.checkModalBlock), REMEDIATION_IDS.checkModalInput);
  const value = field(input, 'value');
  let context: ModalContext = {};
  try {
    const parsed: unknown = JSON.parse(typeof view.private_metadata === 'string' && view.private_metadata !== '' ? view.private_metadata : '{}');
    const channelId = field(parsed, 'channelId');
    const threadTs = field(parsed, 'threadTs');
    context = {
      ...(typeof channelId === 'string' && channelId !== '' ? { channelId } : {}),
      ...(typeof threadTs === 'string' && threadTs !== '' ? { threadTs } : {}),
    };
  } catch {
    // A modal we did not build: no channel to post into, the card goes to the user's DM.
  }
  return { targetText: typeof value === 'string' ? value : '', ...context };
}

/** `record[key]` when `record` is a plain object, else undefined (never throws on null, arrays or numbers). */
function field(record: unknown, key: string): unknown {
  return record !== null && typeof record === 'object' && !Array.isArray(record) && Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}
