import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { Faq } from '../../dialogs/faq';
import { MainDialog, connectedHelp, endChatAction, type MainDialogState } from '../../dialogs/mainDialog';
import { TRANSFER_REASONS, TransferDialog } from '../../dialogs/transferDialog';
import type { HandoffIntentRecognizer, HandoffRecognition } from '../../src/recognizers/handoffIntentRecognizer';
import { MESSAGES, messagesFor } from '../../src/resources/messages';
import type { Transcript } from '../../src/transcript/transcript';
import { RecordingHandoffStarter } from '../support/recordingHandoffStarter';

function client(handoff = new RecordingHandoffStarter(false), recognizer?: HandoffIntentRecognizer): DialogTestClient {
  const conversationState = new ConversationState(new MemoryStorage());
  const transfer = new TransferDialog(handoff, conversationState.createProperty<Transcript>('transcript'));
  const dialog = new MainDialog(
    Faq.default(),
    transfer,
    conversationState.createProperty<MainDialogState>('mainDialog'),
    recognizer === undefined ? {} : { recognizer },
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

/** Sends a message in `locale` and returns every reply of that turn. */
async function turn(c: DialogTestClient, text: string, locale?: string): Promise<Partial<Activity>[]> {
  const replies: Partial<Activity>[] = [];
  let reply = (await c.sendActivity({ type: 'message', text, ...(locale === undefined ? {} : { locale }) })) as
    Partial<Activity> | undefined;
  while (reply !== undefined) {
    replies.push(reply);
    reply = c.getNextReply();
  }
  return replies;
}

/** The texts of every reply of one turn. */
async function texts(c: DialogTestClient, text: string, locale?: string): Promise<string[]> {
  return (await turn(c, text, locale)).map((r) => r.text ?? '');
}

/** Two misunderstandings: the bot asks whether the user wants a person; returns the question. */
async function offer(c: DialogTestClient, locale?: string): Promise<Partial<Activity>> {
  await turn(c, 'blorp', locale);
  const replies = await turn(c, 'zzzt', locale);
  expect(replies).toHaveLength(1);
  return replies[0] ?? {};
}

describe('MainDialog: the offer of a person is a yes/no question', () => {
  it('asks with Yes and No buttons', async () => {
    const question = await offer(client(new RecordingHandoffStarter()));
    expect(question.text).toBe(MESSAGES.offerAgent);
    expect(question.suggestedActions?.actions.map((a): unknown[] => [a.type, a.title, a.value])).toEqual([
      ['imBack', MESSAGES.yesAction, MESSAGES.yesAction],
      ['imBack', MESSAGES.noAction, MESSAGES.noAction],
    ]);
  });

  it.each([MESSAGES.noAction, 'no', 'No thanks', 'nope', 'no thank you', "I'm good", 'cancel'])(
    '"%s" keeps the bot, hands nothing over and resets the count',
    async (answer) => {
      const handoff = new RecordingHandoffStarter();
      const c = client(handoff);
      await offer(c);
      expect(await texts(c, answer)).toEqual([MESSAGES.offerDeclined]);
      expect(await texts(c, 'qwfp')).toEqual([MESSAGES.didNotUnderstand]);
      expect(await texts(c, 'blorp')).toEqual([MESSAGES.offerAgent]);
      expect(handoff.requests).toEqual([]);
    },
  );

  it.each([MESSAGES.yesAction, 'yes', 'Yes please', 'sure', 'can I talk to a human'])(
    '"%s" hands over because the user asked',
    async (answer) => {
      const handoff = new RecordingHandoffStarter();
      const c = client(handoff);
      await offer(c);
      expect(await texts(c, answer)).toEqual([MESSAGES.connecting]);
      expect(handoff.requests).toHaveLength(1);
      expect(handoff.requests[0]?.attributes.handoffReason).toBe(TRANSFER_REASONS.userAsked);
    },
  );

  it('answers a real question asked instead, and withdraws the offer', async () => {
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff);
    await offer(c);
    const [answer] = await texts(c, 'How long does delivery take?');
    expect(answer).toContain('Standard delivery');
    expect(await texts(c, 'yes')).toEqual([MESSAGES.didNotUnderstand]);
    expect(handoff.requests).toEqual([]);
  });

  it('transfers by itself when the answer is a third misunderstanding, saying the bot could not help', async () => {
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff);
    await offer(c);
    expect(await texts(c, 'qwfp')).toEqual([MESSAGES.connecting]);
    expect(handoff.requests[0]?.attributes.handoffReason).toBe(TRANSFER_REASONS.botCouldNotHelp);
  });

  it('tells the user asked for an agent apart from the bot could not help', async () => {
    const handoff = new RecordingHandoffStarter();
    await texts(client(handoff), 'agent please');
    expect(handoff.requests[0]?.attributes.handoffReason).toBe('user asked for an agent');
  });
});

describe('MainDialog: "end chat" and "cancel" with no live chat', () => {
  it('answers plainly and does not count them as misunderstandings', async () => {
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff);
    expect(await texts(c, 'cancel')).toEqual([MESSAGES.nothingToCancel]);
    expect(await texts(c, 'end chat')).toEqual([MESSAGES.noChatToEnd]);
    expect(await texts(c, 'no')).toEqual([MESSAGES.didNotUnderstand]);
    expect(await texts(c, 'stop waiting')).toEqual([MESSAGES.nothingToCancel]);
    expect(await texts(c, 'End the chat')).toEqual([MESSAGES.noChatToEnd]);
    expect(handoff.requests).toEqual([]);
  });

  it('treats bare "end" as an ordinary message', async () => {
    expect(await texts(client(), 'end')).toEqual([MESSAGES.didNotUnderstand]);
  });
});

describe('MainDialog: requests for a person', () => {
  it.each([
    'can I talk to a human',
    'agent please',
    'I want a real person',
    'speak to someone',
    MESSAGES.talkToAgentAction,
  ])('"%s" transfers', async (text) => {
    const handoff = new RecordingHandoffStarter();
    expect(await texts(client(handoff), text)).toEqual([MESSAGES.connecting]);
    expect(handoff.requests).toHaveLength(1);
  });

  it.each(['my travel agent booked the wrong flight', 'is this a human?', "I don't want to talk to an agent"])(
    '"%s" does not transfer',
    async (text) => {
      const handoff = new RecordingHandoffStarter();
      expect(await texts(client(handoff), text)).toEqual([MESSAGES.didNotUnderstand]);
      expect(handoff.requests).toEqual([]);
    },
  );

  it('uses the recognizer it is given', async () => {
    const seen: [string, string | undefined][] = [];
    const recognizer: HandoffIntentRecognizer = {
      recognize(text, locale): Promise<HandoffRecognition> {
        seen.push([text, locale]);
        return Promise.resolve({ intent: text === 'banana' ? 'handoff' : 'none', score: 1 });
      },
    };
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff, recognizer);
    expect(await texts(c, 'agent please', 'en-US')).toEqual([MESSAGES.didNotUnderstand]);
    expect(await texts(c, 'banana', 'en-US')).toEqual([MESSAGES.connecting]);
    expect(seen).toEqual([
      ['agent please', 'en-US'],
      ['banana', 'en-US'],
    ]);
    expect(handoff.requests).toHaveLength(1);
  });
});

describe('MainDialog: localisation', () => {
  const de = messagesFor('de-DE');

  it('greets, helps and answers a German user in German', async () => {
    const c = client();
    const [welcome] = await turn(c, 'Hallo', 'de-DE');
    expect(welcome?.text).toBe(de.welcome);
    expect(welcome?.suggestedActions?.actions.map((a) => a.title)).toEqual([de.talkToAgentAction, de.helpAction]);
    expect(await texts(c, 'Hilfe', 'de-DE')).toEqual([de.help]);
    const [answer] = await texts(c, 'Wie lange dauert die Lieferung?', 'de');
    expect(answer).toContain('Werktage');
    expect(await texts(c, 'Chat beenden', 'de-DE')).toEqual([de.noChatToEnd]);
    expect(await texts(c, 'abbrechen', 'de-DE')).toEqual([de.nothingToCancel]);
    expect(await texts(c, 'Mitarbeiter bitte', 'de-DE')).toEqual([de.agentsNotConfigured]);
  });

  it('asks the German offer with Ja/Nein and understands "nein danke"', async () => {
    const handoff = new RecordingHandoffStarter();
    const c = client(handoff);
    const question = await offer(c, 'de-DE');
    expect(question.text).toBe(de.offerAgent);
    expect(question.suggestedActions?.actions.map((a) => a.title)).toEqual(['Ja', 'Nein']);
    expect(await texts(c, 'nein danke', 'de-DE')).toEqual([de.offerDeclined]);
    await offer(c, 'de-DE');
    expect(await texts(c, 'Ja', 'de-DE')).toEqual([de.connecting]);
    expect(handoff.requests[0]?.attributes.handoffReason).toBe(TRANSFER_REASONS.userAsked);
  });

  it('falls back to English for languages it does not speak', async () => {
    expect(await texts(client(), 'blorp', 'fr-FR')).toEqual([MESSAGES.didNotUnderstand]);
    expect((await turn(client(), 'hello', 'fr-FR'))[0]?.text).toBe(MESSAGES.welcome);
  });

  it('builds the welcome and the end-chat button in the given language', () => {
    expect(MainDialog.welcome('de-DE').text).toBe(de.welcome);
    expect(MainDialog.welcome().text).toBe(MESSAGES.welcome);
    expect(endChatAction('de-DE')).toEqual({ type: 'imBack', title: 'Chat beenden', value: 'Chat beenden' });
    expect(endChatAction()).toEqual({ type: 'imBack', title: 'End chat', value: 'End chat' });
  });

  it('builds the help while connected, which says how to end the chat, with the end-chat button', () => {
    for (const locale of ['en-US', 'de-DE']) {
      const help = connectedHelp(locale);
      expect(help.text).toBe(messagesFor(locale).helpConnected);
      expect(help.suggestedActions?.actions.map((a) => a.title)).toEqual([messagesFor(locale).endChatAction]);
      expect(help.text).toMatch(locale === 'de-DE' ? /„Chat beenden“/ : /"end chat"/);
    }
  });
});
