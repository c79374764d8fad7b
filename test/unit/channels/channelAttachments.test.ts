import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';
import {
  ChannelFileDownloader,
  channelFilesOf,
  checkFile,
  DEFAULT_ATTACHMENT_TYPES,
  FileDownloadError,
  TEAMS_FILE_DOWNLOAD_INFO,
} from '../../../src/handoff/channelAttachments';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

/** Files users send, from the activity shapes the channels really send (docs/bot-framework-channels.md §2.3, §5). */
describe('channelFilesOf', () => {
  it.each<[string, Partial<Activity>, ReturnType<typeof channelFilesOf>]>([
    [
      'a Teams pasted image (needs the bot token), leaving out the text/html copy',
      {
        channelId: 'msteams',
        serviceUrl: SERVICE_URL,
        attachments: [
          { contentType: 'image/*', contentUrl: `${SERVICE_URL}v3/attachments/0-abc/views/original` },
          { contentType: 'text/html', content: '<div><img src="https://us-api.asm.skype.com/x"></div>' },
        ],
      },
      [
        {
          url: `${SERVICE_URL}v3/attachments/0-abc/views/original`,
          name: 'file',
          contentType: 'image/*',
          needsBotToken: true,
          agentCanOpen: false,
        },
      ],
    ],
    [
      'a Teams personal-scope file (pre-authorised download URL)',
      {
        channelId: 'msteams',
        serviceUrl: SERVICE_URL,
        attachments: [
          {
            contentType: TEAMS_FILE_DOWNLOAD_INFO,
            contentUrl: 'https://contoso-my.sharepoint.com/personal/u/Documents/report.pdf',
            name: 'report.pdf',
            content: { downloadUrl: 'https://contoso-my.sharepoint.com/download?x=1', uniqueId: 'u1', fileType: 'pdf' },
          },
        ],
      },
      [
        {
          url: 'https://contoso-my.sharepoint.com/download?x=1',
          name: 'report.pdf',
          contentType: 'application/pdf',
          needsBotToken: false,
          agentCanOpen: false,
        },
      ],
    ],
    [
      'a Web Chat data URL',
      {
        channelId: 'webchat',
        attachments: [{ contentType: 'text/plain', contentUrl: 'data:text/plain;base64,aGk=', name: 'hi.txt' }],
      },
      [
        {
          url: 'data:text/plain;base64,aGk=',
          name: 'hi.txt',
          contentType: 'text/plain',
          needsBotToken: false,
          agentCanOpen: false,
        },
      ],
    ],
    [
      'an Emulator file on a public URL',
      {
        channelId: 'emulator',
        serviceUrl: 'http://localhost:5000',
        attachments: [{ contentType: 'image/png', contentUrl: 'https://files.example/a.png', name: 'a.png' }],
      },
      [
        {
          url: 'https://files.example/a.png',
          name: 'a.png',
          contentType: 'image/png',
          needsBotToken: false,
          agentCanOpen: true,
        },
      ],
    ],
  ])('takes %s', (_name, activity, expected) => {
    expect(channelFilesOf(activity)).toEqual(expected);
  });

  it('takes no sticker, card or link-less attachment as a file', () => {
    expect(
      channelFilesOf({
        channelId: 'facebook',
        channelData: { message: { sticker_id: 369239263222822 } },
        attachments: [{ contentType: 'image/png', contentUrl: 'https://scontent.example/like.png' }],
      }),
    ).toEqual([]);
    expect(
      channelFilesOf({
        attachments: [
          { contentType: 'application/vnd.microsoft.card.hero', content: { title: 'x' } },
          { contentType: 'image/png', contentUrl: 'ftp://files.example/a.png' },
        ],
      }),
    ).toEqual([]);
  });
});

describe('checkFile', () => {
  const policy = { allowedTypes: [...DEFAULT_ATTACHMENT_TYPES, 'video/*'], maxBytes: 1000 };

  it.each([
    ['image/png', 10, undefined],
    ['IMAGE/PNG', 10, undefined],
    ['video/mp4', 10, undefined],
    ['application/x-msdownload', 10, 'fileTypeNotAllowed'],
    ['image/svg+xml', 10, 'fileTypeNotAllowed'],
    ['application/pdf', 1001, 'fileTooLarge'],
    ['application/pdf', undefined, undefined],
  ])('%s of %s bytes → %s', (type, size, expected) => {
    expect(checkFile(policy, type, size)).toBe(expected);
  });
});

describe('ChannelFileDownloader', () => {
  let server: Server;
  let base: string;
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(2000));
      } else if (req.url === '/missing') {
        res.writeHead(404);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'image/jpeg; charset=binary' });
        res.end(Buffer.from([1, 2, 3]));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const downloader = new ChannelFileDownloader({
    botToken: () => Promise.resolve('tok'),
    maxBytes: 1000,
    timeoutMs: 5000,
  });
  const file = (path: string, needsBotToken: boolean, contentType = 'image/*') => ({
    url: `${base}${path}`,
    name: 'x',
    contentType,
    needsBotToken,
    agentCanOpen: false,
  });

  it('sends the bot token only where the channel needs it, and takes the type from the download', async () => {
    seen.length = 0;
    const got = await downloader.download(file('/v3/attachments/a/views/original', true));
    expect(Array.from(got.bytes)).toEqual([1, 2, 3]);
    expect(got.contentType).toBe('image/jpeg');
    await downloader.download(file('/public', false, 'image/png'));
    expect(seen).toEqual(['Bearer tok', undefined]);
  });

  it('refuses a file over the limit as too large, and reports an HTTP failure without the URL', async () => {
    await expect(downloader.download(file('/big', false))).rejects.toMatchObject({ refusal: 'fileTooLarge' });
    const failure = downloader.download(file('/missing', false));
    await expect(failure).rejects.toBeInstanceOf(FileDownloadError);
    await expect(failure).rejects.toThrow('HTTP 404');
  });

  it('decodes data URLs, base64 or not', async () => {
    const plain = await downloader.download({ ...file('', false, 'text/plain'), url: 'data:text/plain,hello%20there' });
    expect(Buffer.from(plain.bytes).toString('utf8')).toBe('hello there');
    const png = await downloader.download({ ...file('', false, 'image/*'), url: 'data:image/png;base64,AQID' });
    expect(png).toEqual({ bytes: new Uint8Array([1, 2, 3]), contentType: 'image/png' });
    await expect(downloader.download({ ...file('', false), url: 'data:nonsense' })).rejects.toBeInstanceOf(
      FileDownloadError,
    );
  });
});
