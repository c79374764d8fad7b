import type { Activity, Attachment } from 'botbuilder';
import { TestAdapter, TurnContext } from 'botbuilder';
import {
  answerOptions,
  matchButtonAnswer,
  renderAgentContent,
  sendKeepingSenderNames,
  type RenderOptions,
  userTimeZone,
} from '../../../src/channels';
import type { FileConsentContextSigner } from '../../../src/channels/outbound/fileConsentCard';
import { type AgentContent, type AgentContentItem, agentMessageContent } from '../../../src/content/content';
import { slotLabel } from '../../../src/content/answerOptions';

const OPTIONS: RenderOptions = { agentName: 'Anna', namePrefix: '{name}: ', facebookHumanAgentTag: false };

function message(...items: AgentContentItem[]): AgentContent {
  return { messageId: 'gm-1', sender: { name: 'Anna', entity: 'Human' }, items };
}
const text = (t: string, format: 'plain' | 'markdown' = 'plain'): AgentContentItem => ({
  kind: 'text',
  text: t,
  format,
});

const LITERAL = 'use <Ctrl>+S, then a < b & c > d';
const MARKDOWN = '**Done** _now_, see [the guide](https://example.com/g?a=1&b=2)\n\n- one\n- two';

describe('renderAgentContent: agent text per channel', () => {
  const cases: [string, AgentContentItem, string, string][] = [
    ['msteams', text(LITERAL), 'Anna: use &lt;Ctrl&gt;+S, then a &lt; b &amp; c &gt; d', 'xml'],
    ['slack', text(LITERAL), 'Anna: use &lt;Ctrl&gt;+S, then a &lt; b &amp; c &gt; d', 'plain'],
    ['facebook', text(LITERAL), `Anna: ${LITERAL}`, 'plain'],
    ['webchat', text(LITERAL), LITERAL, 'markdown'],
    ['directline', text(LITERAL), LITERAL, 'markdown'],
    ['emulator', text(LITERAL), LITERAL, 'markdown'],
    [
      'msteams',
      text(MARKDOWN, 'markdown'),
      'Anna: <b>Done</b> <i>now</i>, see <a href="https://example.com/g?a=1&amp;b=2">the guide</a><br><br><ul><li>one</li><li>two</li></ul>',
      'xml',
    ],
    [
      'slack',
      text(MARKDOWN, 'markdown'),
      'Anna: *Done* _now_, see <https://example.com/g?a=1&amp;b=2|the guide>\n\n• one\n• two',
      'plain',
    ],
    [
      'facebook',
      text(MARKDOWN, 'markdown'),
      'Anna: Done now, see the guide (https://example.com/g?a=1&b=2)\n\n• one\n• two',
      'plain',
    ],
    ['webchat', text(MARKDOWN, 'markdown'), MARKDOWN, 'markdown'],
    [
      'telegram',
      text(MARKDOWN, 'markdown'),
      'Anna: Done now, see the guide (https://example.com/g?a=1&b=2)\n\n• one\n• two',
      'plain',
    ],
  ];

  it.each(cases)('%s: %j', (channelId, item, expected, textFormat) => {
    const [activity, ...rest] = renderAgentContent(channelId, message(item), OPTIONS);
    expect(rest).toEqual([]);
    expect(activity?.text).toBe(expected);
    expect(activity?.textFormat).toBe(textFormat);
  });

  it('names the agent in from.name on Web Chat, Direct Line and the Emulator, with no prefix', () => {
    for (const channelId of ['webchat', 'directline', 'emulator']) {
      const [activity] = renderAgentContent(channelId, message(text('Hi')), OPTIONS);
      expect(activity?.from?.name).toBe('Anna');
      expect(activity?.text).toBe('Hi');
    }
  });

  it('uses the configured prefix format, escaped for the channel, and none when it is empty', () => {
    const options = { ...OPTIONS, agentName: 'A<n>a', namePrefix: '[{name}] ' };
    expect(renderAgentContent('msteams', message(text('Hi')), options)[0]?.text).toBe('[A&lt;n&gt;a] Hi');
    expect(renderAgentContent('msteams', message(text('Hi')), { ...OPTIONS, namePrefix: '' })[0]?.text).toBe('Hi');
    expect(renderAgentContent('slack', message(text('Hi')), { ...OPTIONS, agentName: undefined })[0]?.text).toBe(
      'Anna: Hi',
    );
  });

  it('renders nothing for an empty message', () => {
    expect(renderAgentContent('msteams', message(text('  ')), OPTIONS)).toEqual([]);
  });
});

describe('renderAgentContent: files from the agent', () => {
  const image = { name: 'photo.png', contentType: 'image/png', url: 'https://files.example/photo.png', size: 20_000 };
  const pdf = {
    name: 'terms.pdf',
    contentType: 'application/pdf',
    url: 'https://files.example/terms.pdf',
    size: 340_000,
  };
  const files = message(
    text('Here you go'),
    { kind: 'attachment', attachment: image },
    { kind: 'attachment', attachment: pdf },
  );

  it('Web Chat: image inline, other files as a card with an Open button', () => {
    const [activity] = renderAgentContent('webchat', files, OPTIONS);
    expect(activity?.text).toBe('Here you go');
    const [inline, card] = activity?.attachments ?? [];
    expect(inline).toEqual({ contentType: 'image/png', contentUrl: image.url, name: 'photo.png' });
    expect(card?.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(card?.content).toMatchObject({
      title: 'terms.pdf',
      subtitle: '340 KB',
      buttons: [{ type: 'openUrl', title: 'Open', value: pdf.url }],
    });
  });

  it('Teams: images over 1 MB or of other types become cards', () => {
    const big = { ...image, size: 3_000_000 };
    const webp = { ...image, name: 'p.webp', contentType: 'image/webp' };
    const [activity] = renderAgentContent(
      'msteams',
      message(
        { kind: 'attachment', attachment: big },
        { kind: 'attachment', attachment: webp },
        { kind: 'attachment', attachment: image },
      ),
      OPTIONS,
    );
    expect((activity?.attachments ?? []).map((a: Attachment) => a.contentType)).toEqual([
      'application/vnd.microsoft.card.hero',
      'application/vnd.microsoft.card.hero',
      'image/png',
    ]);
    expect(activity?.text).toBe('Anna:');
  });

  it('Slack: images inline, other files as a link in the text', () => {
    const [activity] = renderAgentContent('slack', files, OPTIONS);
    expect(activity?.text).toBe(
      'Anna: Here you go\n\n<https://files.example/terms.pdf|The agent sent a file: terms.pdf>',
    );
    expect(activity?.attachments).toEqual([{ contentType: 'image/png', contentUrl: image.url, name: 'photo.png' }]);
  });
});

const quickReplies = message(text('Was this helpful?'), {
  kind: 'quickReplies',
  replies: [
    { text: 'Yes', payload: 'yes' },
    { text: 'No', payload: 'no' },
  ],
});

const carousel = message(text('Pick a room'), {
  kind: 'carousel',
  cards: [
    {
      title: 'Standard',
      subtitle: '€90',
      imageUrl: 'https://img.example/std.png',
      actions: [
        { type: 'postback', text: 'Select', payload: 'std' },
        { type: 'link', text: 'Details', url: 'https://hotel.example/std' },
      ],
    },
    { title: 'Deluxe', actions: [{ type: 'postback', text: 'Select', payload: 'dlx' }] },
  ],
});

describe('renderAgentContent: structured content', () => {
  it('quick replies are suggested actions on Web Chat, Teams and Facebook', () => {
    for (const channelId of ['webchat', 'msteams', 'facebook']) {
      const activities = renderAgentContent(channelId, quickReplies, { ...OPTIONS, conversationType: 'personal' });
      expect(activities).toHaveLength(1);
      expect(activities[0]?.suggestedActions?.actions).toEqual([
        { type: 'imBack', title: 'Yes', value: 'Yes' },
        { type: 'imBack', title: 'No', value: 'No' },
      ]);
    }
  });

  it('quick replies are numbered text on Slack and in Teams group chats', () => {
    const [slack] = renderAgentContent('slack', quickReplies, OPTIONS);
    expect(slack?.suggestedActions).toBeUndefined();
    expect(slack?.text).toBe('Anna: Was this helpful?\n\nReply with the number of your choice:\n1. Yes\n2. No');
    const [group] = renderAgentContent('msteams', quickReplies, { ...OPTIONS, conversationType: 'groupChat' });
    expect(group?.suggestedActions).toBeUndefined();
    expect(group?.text).toBe('Anna: Was this helpful?<br><br>Reply with the number of your choice:<br>1. Yes<br>2. No');
  });

  it('Teams puts suggested actions on a text-only message after a file; Web Chat on the message itself', () => {
    const withFile = message(
      text('Here is the form. Done?'),
      {
        kind: 'attachment',
        attachment: { name: 'f.png', contentType: 'image/png', url: 'https://f.example/f.png', size: 10 },
      },
      { kind: 'quickReplies', replies: [{ text: 'Done', payload: 'done' }] },
    );
    const teams = renderAgentContent('msteams', withFile, { ...OPTIONS, conversationType: 'personal' });
    expect(teams).toHaveLength(2);
    expect(teams[0]?.suggestedActions).toBeUndefined();
    expect(teams[1]).toMatchObject({
      text: 'Reply with the number of your choice:<br>1. Done',
      suggestedActions: { actions: [{ type: 'imBack', title: 'Done', value: 'Done' }] },
    });
    expect(teams[1]?.attachments).toBeUndefined();
    const web = renderAgentContent('webchat', withFile, OPTIONS);
    expect(web).toHaveLength(1);
    expect(web[0]?.suggestedActions?.actions).toHaveLength(1);
  });

  it('Teams: a card with more buttons than Teams shows becomes numbered text that also carries the quick replies', () => {
    const busy = message(
      {
        kind: 'attachment',
        attachment: { name: 'f.png', contentType: 'image/png', url: 'https://f.example/f.png', size: 10 },
      },
      {
        kind: 'card',
        card: {
          title: 'Menu',
          actions: ['a', 'b', 'c', 'd'].map((t) => ({ type: 'postback' as const, text: t, payload: t })),
        },
      },
      { kind: 'quickReplies', replies: [{ text: 'Done', payload: 'done' }] },
    );
    const activities = renderAgentContent('msteams', busy, { ...OPTIONS, conversationType: 'personal' });
    expect(activities.map((a) => a.text)).toEqual([
      'Anna: Menu',
      'Reply with the number of your choice:<br>1. a<br>2. b<br>3. c<br>4. d',
    ]);
    expect(activities[0]?.attachments).toHaveLength(1);
    expect(activities[1]?.suggestedActions?.actions).toEqual([{ type: 'imBack', title: 'Done', value: 'Done' }]);
    expect(matchButtonAnswer('5', answerOptions(busy))).toMatchObject({ type: 'QuickReply', payload: 'done' });
  });

  it('offers quick replies without text as a numbered list carrying the suggested actions', () => {
    const [only, ...rest] = renderAgentContent(
      'webchat',
      message({ kind: 'quickReplies', replies: [{ text: 'Yes', payload: 'y' }] }),
      OPTIONS,
    );
    expect(rest).toEqual([]);
    expect(only?.text).toBe('Reply with the number of your choice:\n1. Yes');
    expect(only?.suggestedActions?.actions).toEqual([{ type: 'imBack', title: 'Yes', value: 'Yes' }]);
  });

  it('more quick replies than Teams shows become numbered text', () => {
    const many = message({
      kind: 'quickReplies',
      replies: ['a', 'b', 'c', 'd'].map((t) => ({ text: t, payload: t })),
    });
    const [teams] = renderAgentContent('msteams', many, { ...OPTIONS, conversationType: 'personal' });
    expect(teams?.suggestedActions).toBeUndefined();
    expect(teams?.text).toContain('4. d');
    expect(renderAgentContent('webchat', many, OPTIONS)[0]?.suggestedActions?.actions).toHaveLength(4);
  });

  it('a carousel is hero cards in carousel layout; repeated labels send numbered replies', () => {
    const [intro, cards] = renderAgentContent('webchat', carousel, OPTIONS);
    expect(intro?.text).toBe('Pick a room');
    expect(cards?.attachmentLayout).toBe('carousel');
    expect(cards?.attachments?.map((a) => a.content as unknown)).toEqual([
      {
        title: 'Standard',
        subtitle: '€90',
        images: [{ url: 'https://img.example/std.png' }],
        buttons: [
          { type: 'imBack', title: 'Select', value: '1. Select' },
          { type: 'openUrl', title: 'Details', value: 'https://hotel.example/std' },
        ],
      },
      { title: 'Deluxe', images: [], buttons: [{ type: 'imBack', title: 'Select', value: '2. Select' }] },
    ]);
  });

  it('a single card is a hero card without carousel layout', () => {
    const single = message({ kind: 'card', card: { title: 'Order 42', subtitle: 'Shipped', actions: [] } });
    const [activity] = renderAgentContent('facebook', single, OPTIONS);
    expect(activity?.attachmentLayout).toBeUndefined();
    expect(activity?.attachments?.[0]?.content).toMatchObject({ title: 'Order 42', subtitle: 'Shipped' });
    expect(activity?.text).toBe('Anna:');
  });

  it('Slack gets a carousel as text with numbered options and links', () => {
    const [activity, ...rest] = renderAgentContent('slack', carousel, OPTIONS);
    expect(rest).toEqual([]);
    expect(activity?.text).toBe(
      [
        'Anna: Pick a room',
        'Standard\n€90\n<https://img.example/std.png|Standard>\n<https://hotel.example/std|Details>',
        'Deluxe',
        'Reply with the number of your choice:\n1. Select\n2. Select',
      ].join('\n\n'),
    );
  });

  it('time slots are choices labelled in the user time zone', () => {
    const picker = message({
      kind: 'datePicker',
      title: 'When can we call you?',
      slots: [
        { dateTime: '2026-12-02T14:00:00Z', duration: 30 },
        { dateTime: '2026-12-02T15:00:00Z', duration: 30 },
      ],
    });
    const options = { ...OPTIONS, slotFormat: { timeZone: 'Europe/Berlin', locale: 'en-GB' } };
    const [web] = renderAgentContent('webchat', picker, options);
    expect(web?.text).toBe('When can we call you?');
    const labels = web?.suggestedActions?.actions.map((a) => a.title);
    expect(labels).toEqual([
      expect.stringMatching(/Wed.*2 Dec 2026.*15:00.*\(30 min\)/),
      expect.stringMatching(/16:00/),
    ]);
    const [slack] = renderAgentContent('slack', picker, options);
    expect(slack?.text).toContain(`1. ${labels?.[0] ?? ''}`);
  });
});

describe('answers to options', () => {
  it('maps a typed number, a tapped reply or a unique label to the Genesys button response', () => {
    const pending = answerOptions(carousel);
    expect(matchButtonAnswer('2', pending)).toEqual({
      kind: 'buttonResponse',
      type: 'Button',
      originalMessageId: 'gm-1',
      payload: 'dlx',
      text: 'Select',
    });
    expect(matchButtonAnswer('1. Select', pending)?.payload).toBe('std');
    expect(matchButtonAnswer('select', pending)).toBeUndefined();
    const replies = answerOptions(quickReplies);
    expect(matchButtonAnswer(' yes ', replies)).toMatchObject({ type: 'QuickReply', payload: 'yes' });
    expect(matchButtonAnswer('#2', replies)).toMatchObject({ payload: 'no' });
    expect(matchButtonAnswer('3', replies)).toBeUndefined();
    expect(matchButtonAnswer('maybe later', replies)).toBeUndefined();
  });

  it('prefers a label over a position when options are numbers', () => {
    const rating = answerOptions(
      message({ kind: 'quickReplies', replies: ['5', '4', '3', '2', '1'].map((t) => ({ text: t, payload: `r${t}` })) }),
    );
    expect(matchButtonAnswer('5', rating)?.payload).toBe('r5');
  });

  it('answers a time slot with its date and time as the payload', () => {
    const pending = answerOptions(
      message({ kind: 'datePicker', title: 'When?', slots: [{ dateTime: '2026-12-02T14:00:00Z' }] }),
    );
    expect(matchButtonAnswer('1', pending)).toMatchObject({ type: 'DatePicker', payload: '2026-12-02T14:00:00Z' });
  });
});

describe('Facebook human-agent tag', () => {
  it('tags agent messages on Facebook only when enabled', () => {
    const tagged = renderAgentContent('facebook', quickReplies, { ...OPTIONS, facebookHumanAgentTag: true });
    expect(tagged[0]?.channelData).toEqual({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(renderAgentContent('facebook', quickReplies, OPTIONS)[0]?.channelData).toBeUndefined();
    const fromBotFlow = { ...quickReplies, sender: { entity: 'Bot' as const } };
    expect(
      renderAgentContent('facebook', fromBotFlow, { ...OPTIONS, facebookHumanAgentTag: true })[0]?.channelData,
    ).toBeUndefined();
    expect(
      renderAgentContent('webchat', quickReplies, { ...OPTIONS, facebookHumanAgentTag: true })[0]?.channelData,
    ).toBeUndefined();
  });
});

describe('sendKeepingSenderNames', () => {
  it('sends with the agent name on the bot account', async () => {
    const sent: Partial<Activity>[] = [];
    const adapter = new TestAdapter(async (context: TurnContext) => {
      await sendKeepingSenderNames(context, renderAgentContent('webchat', message(text('Hello')), OPTIONS));
      await context.sendActivity('from the bot');
    });
    await adapter
      .send('hi')
      .assertReply((a) => {
        sent.push(a);
      })
      .assertReply((a) => {
        sent.push(a);
      });
    expect(sent[0]).toMatchObject({ text: 'Hello', from: { id: 'bot', name: 'Anna' } });
    expect(sent[1]?.from?.name).not.toBe('Anna');
  });
});

describe('agentMessageContent', () => {
  it('brings a text-and-links agent message into the content model', () => {
    const content = agentMessageContent(
      {
        id: 'gm-9',
        text: 'See **this**',
        agent: { name: 'Anna' },
        attachments: [
          { url: 'https://files.example/dir/price%20list.pdf' },
          { url: 'https://files.example/p', name: 'p.png', contentType: 'image/png' },
        ],
      },
      'markdown',
    );
    expect(content).toEqual({
      messageId: 'gm-9',
      sender: { name: 'Anna', entity: 'Human' },
      items: [
        { kind: 'text', text: 'See **this**', format: 'markdown' },
        {
          kind: 'attachment',
          attachment: {
            name: 'price list.pdf',
            contentType: 'application/pdf',
            url: 'https://files.example/dir/price%20list.pdf',
          },
        },
        { kind: 'attachment', attachment: { name: 'p.png', contentType: 'image/png', url: 'https://files.example/p' } },
      ],
    });
    const [teams] = renderAgentContent('msteams', content, { ...OPTIONS, agentName: undefined });
    expect(teams?.text).toBe('Anna: See <b>this</b>');
  });
});

describe('slotLabel', () => {
  it('labels in the given zone and falls back to UTC for a zone the platform does not know', () => {
    const slot = { dateTime: '2026-12-02T14:00:00Z', duration: 45 };
    expect(slotLabel(slot, { timeZone: 'America/New_York', locale: 'en-US' })).toMatch(
      /Wed, Dec 2, 2026.*09:00 AM EST \(45 min\)/,
    );
    expect(slotLabel(slot, { timeZone: 'Mars/Olympus' })).toBe(slotLabel(slot));
    expect(slotLabel(slot)).toMatch(/Wed, 2 Dec 2026, 14:00 UTC \(45 min\)/);
  });

  it('shows a date and time it cannot read as Genesys sent it', () => {
    expect(slotLabel({ dateTime: 'tomorrow at noon' })).toBe('tomorrow at noon');
  });
});

describe('labels in the user language', () => {
  const file = (name: string, contentType: string, size: number): AgentContentItem => ({
    kind: 'attachment',
    attachment: { name, contentType, url: `https://files.example/${name}`, size },
  });

  it('writes the labels the bot adds in German for a German user, and in English otherwise', () => {
    const replies = message(text('Wie zufrieden sind Sie?'), {
      kind: 'quickReplies',
      replies: [
        { text: 'Sehr', payload: 'a' },
        { text: 'Gar nicht', payload: 'b' },
      ],
    });
    const [slack] = renderAgentContent('slack', replies, { ...OPTIONS, locale: 'de-DE' });
    expect(slack?.text).toBe(
      'Anna: Wie zufrieden sind Sie?\n\nAntworten Sie mit der Nummer Ihrer Wahl:\n1. Sehr\n2. Gar nicht',
    );
    const [english] = renderAgentContent('slack', replies, { ...OPTIONS, locale: 'fr-FR' });
    expect(english?.text).toContain('Reply with the number of your choice:');

    const [card] = renderAgentContent('webchat', message(file('Vertrag.pdf', 'application/pdf', 3_400_000)), {
      ...OPTIONS,
      locale: 'de-DE',
    }).flatMap((a) => a.attachments ?? []);
    expect(card?.content).toMatchObject({
      title: 'Vertrag.pdf',
      subtitle: '3,4 MB',
      buttons: [{ type: 'openUrl', title: 'Öffnen', value: 'https://files.example/Vertrag.pdf' }],
    });
    const [englishCard] = renderAgentContent('webchat', message(file('terms.pdf', 'application/pdf', 3_400_000)), {
      ...OPTIONS,
    }).flatMap((a) => a.attachments ?? []);
    expect(englishCard?.content).toMatchObject({ subtitle: '3.4 MB', buttons: [{ title: 'Open' }] });

    const [link] = renderAgentContent('slack', message(file('Vertrag.pdf', 'application/pdf', 10)), {
      ...OPTIONS,
      locale: 'de',
    });
    expect(link?.text).toBe(
      'Anna: <https://files.example/Vertrag.pdf|Der Mitarbeiter hat eine Datei gesendet: Vertrag.pdf>',
    );
  });

  it('titles a picker without a title and labels its slots in the user locale and time zone', () => {
    const picker = message({
      kind: 'datePicker',
      title: '',
      slots: [{ dateTime: '2026-12-02T14:00:00Z', duration: 30 }],
    });
    const german = { ...OPTIONS, locale: 'de-DE', slotFormat: { timeZone: 'Europe/Berlin' } };
    const [web] = renderAgentContent('webchat', picker, german);
    expect(web?.text).toBe('Wählen Sie einen Termin:');
    expect(web?.suggestedActions?.actions.map((a) => a.title)).toEqual(['Mi., 2. Dez. 2026, 15:00 MEZ (30 Min.)']);
    const [slack] = renderAgentContent('slack', picker, { ...OPTIONS, locale: 'de-DE' });
    expect(slack?.text).toBe(
      'Anna: Wählen Sie einen Termin:\n\nAntworten Sie mit der Nummer Ihrer Wahl:\n1. Mi., 2. Dez. 2026, 14:00 UTC (30 Min.)',
    );
    const [english] = renderAgentContent('webchat', picker, OPTIONS);
    expect(english?.text).toBe('Choose a time:');
    expect(english?.suggestedActions?.actions.map((a) => a.title)).toEqual(['Wed, 2 Dec 2026, 14:00 UTC (30 min)']);
  });
});

describe('userTimeZone', () => {
  it.each([
    ['Web Chat localTimezone', { channelId: 'webchat', localTimezone: 'Europe/Berlin' }, 'Europe/Berlin'],
    [
      'Teams clientInfo entity',
      {
        channelId: 'msteams',
        entities: [
          { type: 'mention', text: '<at>Bot</at>' },
          { type: 'clientInfo', locale: 'de-DE', country: 'DE', platform: 'Web', timezone: 'Europe/Vienna' },
        ],
      },
      'Europe/Vienna',
    ],
    ['no zone', { channelId: 'slack' }, undefined],
    ['a zone Intl does not know', { channelId: 'webchat', localTimezone: 'Mars/Olympus' }, undefined],
    ['a malformed entity list', { channelId: 'msteams', entities: 'clientInfo' as unknown as [] }, undefined],
  ])('%s', (_, activity, zone) => {
    expect(userTimeZone(activity as Partial<Activity>)).toBe(zone);
  });
});

describe('Teams files from the agent', () => {
  const pdf = message({
    kind: 'attachment',
    attachment: {
      name: 'terms.pdf',
      contentType: 'application/pdf',
      url: 'https://files.example/terms.pdf',
      size: 2048,
    },
  });

  /** Signs as the bot does, with fixed values: what the card carries is what the signer returns. */
  const signFileConsent: FileConsentContextSigner = (context) => ({
    ...context,
    conversationId: 'a:1chat',
    expiresAt: 1_800_000_000_000,
    signature: 'c2lnbmF0dXJl',
  });

  it('offers a file with a file consent card in a personal chat, in the user language, its context signed', () => {
    const [activity] = renderAgentContent('msteams', pdf, {
      ...OPTIONS,
      conversationType: 'personal',
      locale: 'de-DE',
      signFileConsent,
    });
    const context = {
      kind: 'agentFile',
      file: { name: 'terms.pdf', contentType: 'application/pdf', url: 'https://files.example/terms.pdf', size: 2048 },
      locale: 'de-DE',
      conversationId: 'a:1chat',
      expiresAt: 1_800_000_000_000,
      signature: 'c2lnbmF0dXJl',
    };
    expect(activity?.attachments).toEqual([
      {
        contentType: 'application/vnd.microsoft.teams.card.file.consent',
        name: 'terms.pdf',
        content: {
          description: 'Der Mitarbeiter hat eine Datei gesendet: terms.pdf',
          sizeInBytes: 2048,
          acceptContext: context,
          declineContext: context,
        },
      },
    ]);
  });

  it('offers the file with an "Open" button in a personal chat when consent cards cannot be signed', () => {
    const [activity] = renderAgentContent('msteams', pdf, { ...OPTIONS, conversationType: 'personal' });
    expect(activity?.attachments?.[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.hero',
      content: { title: 'terms.pdf', buttons: [{ type: 'openUrl', value: 'https://files.example/terms.pdf' }] },
    });
  });

  it.each([['groupChat'], ['channel'], [undefined]])(
    'keeps the card with an "Open" button in a %s conversation, where bots cannot send files',
    (conversationType) => {
      const [activity] = renderAgentContent('msteams', pdf, {
        ...OPTIONS,
        signFileConsent,
        ...(conversationType === undefined ? {} : { conversationType }),
      });
      expect(activity?.attachments?.[0]).toMatchObject({
        contentType: 'application/vnd.microsoft.card.hero',
        content: { title: 'terms.pdf', buttons: [{ type: 'openUrl', value: 'https://files.example/terms.pdf' }] },
      });
    },
  );
});
