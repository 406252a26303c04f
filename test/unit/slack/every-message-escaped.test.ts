import { buildAnswerCard, buildFullRunbookMessages } from '../../../lambda/slack/blocks/answer-card';
import { buildHelp } from '../../../lambda/slack/blocks/help';
import { buildNoMatchCard } from '../../../lambda/slack/blocks/no-match-card';
import { buildSearchResults } from '../../../lambda/slack/blocks/search-results';
import { MENTION_HINT } from '../../../lambda/slack/listeners/app-mention';
import { SHORTCUT_COPY } from '../../../lambda/slack/listeners/diagnose-shortcut';
import { FEEDBACK_COPY } from '../../../lambda/slack/listeners/feedback';
import { RUNBOOK_ACTION_COPY } from '../../../lambda/slack/listeners/runbook-actions';
import { SLASH_COPY } from '../../../lambda/slack/listeners/slash-command';
import { shippedDiagnoser, shippedRunbooks } from '../../helpers/knowledge';
import { HOSTILE_MRKDWN, mrkdwnStrings, strayControlCharacters } from '../../helpers/slack-mrkdwn-check';

/**
 * Issue 10 point 3: every message the app can send, rendered with hostile input, holds no raw `<`, `>` or `&`
 * except the control sequences we mean: links to http(s) URLs, user mentions, and the three entities.
 */
const HOSTILE = HOSTILE_MRKDWN;

function everyMessage(): { name: string; message: unknown }[] {
  const diagnoser = shippedDiagnoser();
  const runbooks = shippedRunbooks();
  const messages: { name: string; message: unknown }[] = [];
  for (const runbook of runbooks) {
    const diagnosis = diagnoser.diagnose(`${HOSTILE}\n${runbook.sections.symptoms}`, { mode: 'direct' });
    messages.push({ name: `answer card ${runbook.id}`, message: buildAnswerCard({ runbook, diagnosis, remediationEnabled: true, sharedBy: 'U0PERSON01' }) });
    buildFullRunbookMessages(runbook).forEach((message, index) => messages.push({ name: `full runbook ${runbook.id} #${index}`, message }));
  }
  messages.push({ name: 'no-match card', message: buildNoMatchCard(diagnoser.diagnose(`${HOSTILE} my pods are stuck`, { mode: 'direct' })) });
  messages.push({ name: 'ambiguous card', message: buildNoMatchCard(diagnoser.diagnose(`${HOSTILE}\nunknown service runtime.v1alpha2.RuntimeService`, { mode: 'direct' })) });
  messages.push({ name: 'Chinese no-match card', message: buildNoMatchCard(diagnoser.diagnose(`${HOSTILE} 升级以后容器都起不来了`, { mode: 'direct' })) });
  messages.push({ name: 'help', message: buildHelp({ remediationEnabled: true }) });
  messages.push({ name: 'help without remediation', message: buildHelp({ remediationEnabled: false }) });
  messages.push({ name: 'unknown subcommand', message: buildHelp({ unknown: HOSTILE, suggestion: '/shim-fix search <x>', remediationEnabled: true }) });
  messages.push({ name: 'search hits', message: buildSearchResults(HOSTILE, diagnoser.search('unsupported shim version', { limit: 5 })) });
  messages.push({ name: 'search without hits', message: buildSearchResults(HOSTILE, []) });
  const copies = { MENTION_HINT, ...SHORTCUT_COPY, ...FEEDBACK_COPY, ...RUNBOOK_ACTION_COPY, ...SLASH_COPY };
  for (const [name, text] of Object.entries(copies)) messages.push({ name, message: { text } });
  return messages;
}

describe('every message the app can send is escaped mrkdwn', () => {
  test.each(everyMessage())('$name', ({ message }) => {
    // Act
    const stray = mrkdwnStrings(message).flatMap(strayControlCharacters);

    // Assess
    expect(stray).toEqual([]);
  });

  test('the check itself catches a raw placeholder, broadcast or bare ampersand', () => {
    // Act
    const stray = strayControlCharacters('Run `/shim-fix search <words>` <!here> a & b, <https://ok.example|fine>, &lt;ok&gt;');

    // Assess
    expect(stray.map((hit) => hit[0])).toEqual(['<', '>', '<', '>', '&']);
  });
});
