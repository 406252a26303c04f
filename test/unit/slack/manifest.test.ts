import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { MESSAGE_CHANNEL_TYPES } from '../../../lambda/slack/listeners/message';
import { registerListeners } from '../../../lambda/slack/register-listeners';
import type { SlackDeps } from '../../../lambda/slack/types';
import { fakeDiagnoser, silentLogger } from './fakes';
import { InMemoryIdempotencyStore } from '../../../lambda/aws/idempotency-store';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { loadConfig } from '../../../lambda/config';
import { createRemediationCommands } from '../../../lambda/slack/remediation/create-remediation';
import { createAppHomeSources } from '../../../lambda/slack/app-home/create-app-home';

// js-yaml comes with gray-matter (the runbook parser); no extra dependency for reading two YAML files.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..', '..', '..');

/** Scopes each Events API subscription needs. */
const EVENT_SCOPES: Record<string, string | null> = {
  // App Home's event needs no scope (Slack's event reference lists none).
  app_home_opened: null,
  app_mention: 'app_mentions:read',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
  'message.im': 'im:history',
  'message.mpim': 'mpim:history',
};

/**
 * Bot scopes of the Web API methods our code calls (null: no scope needed). A method missing here fails
 * the test on purpose: look its scope up and add it, and the manifest follows.
 */
const METHOD_SCOPES: Record<string, string[] | null> = {
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.getPermalink': null,
  'views.open': null,
  'views.update': null,
  'views.push': null,
  'views.publish': null,
  'conversations.replies': ['channels:history', 'groups:history', 'im:history'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'users.info': ['users:read'],
  'reactions.add': ['reactions:write'],
};

interface Manifest {
  features?: { shortcuts?: { callback_id: string; type: string }[]; slash_commands?: { command: string; url?: string }[]; app_home?: { messages_tab_enabled?: boolean; home_tab_enabled?: boolean } };
  oauth_config?: { scopes?: { bot?: string[] } };
  settings?: {
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    interactivity?: { is_enabled?: boolean; request_url?: string };
    socket_mode_enabled?: boolean;
  };
}

interface Requirements {
  botEvents: string[];
  scopes: string[];
  shortcuts: string[];
  commands: string[];
  methods: string[];
}

/** What the listeners actually register, recorded on a stand-in for Bolt's App. */
function recordRegistrations(deps: SlackDeps): { events: string[]; shortcuts: string[]; commands: string[] } {
  const events: string[] = [];
  const shortcuts: string[] = [];
  const commands: string[] = [];
  const recorder = {
    event: (name: string) => void events.push(name),
    message: () => void events.push('message'),
    shortcut: (constraints: { callback_id: string; type: string }) => void shortcuts.push(`${constraints.type}:${constraints.callback_id}`),
    command: (name: string) => void commands.push(name),
    action: () => undefined,
    view: () => undefined,
    options: () => undefined,
    use: () => undefined,
    error: () => undefined,
  };
  registerListeners(recorder as unknown as App, deps);
  return { events, shortcuts, commands };
}

/** Web API methods called anywhere under lambda/ (`client.chat.postMessage(` and `apiCall('x.y'`). */
function webApiMethodsUsed(): string[] {
  const methods = new Set<string>();
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'generated') visit(path);
      } else if (name.endsWith('.ts')) {
        const source = readFileSync(path, 'utf8');
        for (const match of source.matchAll(/\bclient\.([a-z]+)\.([a-zA-Z]+)\s*\(/g)) methods.add(`${match[1]}.${match[2]}`);
        for (const match of source.matchAll(/\.apiCall\(\s*['"]([a-z]+\.[a-zA-Z]+)['"]/g)) if (match[1]) methods.add(match[1]);
      }
    }
  };
  visit(join(ROOT, 'lambda'));
  return [...methods].sort();
}

function requirements(deps: SlackDeps): Requirements {
  const registered = recordRegistrations(deps);
  const botEvents = new Set<string>();
  for (const event of registered.events) {
    if (event === 'message') Object.values(MESSAGE_CHANNEL_TYPES).forEach(({ event: name }) => botEvents.add(name));
    else botEvents.add(event);
  }
  const scopes = new Set<string>();
  for (const event of botEvents) {
    const scope = EVENT_SCOPES[event];
    if (scope === undefined) throw new Error(`no scope known for event ${event}: add it to EVENT_SCOPES`);
    if (scope !== null) scopes.add(scope);
  }
  const methods = webApiMethodsUsed();
  for (const method of methods) {
    if (!(method in METHOD_SCOPES)) throw new Error(`no scope known for Web API method ${method}: add it to METHOD_SCOPES`);
    for (const scope of METHOD_SCOPES[method] ?? []) {
      // History scopes of a read method are needed only for the conversation types we subscribe to.
      if (scope.endsWith(':history') && ![...botEvents].some((event) => EVENT_SCOPES[event] === scope)) continue;
      scopes.add(scope);
    }
  }
  if (registered.commands.length > 0 || registered.shortcuts.length > 0) scopes.add('commands');
  return { botEvents: [...botEvents].sort(), scopes: [...scopes].sort(), shortcuts: registered.shortcuts.sort(), commands: registered.commands.sort(), methods };
}

/** Everything wrong between a manifest and what the code needs, in words; empty when they agree. */
function manifestProblems(manifest: Manifest, needed: Requirements): string[] {
  const problems: string[] = [];
  const compare = (what: string, declared: string[], required: string[]): void => {
    for (const item of required) if (!declared.includes(item)) problems.push(`manifest lacks ${what} ${item}`);
    for (const item of declared) if (!required.includes(item)) problems.push(`manifest asks for ${what} ${item} that nothing uses`);
  };
  compare('bot event', manifest.settings?.event_subscriptions?.bot_events ?? [], needed.botEvents);
  compare('scope', manifest.oauth_config?.scopes?.bot ?? [], needed.scopes);
  compare('shortcut', (manifest.features?.shortcuts ?? []).map((shortcut) => `${shortcut.type === 'message' ? 'message_action' : 'shortcut'}:${shortcut.callback_id}`), needed.shortcuts);
  compare('slash command', (manifest.features?.slash_commands ?? []).map((command) => command.command), needed.commands);
  if (needed.botEvents.includes('message.im') && manifest.features?.app_home?.messages_tab_enabled !== true) {
    problems.push('direct messages are answered but the Messages tab is disabled');
  }
  if (needed.shortcuts.length > 0 && manifest.settings?.interactivity?.is_enabled !== true) problems.push('interactivity is disabled');
  if (needed.botEvents.includes('app_home_opened') && manifest.features?.app_home?.home_tab_enabled !== true) {
    problems.push('App Home is published but the Home tab is disabled');
  }
  return problems;
}

function loadManifest(name: string): Manifest {
  return yaml.load(readFileSync(join(ROOT, 'infra', 'slack', name), 'utf8')) as Manifest;
}

const deps: SlackDeps = {
  // App Home as the handler wires it from the full configuration.
  appHome: createAppHomeSources(loadConfig({})),
  diagnoser: fakeDiagnoser(),
  idempotency: new InMemoryIdempotencyStore(),
  logger: silentLogger(),
  // The real remediation flow registers its own listeners (recorded too); its Web API calls are found by the scan.
  remediation: createRemediationCommands({
    config: loadConfig({}),
    logger: silentLogger(),
    store: new InMemoryRemediationStore(),
    ssm: {} as Parameters<typeof createRemediationCommands>[0]['ssm'],
  }),
};

describe('Slack app manifests', () => {
  test.each(['manifest.prod.yaml', 'manifest.dev.yaml'])('%s asks for exactly the events, scopes, shortcut and command the listeners use', (name) => {
    // Prepare
    const manifest = loadManifest(name);
    const needed = requirements(deps);

    // Act
    const problems = manifestProblems(manifest, needed);

    // Assess
    expect(problems).toEqual([]);
    expect(needed.scopes).toEqual(expect.arrayContaining(['chat:write', 'commands', 'app_mentions:read']));
  });

  test('a scope the listeners need but the manifest lacks is reported, and so is one nobody uses', () => {
    // Prepare
    const manifest = loadManifest('manifest.prod.yaml');
    const bot = (manifest.oauth_config?.scopes?.bot ?? []).filter((scope) => scope !== 'chat:write');
    const mutated: Manifest = { ...manifest, oauth_config: { scopes: { bot: [...bot, 'files:write'] } } };

    // Act
    const problems = manifestProblems(mutated, requirements(deps));

    // Assess
    expect(problems).toEqual(['manifest lacks scope chat:write', 'manifest asks for scope files:write that nothing uses']);
  });

  test('a Home tab left disabled is reported when App Home is published', () => {
    // Prepare
    const manifest = loadManifest('manifest.prod.yaml');
    const mutated: Manifest = { ...manifest, features: { ...manifest.features, app_home: { ...manifest.features?.app_home, home_tab_enabled: false } } };

    // Act
    const problems = manifestProblems(mutated, requirements(deps));

    // Assess
    expect(problems).toEqual(['App Home is published but the Home tab is disabled']);
  });

  test('an event subscription removed from the manifest is reported', () => {
    // Prepare
    const manifest = loadManifest('manifest.prod.yaml');
    const events = (manifest.settings?.event_subscriptions?.bot_events ?? []).filter((event) => event !== 'message.groups');
    const mutated: Manifest = { ...manifest, settings: { ...manifest.settings, event_subscriptions: { bot_events: events } } };

    // Act
    const problems = manifestProblems(mutated, requirements(deps));

    // Assess
    expect(problems).toEqual(['manifest lacks bot event message.groups']);
  });

  test('production sends events, commands and interactivity to one Function URL placeholder over HTTP; development uses Socket Mode', () => {
    // Prepare
    const prod = loadManifest('manifest.prod.yaml');
    const dev = loadManifest('manifest.dev.yaml');

    // Act
    const urls = new Set([
      prod.settings?.event_subscriptions?.request_url,
      prod.settings?.interactivity?.request_url,
      ...(prod.features?.slash_commands ?? []).map((command) => command.url),
    ]);

    // Assess
    expect([...urls]).toEqual(['https://FUNCTION_URL.example/slack/events']);
    expect(prod.settings?.socket_mode_enabled).toBe(false);
    expect(dev.settings?.socket_mode_enabled).toBe(true);
    expect(dev.settings?.event_subscriptions?.request_url).toBeUndefined();
    expect(dev.settings?.interactivity?.request_url).toBeUndefined();
  });
});
