import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../helpers/dynamo';

describe('local DynamoDB-compatible server', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  it('stores and returns an item through the real SDK client', async () => {
    // Prepare
    const item = { pk: { S: 'probe#1' }, sk: { S: 'probe' } };

    // Act
    await dynamo.client.send(new PutItemCommand({ TableName: dynamo.tableName, Item: item }));
    const got = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: item }));

    // Assess
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(got.Item).toEqual(item);
  });
});
