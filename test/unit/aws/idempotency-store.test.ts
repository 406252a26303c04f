import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoIdempotencyStore, InMemoryIdempotencyStore, type IdempotencyStore } from '../../../lambda/aws/idempotency-store';
import { startLocalDynamo, type LocalDynamo } from '../../helpers/dynamo';

let dynamo: LocalDynamo;
let clock = 1_800_000_000_000;
const now = (): number => clock;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo.stop());
beforeEach(() => {
  clock = 1_800_000_000_000;
});

const stores: [string, () => Promise<IdempotencyStore>][] = [
  ['DynamoDB (local server)', async () => new DynamoIdempotencyStore({ tableName: await dynamo.createTable(), client: dynamo.client, now })],
  ['in memory', async () => new InMemoryIdempotencyStore({ now })],
];

describe.each(stores)('idempotency store: %s', (_name, createStore) => {
  test('the first claim wins and every later one loses', async () => {
    // Prepare
    const store = await createStore();

    // Act
    const results = [await store.claim('event:Ev1', 60), await store.claim('event:Ev1', 60), await store.claim('event:Ev2', 60)];

    // Assess
    expect(results).toEqual([true, false, true]);
  });

  test('of concurrent claims exactly one wins', async () => {
    // Prepare
    const store = await createStore();

    // Act
    const results = await Promise.all(Array.from({ length: 8 }, () => store.claim('event:race', 60)));

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('an expired claim can be claimed again, even before the table deletes it', async () => {
    // Prepare
    const store = await createStore();
    await store.claim('click:x', 60);

    // Act
    clock += 61_000;
    const again = await store.claim('click:x', 60);

    // Assess
    expect(again).toBe(true);
  });

  test('a released claim can be claimed again; releasing an unknown key is fine', async () => {
    // Prepare
    const store = await createStore();
    await store.claim('reply:C1:1.2', 60);

    // Act
    await store.release('reply:C1:1.2');
    await store.release('never-claimed');
    const again = await store.claim('reply:C1:1.2', 60);

    // Assess
    expect(again).toBe(true);
  });

  test('a leased claim is refused while its lease runs, and taken over by exactly one caller once it has run out', async () => {
    // Prepare: the holder claimed, then died before completing (a Lambda cut off mid-request).
    const store = await createStore();
    await store.claim('event:cut', 7200, { leaseSeconds: 30 });

    // Act
    clock += 10_000;
    const duringLease = await store.claim('event:cut', 7200, { leaseSeconds: 30 });
    clock += 21_000;
    const takers = await Promise.all(Array.from({ length: 4 }, () => store.claim('event:cut', 7200, { leaseSeconds: 30 })));

    // Assess
    expect(duringLease).toBe(false);
    expect(takers.filter(Boolean)).toHaveLength(1);
  });

  test('a completed claim is never taken over after its lease, only after it expires', async () => {
    // Prepare
    const store = await createStore();
    await store.claim('event:done', 120, { leaseSeconds: 30 });
    await store.complete('event:done');

    // Act
    clock += 31_000;
    const afterLease = await store.claim('event:done', 120, { leaseSeconds: 30 });
    clock += 90_000;
    const afterExpiry = await store.claim('event:done', 120, { leaseSeconds: 30 });

    // Assess
    expect(afterLease).toBe(false);
    expect(afterExpiry).toBe(true);
  });

  test('completing a key that was never claimed (or was released) creates no claim', async () => {
    // Prepare
    const store = await createStore();
    await store.claim('reply:C1:9.9', 60, { leaseSeconds: 30 });
    await store.release('reply:C1:9.9');

    // Act
    await store.complete('reply:C1:9.9');
    await store.complete('never-claimed');
    const results = [await store.claim('reply:C1:9.9', 60), await store.claim('never-claimed', 60)];

    // Assess
    expect(results).toEqual([true, true]);
  });
});

test('a pending DynamoDB claim carries leaseUntil; complete removes it and keeps the expiry', async () => {
  // Prepare
  const tableName = await dynamo.createTable();
  const store = new DynamoIdempotencyStore({ tableName, client: dynamo.client, now });
  const key = { pk: { S: 'dedupe#event:EvLease' }, sk: { S: 'dedupe' } };

  // Act
  await store.claim('event:EvLease', 3600, { leaseSeconds: 30 });
  const pending = (await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: key }))).Item;
  await store.complete('event:EvLease');
  const done = (await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: key }))).Item;

  // Assess
  expect(pending?.leaseUntil).toEqual({ N: String(1_800_000_000 + 30) });
  expect(done?.leaseUntil).toBeUndefined();
  expect(done?.expiresAt).toEqual({ N: String(1_800_000_000 + 3600) });
});

test('DynamoDB items follow the table contract: pk dedupe#<key>, sk dedupe, expiresAt in epoch seconds', async () => {
  // Prepare
  const tableName = await dynamo.createTable();
  const store = new DynamoIdempotencyStore({ tableName, client: dynamo.client, now });

  // Act
  await store.claim('event:Ev42', 3600);

  // Assess
  const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'dedupe#event:Ev42' }, sk: { S: 'dedupe' } } }));
  expect(Item?.expiresAt).toEqual({ N: String(1_800_000_000 + 3600) });
  expect(store.description).toBe(`dynamodb:${tableName}`);
});
