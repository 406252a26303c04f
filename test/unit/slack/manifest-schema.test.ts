import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// js-yaml comes with gray-matter (the runbook parser); no extra dependency for reading two YAML files.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..', '..', '..');
const SCHEMAS = join(ROOT, 'test', 'fixtures', 'slack', 'manifest-schema');
/** Where the version switch (`manifest.schema.json`) points its `$ref`s, at the commit in `SOURCE`. */
const REF_BASE = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';

function readJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as Record<string, unknown>;
}

/** Slack's own manifest schema (slackapi/manifest-schema, MIT), copied verbatim into the fixtures. */
function slackManifestValidator() {
  // Slack's schema uses keywords of its own (markdownDescription and others): strict mode would refuse them.
  const ajv = new Ajv({ allErrors: true, strict: false, formats: { uri: (value: string) => URL.canParse(value) } });
  for (const version of ['1.0.0', '2.0.0']) {
    const schema = readJson(`manifest.schema.${version}.json`);
    delete schema.$id;
    ajv.addSchema(schema, `${REF_BASE}manifest.schema.${version}.json`);
  }
  return ajv.compile(readJson('manifest.schema.json'));
}

describe("both Slack app manifests against Slack's manifest schema", () => {
  const validate = slackManifestValidator();

  test.each(['manifest.prod.yaml', 'manifest.dev.yaml'])('%s is a valid manifest', (file) => {
    // Prepare
    const manifest = yaml.load(readFileSync(join(ROOT, 'infra', 'slack', file), 'utf8'));

    // Act
    const valid = validate(manifest);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema is really applied: a misspelt setting and a non-http request URL are refused', () => {
    // Prepare
    const manifest = yaml.load(readFileSync(join(ROOT, 'infra', 'slack', 'manifest.prod.yaml'), 'utf8')) as {
      settings: Record<string, unknown> & { event_subscriptions: { request_url: string } };
    };
    manifest.settings.event_subscriptions.request_url = 'ftp://function-url.example/slack/events';
    manifest.settings.interactivty = { is_enabled: true };

    // Act
    const valid = validate(manifest);

    // Assess
    expect(valid).toBe(false);
    expect(validate.errors?.map((error) => `${error.instancePath} ${error.keyword}`)).toEqual(
      expect.arrayContaining(['/settings/event_subscriptions/request_url pattern', '/settings additionalProperties']),
    );
  });
});
