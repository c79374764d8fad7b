import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { TransferDialog, type PreChatQuestion, type TransferOptions } from '../../dialogs/transferDialog';
import type { StartHandoffResult } from '../../src/handoff/handoffService';
import { MESSAGES, messagesFor } from '../../src/resources/messages';
import type { Transcript } from '../../src/transcript/transcript';
import { RecordingHandoffStarter } from '../support/recordingHandoffStarter';

const QUESTIONS: PreChatQuestion[] = [
  { key: 'orderNumber', prompt: 'What is your order number?' },
  { key: 'email', prompt: 'What is your email address?' },
];

function client(
  handoff: RecordingHandoffStarter,
  questions: PreChatQuestion[] = [],
  options: TransferOptions = { reason: 'user asked for an agent' },
): DialogTestClient {
  const conversationState = new ConversationState(new MemoryStorage());
  const dialog = new TransferDialog(handoff, conversationState.createProperty<Transcript>('transcript'), questions);
  return new DialogTestClient('test', dialog, options, [], conversationState);
}

/** Sends a message (in `locale` when given) and returns the texts of every reply of that turn. */
async function say(c: DialogTestClient, text: string, locale?: string): Promise<string[]> {
  const texts: string[] = [];
  const activity = locale === undefined ? text : { type: 'message', text, locale };
  let reply = (await c.sendActivity(activity)) as Partial<Activity> | undefined;
  while (reply !== undefined) {
    texts.push(reply.text ?? '');
    reply = c.getNextReply();
  }
  return texts;
}

describe('TransferDialog', () => {
  it('says plainly that agents are not configured, and requests nothing', async () => {
    const handoff = new RecordingHandoffStarter(false);
    const c = client(handoff);
    expect(await say(c, 'agent')).toEqual([MESSAGES.agentsNotConfigured]);
    expect(c.dialogTurnResult.result).toEqual({ status: 'unavailable' });
    expect(handoff.requests).toEqual([]);
  });

  it('connects at once without pre-chat questions, passing the conversation and the reason', async () => {
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff, [], { reason: 'the bot could not help', attributes: { topic: 'billing' } });
    expect(await say(c, 'agent')).toEqual([MESSAGES.connecting]);
    expect(c.dialogTurnResult.result).toEqual({ status: 'started' });
    expect(handoff.requests).toHaveLength(1);
    const [request] = handoff.requests;
    expect(request).toMatchObject({
      channelId: 'test',
      attributes: { handoffReason: 'the bot could not help', topic: 'billing' },
      transcript: { entries: [], dropped: 0 },
    });
    expect(request?.conversationId).toBe(request?.reference.conversation?.id);
    expect(request?.userId).toBe(request?.reference.user?.id);
  });

  it('asks each pre-chat question in turn and sends the answers as participant data', async () => {
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff, QUESTIONS);
    expect(await say(c, 'agent')).toEqual([QUESTIONS[0]?.prompt]);
    expect(await say(c, 'A-1234')).toEqual([QUESTIONS[1]?.prompt]);
    expect(handoff.requests).toEqual([]);
    expect(await say(c, 'dana@example.com')).toEqual([MESSAGES.connecting]);
    expect(handoff.requests[0]?.attributes).toEqual({
      handoffReason: 'user asked for an agent',
      orderNumber: 'A-1234',
      email: 'dana@example.com',
    });
  });

  it.each<[StartHandoffResult, string]>([
    [{ status: 'alreadyActive' }, MESSAGES.alreadyConnecting],
    [{ status: 'refused', code: 'invalidQueue' }, MESSAGES.handoffRefused],
    [{ status: 'failed', code: 'network' }, MESSAGES.handoffFailed],
  ])('tells the user when the handoff answers %j', async (result, text) => {
    const handoff = new RecordingHandoffStarter();
    handoff.result = result;
    const c = client(handoff);
    expect(await say(c, 'agent')).toEqual([MESSAGES.connecting, text]);
    expect(c.dialogTurnResult.result).toEqual(result);
  });

  it.each(['cancel', 'never mind'])(
    'stops when "%s" answers a pre-chat question, and requests nothing',
    async (text) => {
      const handoff = new RecordingHandoffStarter();
      const c = client(handoff, QUESTIONS);
      expect(await say(c, 'agent')).toEqual([QUESTIONS[0]?.prompt]);
      expect(await say(c, text)).toEqual([MESSAGES.transferCancelled]);
      expect(c.dialogTurnResult.result).toEqual({ status: 'cancelled' });
      expect(handoff.requests).toEqual([]);
    },
  );

  it('speaks German to a German user', async () => {
    const de = messagesFor('de-DE');
    const handoff = new RecordingHandoffStarter();
    handoff.result = { status: 'failed', code: 'network' };
    expect(await say(client(handoff), 'Mitarbeiter', 'de-DE')).toEqual([de.connecting, de.handoffFailed]);
    expect(await say(client(new RecordingHandoffStarter(false)), 'Mitarbeiter', 'de')).toEqual([
      de.agentsNotConfigured,
    ]);
    const asking = client(new RecordingHandoffStarter(), QUESTIONS);
    await say(asking, 'Mitarbeiter', 'de-DE');
    expect(await say(asking, 'abbrechen', 'de-DE')).toEqual([de.transferCancelled]);
  });
});
