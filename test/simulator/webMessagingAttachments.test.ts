import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { createSilentLogger } from '../../src/logger';
import { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';

const DEPLOYMENT = 'files-deployment';

/** A raw guest socket: sends frames and waits for the ones it needs. */
class Guest {
  readonly frames: Record<string, unknown>[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly token = randomUUID();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(simulator: WebMessagingSimulator): Promise<Guest> {
    const ws = new WebSocket(`${simulator.webMessagingUrl}?deploymentId=${DEPLOYMENT}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const guest = new Guest(ws);
    guest.send({ action: 'configureSession', deploymentId: DEPLOYMENT });
    await guest.next((f) => f.class === 'SessionResponse');
    return guest;
  }

  send(request: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ token: this.token, tracingId: randomUUID(), ...request }));
  }

  async next(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.frames.find(match);
      if (found !== undefined) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error('no matching frame');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

const bodyOf = (frame: Record<string, unknown>): Record<string, unknown> => frame.body as Record<string, unknown>;

/** The simulator's guest attachment flow as a client sees it (docs/genesys-protocol.md §5.9). */
describe('Web Messaging simulator: guest attachments', () => {
  let simulator: WebMessagingSimulator;
  let guest: Guest;

  beforeAll(async () => {
    simulator = new WebMessagingSimulator({
      deployments: [
        {
          id: DEPLOYMENT,
          attachments: { fileTypes: ['image/*', 'text/plain'], maxFileSizeKB: 2, blockedExtensions: ['.exe'] },
        },
      ],
      port: 0,
      host: '127.0.0.1',
      logger: createSilentLogger(),
    });
    await simulator.start();
  });

  beforeEach(async () => {
    guest = await Guest.connect(simulator);
  });

  afterEach(() => {
    guest.close();
  });

  afterAll(async () => {
    await simulator.stop();
  });

  async function presign(fileName: string, fileType: string, fileSize: number): Promise<Record<string, unknown>> {
    const attachmentId = randomUUID();
    guest.send({ action: 'onAttachment', attachmentId, fileName, fileType, fileSize, errorsAsJson: true });
    return guest.next((f) => bodyOf(f).attachmentId === attachmentId);
  }

  it('tells the profile in the SessionResponse', async () => {
    const other = await Guest.connect(simulator);
    other.send({ action: 'configureSession', deploymentId: DEPLOYMENT });
    const session = await other.next((f) => f.class === 'SessionResponse');
    expect(bodyOf(session)).toMatchObject({
      allowedMedia: { inbound: { fileTypes: [{ type: 'image/*' }, { type: 'text/plain' }], maxFileSizeKB: 2 } },
      blockedExtensions: ['.exe'],
    });
    other.close();
  });

  it('uploads with the presigned headers, reports success, and attaches the file to the next message', async () => {
    const presigned = await presign('note.txt', 'text/plain', 11);
    expect(presigned).toMatchObject({ type: 'response', class: 'PresignedUrlResponse', code: 200 });
    const { url, headers, attachmentId } = bodyOf(presigned) as {
      url: string;
      headers: Record<string, string>;
      attachmentId: string;
    };
    // Before the upload the attachment cannot be sent (4010).
    guest.send({
      action: 'onMessage',
      message: { type: 'Text', text: '', content: [{ contentType: 'Attachment', attachment: { id: attachmentId } }] },
    });
    expect(await guest.next((f) => f.code === 4010)).toMatchObject({ class: 'string' });
    expect((await fetch(url, { method: 'PUT', body: 'hello agent' })).status).toBe(403);
    const put = await fetch(url, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: 'hello agent',
    });
    expect(put.status).toBe(200);
    const success = await guest.next((f) => f.class === 'UploadSuccessEvent');
    expect(success).toMatchObject({ type: 'message', code: 200, body: { attachmentId } });
    guest.send({
      action: 'onMessage',
      message: { type: 'Text', text: '', content: [{ contentType: 'Attachment', attachment: { id: attachmentId } }] },
    });
    const echo = await guest.next((f) => f.class === 'StructuredMessage');
    const content = (bodyOf(echo).content as { attachment: Record<string, unknown> }[])[0]?.attachment;
    expect(content).toMatchObject({
      id: attachmentId,
      filename: 'note.txt',
      mime: 'text/plain',
      fileSize: 11,
      mediaType: 'File',
    });
    expect(await (await fetch(String(content?.url))).text()).toBe('hello agent');
    const chat = simulator.conversations().find((c) => c.sessionToken === guest.token);
    expect(chat?.messages.at(-1)?.attachments).toEqual([
      { url: content?.url, filename: 'note.txt', mime: 'text/plain' },
    ]);
  });

  it.each([
    ['a name without an extension', 'README', 'text/plain', 10, 4004],
    ['a blocked extension', 'setup.exe', 'text/plain', 10, 4001],
    ['a type the deployment does not allow', 'doc.pdf', 'application/pdf', 10, 4001],
    ['a declared size over the limit', 'big.png', 'image/png', 2001, 4002],
    ['an empty file', 'empty.png', 'image/png', 0, 4003],
  ])('refuses %s with GenerateUrlError', async (_name, fileName, fileType, fileSize, errorCode) => {
    const answer = await presign(fileName, fileType, fileSize);
    expect(answer).toMatchObject({ class: 'GenerateUrlError', code: 200, body: { errorCode } });
  });

  it('refuses bytes over the limit after the upload with UploadFailureEvent', async () => {
    const presigned = await presign('small.png', 'image/png', 100);
    const { url, headers, attachmentId } = bodyOf(presigned) as {
      url: string;
      headers: Record<string, string>;
      attachmentId: string;
    };
    const put = await fetch(url, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'image/png' },
      body: new Uint8Array(2001),
    });
    expect(put.status).toBe(200);
    expect(await guest.next((f) => f.class === 'UploadFailureEvent')).toMatchObject({
      code: 200,
      body: { attachmentId, errorCode: 4002 },
    });
  });

  it('discards an uploaded attachment on deleteAttachment', async () => {
    const presigned = await presign('photo.png', 'image/png', 3);
    const { url, headers, attachmentId } = bodyOf(presigned) as {
      url: string;
      headers: Record<string, string>;
      attachmentId: string;
    };
    await fetch(url, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'image/png' },
      body: new Uint8Array([1, 2, 3]),
    });
    await guest.next((f) => f.class === 'UploadSuccessEvent');
    guest.send({ action: 'deleteAttachment', attachmentId });
    expect(await guest.next((f) => f.class === 'AttachmentDeletedResponse')).toMatchObject({ body: { attachmentId } });
    expect(simulator.attachmentBytes(attachmentId)).toBeUndefined();
    guest.send({ action: 'deleteAttachment', attachmentId });
    expect(await guest.next((f) => f.code === 4009)).toMatchObject({ class: 'string' });
  });
});
