import { CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';
import { buildBot, TRANSCRIPT_PROPERTY } from '../../src/app';
import type { HandoffDocument } from '../../src/handoff/handoffRecord';
import { ProactiveMessenger } from '../../src/handoff/proactiveMessenger';
import { createSilentLogger } from '../../src/logger';
import { StateSaver } from '../../src/state/stateSaver';
import { createStorage } from '../../src/storage/createStorage';
import { CONNECTOR_REFUSALS, type ConnectorAnswer, type ConnectorRecorder } from '../support/connectorRecorder';
import { startConnector } from '../support/handoffRig';
import { testConfig } from '../support/testConfig';

/**
 * Proactive sends on the real CloudAdapter and botframework-connector client against a connector
 * that refuses the way the channels do: each refusal comes back classified, the adapter's turn
 * error handler never runs (so the user gets no apology), and the client's own retries are counted.
 */
describe('ProactiveMessenger on the CloudAdapter', () => {
  let connector: ConnectorRecorder & { serviceUrl: string };
  let messenger: ProactiveMessenger;
  let turnErrors = 0;

  beforeAll(async () => {
    connector = await startConnector();
    const config = testConfig();
    const logger = createSilentLogger();
    const storage = await createStorage<HandoffDocument>(config, logger);
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const services = buildBot(config, logger, {
      storage,
      provider: undefined,
      proactiveRunner: (reference, logic) => adapter.continueConversationAsync('', reference, logic),
    });
    adapter.use(services.recorder);
    adapter.onTurnError = async (context, error) => {
      turnErrors++;
      await services.onTurnError(context, error);
    };
    const limits = { maxEntries: config.transcript.maxEntries, maxChars: config.transcript.maxChars };
    const saver = new StateSaver(services.conversationState, services.userState, TRANSCRIPT_PROPERTY, limits, logger);
    messenger = new ProactiveMessenger(
      (reference, logic) => adapter.continueConversationAsync('', reference, logic),
      services.recorder,
      saver,
      logger,
    );
  });

  afterAll(async () => {
    await connector.stop();
  });

  const reference = (conversationId: string) => ({
    channelId: 'emulator',
    serviceUrl: connector.serviceUrl,
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    bot: { id: 'bot', name: 'Bot' },
    user: { id: 'user', name: 'User' },
  });

  it.each<[string, ConnectorAnswer, string, string]>([
    ['403 roster', CONNECTOR_REFUSALS.notInRoster, 'gone', 'BotNotInConversationRoster'],
    ['404 conversation', CONNECTOR_REFUSALS.conversationNotFound, 'gone', 'ConversationNotFound'],
    ['outside the window', CONNECTOR_REFUSALS.outsideWindow, 'gone', 'BadArgument'],
    ['wrong geo', CONNECTOR_REFUSALS.wrongGeo, 'stale', 'BadArgument'],
    ['429', { ...CONNECTOR_REFUSALS.throttled, retryAfterSeconds: 0 }, 'transient', 'Throttled'],
    ['413', { status: 413, code: 'MessageSizeTooBig', message: 'too big' }, 'permanent', 'MessageSizeTooBig'],
  ])('classifies %s', async (name, answer, kind, code) => {
    const conversationId = `classify-${name.replace(/\W+/g, '-')}`;
    connector.fault(conversationId, () => answer);
    const before = turnErrors;
    const result = await messenger.send(reference(conversationId), [MessageFactory.text('hi')], { role: 'bot' });
    expect(result).toMatchObject({ ok: false, failure: { kind, code, status: answer.status } });
    if (answer.status === 429 && !result.ok) expect(result.failure.retryAfterMs).toBe(0);
    expect(turnErrors).toBe(before);
    expect(connector.texts(conversationId)).toEqual([]);
  });

  it('reports a connection refused as transient, and a send the channel took as delivered', async () => {
    const unreachable = { ...reference('classify-unreachable'), serviceUrl: 'http://127.0.0.1:9' };
    const refused = await messenger.send(unreachable, [MessageFactory.text('hi')], { role: 'bot' });
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'transient' } });
    expect(await messenger.send(reference('classify-ok'), [MessageFactory.text('hi')], { role: 'bot' })).toEqual({
      ok: true,
    });
    expect(connector.texts('classify-ok')).toEqual(['hi']);
    expect(turnErrors).toBe(0);
  });
});
