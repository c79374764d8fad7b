import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { Faq } from '../../dialogs/faq';
import { MainDialog, type MainDialogState } from '../../dialogs/mainDialog';
import { TransferDialog } from '../../dialogs/transferDialog';
import { HandoffRecords } from '../../src/handoff/handoffRecords';
import type { HandoffDocument } from '../../src/handoff/handoffRecord';
import { HandoffSessionManager } from '../../src/handoff/handoffSessionManager';
import type { ProactiveMessenger } from '../../src/handoff/proactiveMessenger';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import { MemoryVersionedStore } from '../../src/storage/memoryVersionedStore';
import type { Transcript } from '../../src/transcript/transcript';
import { FakeProvider } from '../support/fakeProvider';

function client(provider?: FakeProvider): DialogTestClient {
  const conversationState = new ConversationState(new MemoryStorage());
  const logger = createSilentLogger();
  const records = new HandoffRecords(new MemoryVersionedStore<HandoffDocument>(), 3600, logger);
  const messenger = {
    send: () => Promise.resolve(),
    typing: () => Promise.resolve(),
    note: () => Promise.resolve(),
  } as unknown as ProactiveMessenger;
  const handoff = new HandoffSessionManager(
    provider,
    records,
    messenger,
    {
      instanceId: 'test',
      queueTimeoutSeconds: 0,
      idleTimeoutSeconds: 0,
      idleWarningSeconds: 0,
      leaseSeconds: 30,
      sweepIntervalSeconds: 5,
    },
    logger,
  );
  const transfer = new TransferDialog(handoff, conversationState.createProperty<Transcript>('transcript'));
  const dialog = new MainDialog(
    Faq.default(),
    transfer,
    conversationState.createProperty<MainDialogState>('mainDialog'),
  );
  return new DialogTestClient('test', dialog, undefined, [], conversationState);
}

/** Sends a message and returns the dialog's first reply (DialogTestClient types it loosely). */
async function send(c: DialogTestClient, text: string): Promise<Partial<Activity>> {
  return (await c.sendActivity(text)) as Partial<Activity>;
}

describe('MainDialog', () => {
  it('answers help with the agent action', async () => {
    const reply = await send(client(), 'help');
    expect(reply.text).toBe(MESSAGES.help);
    expect(reply.suggestedActions?.actions.map((a) => a.title)).toEqual([MESSAGES.talkToAgentAction]);
  });

  it('answers FAQ questions by keyword', async () => {
    const c = client();
    expect((await send(c, 'Can I pay with PayPal?')).text).toContain('PayPal');
    expect((await send(c, 'I want a refund')).text).toContain('return any item within 30 days');
  });

  it('greets', async () => {
    expect((await send(client(), 'hello there')).text).toBe(MESSAGES.welcome);
  });

  it('offers a human after two misunderstandings and connects on "yes"', async () => {
    const provider = new FakeProvider();
    const c = client(provider);
    expect((await send(c, 'blorp')).text).toBe(MESSAGES.didNotUnderstand);
    const offer = await send(c, 'zzzt');
    expect(offer.text).toBe(MESSAGES.offerAgent);
    expect((await send(c, 'yes please')).text).toBe(MESSAGES.connecting);
    expect(provider.chats).toHaveLength(1);
  });

  it('transfers by itself after three misunderstandings', async () => {
    const provider = new FakeProvider();
    const c = client(provider);
    await send(c, 'blorp');
    await send(c, 'zzzt');
    expect((await send(c, 'qwfp')).text).toBe(MESSAGES.connecting);
    expect(provider.chats[0]?.request?.attributes.handoffReason).toBe('the bot could not help');
  });

  it('says plainly that agents are not configured', async () => {
    expect((await send(client(), 'Talk to an agent')).text).toBe(MESSAGES.agentsNotConfigured);
  });

  it('resets the misunderstanding count after a good answer', async () => {
    const c = client();
    await send(c, 'blorp');
    await send(c, 'delivery?');
    expect((await send(c, 'zzzt')).text).toBe(MESSAGES.didNotUnderstand);
  });
});
