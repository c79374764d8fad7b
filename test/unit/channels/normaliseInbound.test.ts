import type { Activity } from 'botbuilder';
import { normaliseInbound } from '../../../src/channels';
import { contentAttachments, contentText } from '../../../src/content/content';

const TEAMS_BOT = '28:11111111-2222-3333-4444-555555555555';

/** A Teams message as the channel delivers it: plain `text`, the `text/html` attachment and mention entities. */
function teams(text: string, html: string | undefined, entities: Activity['entities'] = []): Partial<Activity> {
  return {
    type: 'message',
    channelId: 'msteams',
    text,
    textFormat: 'plain',
    recipient: { id: TEAMS_BOT, name: 'HelpBot' },
    entities,
    attachments: html === undefined ? [] : [{ contentType: 'text/html', content: html }],
  };
}

const botMention = { type: 'mention', mentioned: { id: TEAMS_BOT, name: 'HelpBot' }, text: '<at>HelpBot</at>' };
const janeMention = { type: 'mention', mentioned: { id: '29:jane', name: 'Jane Doe' }, text: '<at>Jane Doe</at>' };

describe('normaliseInbound: the text the agent sees', () => {
  const cases: [string, Partial<Activity>, string][] = [
    [
      'Teams keeps what Teams strips from text, from the HTML attachment',
      teams('My serial is  and 5 > 3', '<p>My serial is &lt;AB-12&gt; and 5 &gt; 3</p>'),
      'My serial is <AB-12> and 5 > 3',
    ],
    [
      'Teams removes the bot mention and keeps other mentions as names (HTML)',
      teams(
        '<at>HelpBot</at> please ask <at>Jane Doe</at> about it',
        '<div><div><at id="0">HelpBot</at>&nbsp;please ask <at id="1">Jane Doe</at> about it</div></div>',
        [botMention, janeMention],
      ),
      'please ask Jane Doe about it',
    ],
    [
      'Teams removes the bot mention from plain text when there is no HTML',
      teams('<at>HelpBot</at> hello &amp; thanks', undefined, [botMention]),
      'hello & thanks',
    ],
    [
      'Teams schema.skype.com mention spans and emoji images',
      teams(
        '<at>HelpBot</at> thanks',
        '<p><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">HelpBot</span>&nbsp;thanks <img itemscope="" itemtype="http://schema.skype.com/Emoji" itemid="smile" alt="🙂" src="https://x/smile.png"></p>',
        [botMention],
      ),
      'thanks 🙂',
    ],
    [
      'Teams line breaks, lists and links from HTML',
      teams(
        'Steps: one two',
        '<p>Steps:</p><ul><li>one</li><li>two &amp; three</li></ul><p><a href="https://example.com/a">the doc</a></p>',
      ),
      'Steps:\n- one\n- two & three\nthe doc (https://example.com/a)',
    ],
    [
      'Teams falls back to text when the HTML carries less',
      teams('a long plain text', '<p>a</p>'),
      'a long plain text',
    ],
    [
      'Slack links, mailto, user mentions and entities',
      {
        type: 'message',
        channelId: 'slack',
        recipient: { id: 'UBOT:TTEAM', name: 'helpbot' },
        text: '<@UBOT> see <https://example.com/a?b=1&amp;c=2|the docs>, mail <mailto:a@example.com|a@example.com> or ask <@U123|jane> &amp; <@U456>: 5 &lt; 6 &gt; 4 <!here> in <#C1|general>',
      },
      'see the docs (https://example.com/a?b=1&c=2), mail a@example.com or ask @jane & @U456: 5 < 6 > 4 @here in #general',
    ],
    [
      'Slack bare links and percent-encoded e-mail addresses',
      {
        type: 'message',
        channelId: 'slack',
        recipient: { id: 'UBOT:TTEAM', name: 'helpbot' },
        text: 'go to <https://example.com> or <http://a%40a.com|a%40a.com> or <mailto:b@example.com|write us>',
      },
      'go to https://example.com or a@a.com or write us (b@example.com)',
    ],
    [
      'Slack removes the bot user named by a mention entity',
      {
        type: 'message',
        channelId: 'slack',
        recipient: { id: 'B0BOT:TTEAM', name: 'helpbot' },
        entities: [{ type: 'mention', mentioned: { id: 'B0BOT:TTEAM', name: 'helpbot' }, text: '<@U0BOTUSER>' }],
        text: '<@U0BOTUSER> where is my order?',
      },
      'where is my order?',
    ],
    [
      'Facebook like sticker becomes the thumbs-up',
      {
        type: 'message',
        channelId: 'facebook',
        recipient: { id: 'page', name: 'Shop' },
        attachments: [{ contentType: 'image/png', contentUrl: 'https://scontent.xx.fbcdn.net/like.png' }],
        channelData: {
          message: {
            mid: 'm1',
            sticker_id: 369239263222822,
            attachments: [
              {
                type: 'image',
                payload: { url: 'https://scontent.xx.fbcdn.net/like.png', sticker_id: 369239263222822 },
              },
            ],
          },
        },
      },
      '👍',
    ],
    [
      'Facebook other stickers get a short description',
      {
        type: 'message',
        channelId: 'facebook',
        recipient: { id: 'page', name: 'Shop' },
        attachments: [{ contentType: 'image/png', contentUrl: 'https://scontent.xx.fbcdn.net/cat.png' }],
        channelData: { message: { attachments: [{ type: 'image', payload: { url: 'https://x', sticker_id: 1234 } }] } },
      },
      '[Sticker]',
    ],
    [
      'Web Chat text as typed, Markdown left',
      { type: 'message', channelId: 'webchat', text: '  **bold** <b>x</b> & y  ' },
      '**bold** <b>x</b> & y',
    ],
    ['Emulator text as typed', { type: 'message', channelId: 'emulator', text: 'a < b' }, 'a < b'],
  ];

  it.each(cases)('%s', (_name, activity, expected) => {
    const content = normaliseInbound(activity, activity.recipient?.id ?? '');
    expect(contentText(content)).toBe(expected);
  });

  it('never passes a sticker image on as a file', () => {
    const content = normaliseInbound(cases.find(([name]) => name.startsWith('Facebook like'))![1], 'page');
    expect(contentAttachments(content)).toEqual([]);
  });
});

describe('normaliseInbound: files from the user', () => {
  it('Web Chat file upload: name, type and URL', () => {
    const content = normaliseInbound(
      {
        type: 'message',
        channelId: 'webchat',
        attachments: [
          {
            contentType: 'application/pdf',
            contentUrl: 'https://directline.botframework.com/attachments/x/0',
            name: 'invoice.pdf',
          },
        ],
      },
      'bot',
    );
    expect(content.items).toEqual([
      {
        kind: 'attachment',
        attachment: {
          name: 'invoice.pdf',
          contentType: 'application/pdf',
          url: 'https://directline.botframework.com/attachments/x/0',
        },
      },
    ]);
  });

  it('Teams pasted image: no text, a bot-token URL, the HTML <img> not taken as text', () => {
    const url = 'https://smba.trafficmanager.net/emea/v3/attachments/0-abc/views/original';
    const content = normaliseInbound(
      {
        ...teams('', '<div><img src="https://eu-api.asm.skype.com/v1/objects/0-abc/views/imgo" itemscope="png"></div>'),
        attachments: [
          { contentType: 'image/*', contentUrl: url },
          { contentType: 'text/html', content: '<div><img src="https://eu-api.asm.skype.com/x"></div>' },
        ],
      },
      TEAMS_BOT,
    );
    expect(contentText(content)).toBe('');
    expect(contentAttachments(content)).toEqual([{ name: 'image', contentType: 'image/*', url, needsBotToken: true }]);
  });

  it('Teams OneDrive file: the direct download URL and a type from the file name', () => {
    const content = normaliseInbound(
      {
        ...teams('', undefined),
        attachments: [
          {
            contentType: 'application/vnd.microsoft.teams.file.download.info',
            contentUrl: 'https://contoso.sharepoint.com/personal/report.docx',
            name: 'report.docx',
            content: { downloadUrl: 'https://download.example/report', uniqueId: 'u1', fileType: 'docx' },
          },
        ],
      },
      TEAMS_BOT,
    );
    expect(contentAttachments(content)).toEqual([
      {
        name: 'report.docx',
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        url: 'https://download.example/report',
      },
    ]);
  });

  it('ignores cards and attachments without a URL', () => {
    const content = normaliseInbound(
      {
        type: 'message',
        channelId: 'webchat',
        text: 'hi',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: {} }],
      },
      'bot',
    );
    expect(content.items).toEqual([{ kind: 'text', text: 'hi', format: 'plain' }]);
  });
});
