import { MESSAGES } from '../../src/resources/messages';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { BotInstance, startConnector } from '../support/handoffRig';
import { testConfig } from '../support/testConfig';

/** `GenesysProvider=openmessaging` in demo mode: the Open Messaging simulator, its agent answering by itself. */
describe('demo mode with Open Messaging', () => {
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance;

  beforeAll(async () => {
    connector = await startConnector();
    bot = await BotInstance.start(testConfig({ DemoMode: 'true', GenesysProvider: 'openmessaging' }), connector);
  });

  afterAll(async () => {
    await bot.app.stop();
    await connector.stop();
  });

  it('runs a whole handoff against the in-process simulator over the webhook', async () => {
    expect(bot.app.simulator).toBeUndefined();
    expect(bot.app.openMessagingSimulator).toBeDefined();
    await bot.say('omdemo', 'I want to talk to a human');
    await connector.waitForText('omdemo', MESSAGES.queued);
    await connector.waitForText('omdemo', MESSAGES.agentJoined('Demo Agent'));
    await bot.say('omdemo', 'where is my parcel?');
    await connector.waitForText('omdemo', 'You wrote: "where is my parcel?"');
    await bot.say('omdemo', 'end chat');
    await connector.waitForText('omdemo', MESSAGES.userEnded);
  });
});
