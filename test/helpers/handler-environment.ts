/** Every variable the handlers read that a test may set: a test environment clears them all, then sets its own. */
export const HANDLER_VARIABLES = [
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_API_URL',
  'SLACK_SIGNING_SECRET_PARAM',
  'SLACK_BOT_TOKEN_PARAM',
  'SHIM_FIX_TABLE',
  'SHIM_FIX_OPERATORS',
  'AWS_REGION',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/**
 * Clears {@link HANDLER_VARIABLES}, sets `values`, and returns a function that puts the environment back as it was.
 *
 * @example
 * const restore = replaceHandlerEnvironment({ SLACK_API_URL: slack.apiUrl });
 * afterAll(restore);
 */
export function replaceHandlerEnvironment(values: Partial<Record<(typeof HANDLER_VARIABLES)[number], string>>): () => void {
  const saved = Object.fromEntries(HANDLER_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of HANDLER_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  return () => {
    for (const name of HANDLER_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  };
}
