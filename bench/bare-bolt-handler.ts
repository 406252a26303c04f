/**
 * The baseline for `npm run bench:slack`: the smallest useful Bolt app on AwsLambdaReceiver, bundled exactly
 * like our handler. It answers a message event with one threaded reply, so both do a Web API call on the
 * first request and the difference is our own code (configuration, knowledge bundle, diagnosis, Block Kit).
 */
import { App, AwsLambdaReceiver } from '@slack/bolt';

const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '' });
const app = new App({
  receiver,
  authorize: async () => ({ botToken: process.env.SLACK_BOT_TOKEN ?? '', botUserId: 'UBOT00001' }),
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  ignoreSelf: false,
});
app.event('message', async ({ event, client }) => {
  const message = event as { channel: string; ts: string };
  await client.chat.postMessage({ channel: message.channel, thread_ts: message.ts, text: 'seen' });
});

export const handler = async (event: unknown, context: unknown): Promise<unknown> => {
  const handle = await receiver.start();
  return handle(event as never, context);
};
