import { AGENT_TEXTS, MESSAGES } from '../../src/resources/messages';
import { BotHarness } from '../support/botHarness';
import { FakeProvider } from '../support/fakeProvider';
import { testConfig } from '../support/testConfig';

async function waiting() {
  const provider = new FakeProvider();
  const harness = await BotHarness.create({ provider, config: testConfig() });
  await harness.say('hello');
  harness.take();
  return { provider, harness };
}

describe('HandoffBot: redeliveries, waiting and the shapes channels send', () => {
  it('opens one chat for a transfer request delivered twice, and answers the redelivery with nothing', async () => {
    const { provider, harness } = await waiting();
    expect((await harness.say({ id: 'ask-1', text: 'talk to an agent' })).map((r) => r.text)).toEqual([
      MESSAGES.connecting,
      MESSAGES.queued,
    ]);
    expect(await harness.say({ id: 'ask-1', text: 'talk to an agent' })).toEqual([]);
    expect(provider.chats).toHaveLength(1);
  });

  it('ignores a redelivered bot turn', async () => {
    const { harness } = await waiting();
    expect((await harness.say({ id: 'help-1', text: 'help' })).map((r) => r.text)).toEqual([MESSAGES.help]);
    expect(await harness.say({ id: 'help-1', text: 'help' })).toEqual([]);
  });

  it('relays a redelivered user message once', async () => {
    const { provider, harness } = await waiting();
    await harness.say('agent');
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    await harness.say({ id: 'u-1', text: 'just once' });
    await harness.say({ id: 'u-1', text: 'just once' });
    expect(provider.last.sent).toEqual(['just once']);
  });

  it('acknowledges messages while waiting at most every third one, and answers a second request for an agent', async () => {
    const { provider, harness } = await waiting();
    await harness.say('agent');
    harness.take();
    const replies: string[] = [];
    for (const text of ['one', 'two', 'three', 'four'])
      replies.push(...(await harness.say(text)).map((r) => r.text ?? ''));
    expect(replies).toEqual([MESSAGES.passedOnWhileWaiting, MESSAGES.passedOnWhileWaiting]);
    expect((await harness.say('talk to an agent')).map((r) => r.text)).toEqual([MESSAGES.alreadyConnecting]);
    expect(provider.last.sent).toEqual(['one', 'two', 'three', 'four']);
  });

  it('relays edits and deletions during a live chat, and nothing for an empty message', async () => {
    const { provider, harness } = await waiting();
    await harness.say('agent');
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    const timestamp = new Date();
    await harness.say({ id: 'm-1', text: 'order 123' });
    await harness.say({ type: 'messageUpdate', id: 'm-1', text: 'order 124', timestamp });
    await harness.say({ type: 'messageUpdate', id: 'm-1', text: 'order 124', timestamp });
    await harness.say({ type: 'messageDelete', id: 'm-1', timestamp });
    await harness.say({ text: '' });
    expect(provider.last.sent).toEqual(['order 123', AGENT_TEXTS.userEdited('order 124'), AGENT_TEXTS.userDeleted]);
  });

  it('ends the chat as userUnreachable when the bot is removed from the conversation', async () => {
    const { provider, harness } = await waiting();
    await harness.say('agent');
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    harness.take();
    await harness.say({
      type: 'conversationUpdate',
      membersRemoved: [{ id: 'bot', name: 'Bot' }],
      recipient: { id: 'bot', name: 'Bot' },
    });
    expect(provider.last.sent).toEqual([AGENT_TEXTS.userUnreachable]);
    expect(provider.last.ended).toBe(true);
    expect(harness.takeTexts()).toEqual([]);
  });

  it('ends the chat as userUnreachable when the customer leaves the conversation', async () => {
    const { provider, harness } = await waiting();
    await harness.say('agent');
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    harness.take();
    const userId = 'user-of-conversation-1';
    await harness.say({
      type: 'conversationUpdate',
      membersRemoved: [{ id: 'someone-else', name: 'Other' }],
      recipient: { id: 'bot', name: 'Bot' },
    });
    expect(provider.last.ended).toBe(false);
    await harness.say({
      type: 'conversationUpdate',
      membersRemoved: [{ id: userId, name: 'Dana' }],
      recipient: { id: 'bot', name: 'Bot' },
    });
    expect(provider.last.sent).toEqual([AGENT_TEXTS.userUnreachable]);
    expect(provider.last.ended).toBe(true);
    expect(harness.takeTexts()).toEqual([]);
  });
});
