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

export function readCheckModal(view: ViewOutput): { targetText: string; channelId?: string; threadTs?: string } {
  const value = view.state.values[REMEDIATION_IDS.checkModalBlock]?.[REMEDIATION_IDS.checkModalInput]?.value ?? '';
  let context: ModalContext = {};
  try {
    const parsed = JSON.parse(view.private_metadata || '{}') as ModalContext;
    context = {
      ...(typeof parsed.channelId === 'string' ? { channelId: parsed.channelId } : {}),
      ...(typeof parsed.threadTs === 'string' ? { threadTs: parsed.threadTs } : {}),
    };
  } catch {
    // A modal we did not build: no channel to post into, the card goes to the user's DM.
  }
  return { targetText: value, ...context };
}
