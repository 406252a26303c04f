import fc from 'fast-check';
import { functionUrlEvent, slashCommandBody } from '../helpers/slack-request';
import { badInputCase } from '../reliability/bad-input-cases';
import { anyHostileText, hostileFragment, wrongType } from './support/hostile';
import { FORM, OPERATOR, startSlackHarness, TAGGED_INSTANCE, type SlackHarness } from './support/slack-harness';

/** `/shim-fix …` through the real Lambda handler, signed, with remediation configured (one operator, stubbed SSM). */
let harness: SlackHarness;

beforeAll(async () => {
  harness = await startSlackHarness();
});
afterAll(() => harness.stop());
beforeEach(() => harness.reset());

const verb = fc.constantFrom('', 'help', 'search', 'find', 'check', 'restart', 'CHECK', 'serch', 'restrat', '?', '--help');
const target = fc.oneof(
  fc.constantFrom(TAGGED_INSTANCE, 'i-0123456789abcdef0', 'mi-0123456789abcdef0', 'i-123', 'tag:team=payments', 'tag:', 'tag:=', 'tag:aws:x=y', `\`${TAGGED_INSTANCE}\``),
  hostileFragment.map((fragment) => `tag:team=${fragment}`),
  hostileFragment.map((fragment) => `i-${fragment}`),
);
const slashText = fc.oneof(
  anyHostileText,
  fc.tuple(verb, fc.oneof(target, anyHostileText)).map(([word, rest]) => `${word} ${rest}`),
  fc.tuple(verb, hostileFragment, target).map(([word, fragment, rest]) => `${word} ${fragment} ${rest}`),
);

describe('/shim-fix with bad input', () => {
  test('hostile /shim-fix text gets an answer that echoes no mention and runs nothing', async () => {
    const hostile = badInputCase('input-slash-hostile-text');
    await fc.assert(
      fc.asyncProperty(slashText, fc.constantFrom(OPERATOR, 'U0PERSON02'), async (text, user) => {
        // Prepare
        harness.reset();
        const body = slashCommandBody(text, harness.slack.responseUrl(), { user_id: user });

        // Act
        const response = await harness.send(functionUrlEvent(body, { contentType: FORM }));

        // Assess
        expect(response.statusCode).toBe(200);
        expect(harness.unhandled).toEqual([]);
        expect(harness.crashes()).toEqual([]);
        expect(harness.echoedMentions()).toEqual([]);
        // Every command is answered: in the acknowledgement, or through the response URL.
        expect(response.body !== '' || harness.slack.calls('response_url').length > 0).toBe(true);
        // A slash command alone runs nothing but the read-only check (a restart checks first): no restart before Confirm.
        expect(harness.ssm.sent().filter((sent) => sent.DocumentName !== 'ShimFix-CheckContainerRuntime')).toEqual([]);
      }),
      { numRuns: hostile.count },
    );
  });

  test('missing, repeated and hostile form fields never get a 5xx', async () => {
    const wrongFields = badInputCase('input-slash-wrong-fields');
    const fields = ['command', 'text', 'user_id', 'channel_id', 'team_id', 'trigger_id', 'response_url', 'api_app_id', 'enterprise_id', 'is_enterprise_install'];
    const fieldValue = fc.oneof(
      anyHostileText.map((text) => [text.slice(0, 2000)]),
      fc.array(fc.oneof(fc.string({ maxLength: 20 }), hostileFragment), { minLength: 0, maxLength: 3 }),
      wrongType.map((value) => [typeof value === 'string' ? value : JSON.stringify(value) ?? '']),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('restart i-0aaaaaaaaaaaaaaa1', 'search shim', 'help', 'check tag:team=payments'),
        fc.dictionary(fc.constantFrom(...fields), fieldValue, { minKeys: 1, maxKeys: 4 }),
        async (text, overrides) => {
          // Prepare
          harness.reset();
          const form = new URLSearchParams(slashCommandBody(text, harness.slack.responseUrl()));
          for (const [name, values] of Object.entries(overrides)) {
            form.delete(name);
            // An empty list drops the field; several values repeat it (Bolt then sees an array).
            for (const value of values) form.append(name, value);
          }

          // Act
          const response = await harness.send(functionUrlEvent(form.toString(), { contentType: FORM }));

          // Assess
          expect([200, 400]).toContain(response.statusCode);
          expect(harness.unhandled).toEqual([]);
          expect(harness.crashes()).toEqual([]);
          expect(harness.echoedMentions()).toEqual([]);
          expect(harness.ssm.sent().filter((sent) => sent.DocumentName !== 'ShimFix-CheckContainerRuntime')).toEqual([]);
        },
      ),
      { numRuns: wrongFields.count },
    );
  });
});
