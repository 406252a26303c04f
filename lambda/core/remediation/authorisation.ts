import type { Plan, RemediationAction } from './types';

export type AuthorisationVerdict = { allowed: true } | { allowed: false; reason: 'no-operators' | 'not-operator' | 'not-requester'; message: string };

const VERB: Record<RemediationAction, string> = { check: 'check', restart: 'restart' };

/**
 * Only users listed in SHIM_FIX_OPERATORS may check or restart; an empty list means nobody (deny by default).
 * A refusal names who can act, so the person knows whom to ask.
 *
 * @example
 * authorise('U999', ['U111'], 'restart'); // { allowed: false, reason: 'not-operator', message: 'Only <@U111> can ...' }
 */
export function authorise(userId: string, operators: readonly string[], action: RemediationAction): AuthorisationVerdict {
  if (operators.length === 0) {
    return {
      allowed: false,
      reason: 'no-operators',
      message: `Nobody may ${VERB[action]} instances from Slack yet: the shim-fix admin has to list operators in \`SHIM_FIX_OPERATORS\`.`,
    };
  }
  if (!operators.includes(userId)) {
    return {
      allowed: false,
      reason: 'not-operator',
      message: `Only ${listUsers(operators)} can ${VERB[action]} instances with shim-fix. Ask one of them, or ask the shim-fix admin to add you to \`SHIM_FIX_OPERATORS\`.`,
    };
  }
  return { allowed: true };
}

/**
 * The Confirm button re-checks who clicked: the person who asked for the plan, and still an operator.
 * Ephemeral cards are only shown to the requester, but a forged or replayed payload must not run anything either.
 */
export function authoriseConfirm(userId: string, plan: Pick<Plan, 'requestedBy' | 'action' | 'target'>, operators: readonly string[]): AuthorisationVerdict {
  if (userId !== plan.requestedBy) {
    return {
      allowed: false,
      reason: 'not-requester',
      message: `This plan belongs to <@${plan.requestedBy}>; only they can confirm it. Run \`/shim-fix ${plan.action} ...\` to make your own.`,
    };
  }
  return authorise(userId, operators, plan.action);
}

function listUsers(ids: readonly string[]): string {
  const shown = ids.slice(0, 10).map((id) => `<@${id}>`);
  if (ids.length > 10) shown.push(`${ids.length - 10} more`);
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}
