import { createApp, type App } from '../../src/app';
import { createDemoRoutes } from '../../src/demo/demoRoutes';
import { WebChatAsset } from '../../src/demo/webChatAsset';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import { postActivity, userMessage, type ConnectorRecorder } from '../support/connectorRecorder';
import { startConnector } from '../support/handoffRig';
import { testConfig } from '../support/testConfig';

interface ConsoleConversation {
  id: string;
  state: string;
  customAttributes: Record<string, string>;
  messages: { direction: string; text: string }[];
}

/** `GenesysProvider=openmessaging` in demo mode: the Open Messaging simulator, answered from the agent console. */
describe('demo mode with Open Messaging', () => {
  let connector: ConnectorRecorder & { serviceUrl: string };
  let app: App;
  let base = '';

  beforeAll(async () => {
    connector = await startConnector();
    const logger = createSilentLogger();
    app = await createApp(testConfig({ DemoMode: 'true', GenesysProvider: 'openmessaging' }), logger, {
      demoRoutes: createDemoRoutes(logger, { webChat: new WebChatAsset('/nonexistent/webchat.js') }),
    });
    base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await app.stop();
    await connector.stop();
  });

  const say = async (text: string): Promise<void> => {
    const res = await postActivity(base, userMessage(connector.serviceUrl, 'omdemo', text));
    expect(res.status).toBe(200);
  };
  const agent = (path: string, body: unknown): Promise<Response> =>
    fetch(`${base}/demo/api/conversations${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const listed = async (): Promise<ConsoleConversation[]> =>
    ((await (await fetch(`${base}/demo/api/conversations`)).json()) as { conversations: ConsoleConversation[] })
      .conversations;

  it('runs a whole handoff over the webhook, answered from the agent console', async () => {
    expect(app.simulator).toBeUndefined();
    expect(app.openMessagingSimulator).toBeDefined();
    const ready = await fetch(`${base}/healthz/ready`);
    const readiness = (await ready.json()) as { checks: Record<string, { target?: string }> };
    expect(ready.status).toBe(200);
    expect(readiness.checks.genesys?.target).toBe(app.openMessagingSimulator?.url);
    await say('I want to talk to a human');
    await connector.waitForText('omdemo', MESSAGES.queued);
    const [chat] = await listed();
    expect(chat?.state).toBe('waiting');
    expect(chat?.customAttributes.botConversationId).toBe('omdemo');
    expect((await agent(`/${chat?.id ?? ''}/accept`, { nickname: 'Anna' })).status).toBe(200);
    await connector.waitForText('omdemo', MESSAGES.agentJoined('Anna'));
    expect((await agent(`/${chat?.id ?? ''}/messages`, { text: 'Hello from the console' })).status).toBe(200);
    await connector.waitForText('omdemo', 'Hello from the console');
    await say('where is my parcel?');
    await connector.waitFor(
      () =>
        app.openMessagingSimulator
          ?.conversation(chat?.id ?? '')
          ?.messages.some((m) => m.text === 'where is my parcel?') === true,
      5000,
      'the customer message in the console',
    );
    expect((await agent(`/${chat?.id ?? ''}/end`, {})).status).toBe(200);
    await connector.waitForText('omdemo', MESSAGES.agentEnded);
    expect((await listed())[0]?.state).toBe('ended');
  });

  it('tells the agent that the customer left when they write after the customer ended the chat', async () => {
    const conversationId = 'omdemo-left';
    const sayHere = async (text: string): Promise<void> => {
      expect((await postActivity(base, userMessage(connector.serviceUrl, conversationId, text))).status).toBe(200);
    };
    await sayHere('I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = (await listed()).find((c) => c.customAttributes.botConversationId === conversationId);
    expect((await agent(`/${chat?.id ?? ''}/accept`, { nickname: 'Bert' })).status).toBe(200);
    await connector.waitForText(conversationId, MESSAGES.agentJoined('Bert'));
    await sayHere('end chat');
    await connector.waitForText(conversationId, MESSAGES.userEnded);
    // Open Messaging keeps the agent on the conversation after the customer's participant disconnects.
    await connector.waitFor(
      () =>
        app.openMessagingSimulator
          ?.conversation(chat?.id ?? '')
          ?.participants.some((p) => p.purpose === 'customer' && p.state === 'disconnected') === true,
      5000,
      'the customer participant disconnected',
    );
    // The console lists the chat as left by the customer until the agent ends it.
    const left = (await listed()).find((c) => c.id === chat?.id);
    expect(left).toMatchObject({ state: 'active', customerLeft: true });
    const refused = await agent(`/${chat?.id ?? ''}/messages`, { text: 'Are you still there?' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: 'customerLeft',
      message: 'The customer has left the chat; end it with End chat.',
    });
    expect((await agent(`/${chat?.id ?? ''}/end`, {})).status).toBe(200);
    expect((await listed()).find((c) => c.id === chat?.id)?.state).toBe('ended');
  });
});
