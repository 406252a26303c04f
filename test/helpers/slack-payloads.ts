import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Real Slack request payloads (test/fixtures/slack/payloads.json, each with its `source`), with `{{PASTE}}` and
 * `{{RESPONSE_URL}}` filled in and a fresh `event_id` per delivery, as Slack gives every delivery.
 */
export interface RealPayload {
  id: string;
  kind: 'event' | 'form' | 'command' | 'interactive';
  source: string;
  adapted: string;
  body: unknown;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'slack');
let cached: RealPayload[] | undefined;
let tsCounter = 0;

export function realPayloads(): RealPayload[] {
  cached ??= [
    ...(JSON.parse(readFileSync(path.join(FIXTURES, 'payloads.json'), 'utf8')) as RealPayload[]),
    JSON.parse(readFileSync(path.join(FIXTURES, 'alert-shortcut.json'), 'utf8')) as RealPayload,
  ];
  return cached;
}

export function realPayload(id: string): RealPayload {
  const found = realPayloads().find((payload) => payload.id === id);
  if (!found) throw new Error(`no real payload ${id} in test/fixtures/slack`);
  return found;
}

/** The payload's body with the placeholders filled and, for events, a fresh `event_id` and message `ts`. */
export function filledBody(id: string, { paste = '', responseUrl = 'http://127.0.0.1:9/unused' }: { paste?: string; responseUrl?: string } = {}): Record<string, unknown> {
  const { body, kind } = realPayload(id);
  const text = JSON.stringify(body).replaceAll('"{{PASTE}}"', JSON.stringify(paste)).replaceAll('"{{RESPONSE_URL}}"', JSON.stringify(responseUrl));
  const filled = JSON.parse(text) as Record<string, unknown>;
  // A fresh message ts too: an answer is claimed per message, and each test posts its own.
  const ts = `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;
  if (kind === 'event' && typeof filled.event_id === 'string') {
    filled.event_id = `Ev${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`;
    const event = filled.event as Record<string, unknown> | undefined;
    if (event && typeof event.ts === 'string') Object.assign(event, { ts, event_ts: ts });
  }
  if (kind === 'interactive' && typeof filled.trigger_id === 'string') {
    filled.trigger_id = `${randomUUID()}.trigger`;
    const message = filled.message as Record<string, unknown> | undefined;
    if (message && typeof message.ts === 'string') {
      message.ts = ts;
      filled.message_ts = ts;
    }
  }
  return filled;
}
