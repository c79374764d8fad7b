import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { Faq } from '../../dialogs/faq';
import { MainDialog, type MainDialogState } from '../../dialogs/mainDialog';
import { TransferDialog } from '../../dialogs/transferDialog';
import { MESSAGES } from '../../src/resources/messages';
import type { Transcript } from '../../src/transcript/transcript';
import { RecordingHandoffStarter } from '../support/recordingHandoffStarter';

function client(handoff = new RecordingHandoffStarter(false)): DialogTestClient {
  const conversationState = new ConversationState(new MemoryStorage());
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
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff);
    expect((await send(c, 'blorp')).text).toBe(MESSAGES.didNotUnderstand);
    const offer = await send(c, 'zzzt');
    expect(offer.text).toBe(MESSAGES.offerAgent);
    expect((await send(c, 'yes please')).text).toBe(MESSAGES.connecting);
    expect(handoff.requests).toHaveLength(1);
  });

  it('transfers by itself after three misunderstandings', async () => {
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff);
    await send(c, 'blorp');
    await send(c, 'zzzt');
    expect((await send(c, 'qwfp')).text).toBe(MESSAGES.connecting);
    expect(handoff.requests[0]?.attributes.handoffReason).toBe('the bot could not help');
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
