import fc from 'fast-check';
import { decode } from 'html-entities';
import { normaliseInbound, renderAgentContent } from '../../../src/channels';
import { contentText } from '../../../src/content/content';
import { convertMarkdown, escapeText } from '../../../src/content/markdown';

describe('convertMarkdown', () => {
  const cases: [string, string, string, string][] = [
    // [markdown, html, slack, plain]
    ['**b** _i_ ~~s~~', '<b>b</b> <i>i</i> <s>s</s>', '*b* _i_ ~s~', 'b i s'],
    ['`a < b` and x', '<code>a &lt; b</code> and x', '`a &lt; b` and x', 'a < b and x'],
    [
      '```\nif (a && b) {}\n```',
      '<pre>if (a &amp;&amp; b) {}</pre>',
      '```\nif (a &amp;&amp; b) {}\n```',
      'if (a && b) {}',
    ],
    ['# Title\n\ntext', '<b>Title</b><br><br>text', '*Title*\n\ntext', 'Title\n\ntext'],
    ['1. a\n2. b', '<ol><li>a</li><li>b</li></ol>', '1. a\n2. b', '1. a\n2. b'],
    ['3. c\n4. d', '<ol start="3"><li>c</li><li>d</li></ol>', '3. c\n4. d', '3. c\n4. d'],
    ['> note', '<blockquote>note</blockquote>', '> note', '> note'],
    [
      '[mail](mailto:a@example.com)',
      '<a href="mailto:a@example.com">mail</a>',
      '<mailto:a@example.com|mail>',
      'mail (a@example.com)',
    ],
    ['<b>raw</b> html', '&lt;b&gt;raw&lt;/b&gt; html', '&lt;b&gt;raw&lt;/b&gt; html', '<b>raw</b> html'],
    ['\\*not bold\\*', '*not bold*', '*not bold*', '*not bold*'],
    [
      '![logo](https://x.example/l.png)',
      '<a href="https://x.example/l.png">logo</a>',
      '<https://x.example/l.png|logo>',
      'logo (https://x.example/l.png)',
    ],
    ['a | b\n--- | ---\n1 | 2', 'a | b<br>1 | 2', 'a | b\n1 | 2', 'a | b\n1 | 2'],
  ];

  it.each(cases)('%j', (markdown, html, slack, plain) => {
    expect(convertMarkdown(markdown, 'html')).toBe(html);
    expect(convertMarkdown(markdown, 'slack')).toBe(slack);
    expect(convertMarkdown(markdown, 'plain')).toBe(plain);
  });

  it('never turns an unsafe link into a link', () => {
    expect(convertMarkdown('[x](javascript:alert(1))', 'html')).toBe('x (javascript:alert(1))');
    expect(convertMarkdown('[x](javascript:alert(1))', 'slack')).toBe('x (javascript:alert(1))');
  });
});

/** What Teams shows for `xml` text: entities decoded, `<br>` as line breaks (for text without tags). */
const teamsShows = (xml: string): string => decode(xml.replace(/<br>/g, '\n'), { level: 'html5' });
/** What Slack shows for mrkdwn without control sequences. */
const slackShows = (mrkdwn: string): string => decode(mrkdwn, { level: 'xml' });

describe('literal agent text survives every channel', () => {
  it('Teams and Slack show exactly what the agent typed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (typed) => {
        expect(teamsShows(escapeText(typed, 'html'))).toBe(typed);
        expect(slackShows(escapeText(typed, 'slack'))).toBe(typed);
        expect(escapeText(typed, 'slack')).not.toMatch(/[<>]/);
      }),
    );
  });

  it('plain agent text sent to Teams contains no tag but <br>', () => {
    fc.assert(
      fc.property(fc.string(), (typed) => {
        const [activity] = renderAgentContent(
          'msteams',
          { messageId: 'm', items: [{ kind: 'text', text: typed, format: 'plain' }] },
          {
            namePrefix: '',
            facebookHumanAgentTag: false,
          },
        );
        expect((activity?.text ?? '').replace(/<br>/g, '')).not.toMatch(/[<>]/);
      }),
    );
  });

  it('Markdown conversion never throws and yields text for any input', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('html' as const, 'slack' as const, 'plain' as const),
        (markdown, target) => {
          expect(typeof convertMarkdown(markdown, target)).toBe('string');
        },
      ),
    );
  });
});

describe('normaliseInbound takes any activity shape without throwing', () => {
  it('for every channel', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('msteams', 'slack', 'facebook', 'webchat', 'directline', 'emulator', 'sms'),
        fc.anything(),
        fc.anything(),
        fc.array(
          fc.record({
            contentType: fc.oneof(fc.constant('text/html'), fc.string()),
            content: fc.anything(),
            contentUrl: fc.oneof(fc.webUrl(), fc.string()),
            name: fc.anything(),
          }),
        ),
        fc.anything(),
        (channelId, text, entities, attachments, channelData) => {
          const activity = {
            type: 'message',
            channelId,
            text,
            entities,
            attachments,
            channelData,
          } as unknown as Parameters<typeof normaliseInbound>[0];
          const content = normaliseInbound(activity, '28:bot');
          expect(typeof contentText(content)).toBe('string');
        },
      ),
    );
  });

  it('reads Teams HTML of any text back as typed', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', minLength: 1 }).filter((s) => s.trim() !== '' && !/\s{2}/.test(s)),
        (typed) => {
          const html = `<p>${typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`;
          const content = normaliseInbound(
            {
              type: 'message',
              channelId: 'msteams',
              text: '',
              attachments: [{ contentType: 'text/html', content: html }],
            },
            '28:bot',
          );
          expect(contentText(content)).toBe(typed.trim());
        },
      ),
    );
  });
});
