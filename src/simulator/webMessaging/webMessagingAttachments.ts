import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord } from '../../json';
import {
  DEFAULT_ATTACHMENT_PROFILE,
  send,
  stringFrame,
  type Connection,
  type Session,
  type WebMessagingModel,
} from './webMessagingModel';
import type { SimulatedAttachmentProfile } from './webMessagingTypes';

/** [C] docs/genesys-protocol.md §5.7: a file name is shorter than 1,024 characters. */
const MAX_FILE_NAME_CHARS = 1023;
/** [I] The tag header a presigned S3 URL of Genesys asks for (§5.9 step 2: `headers`). */
const TAGGING_HEADER = 'x-amz-tagging';

/** A file held by the simulator: a guest upload, or a file an agent sends. */
interface StoredFile {
  attachmentId: string;
  /** Session of a guest upload (undefined for agent files). */
  sessionToken?: string;
  fileName: string;
  fileType: string;
  /** Declared size (`fileSize` of `onAttachment`), bytes. */
  declaredSize: number;
  tagging: string;
  state: 'presigned' | 'uploaded' | 'failed';
  bytes?: Buffer;
}

/** A guest's file as the agent sees it (agent control, the console). */
export interface GuestFile {
  url: string;
  filename: string;
  mime: string;
}

/**
 * The guest attachment flow of the Web Messaging simulator (docs/genesys-protocol.md §5.9):
 * `onAttachment` answers `PresignedUrlResponse` with an upload URL on the simulator's own HTTP
 * server; the `PUT` stores the bytes and Genesys' verdict follows as `UploadSuccessEvent` (with a
 * `downloadUrl` the agent can open) or `UploadFailureEvent` (error in the body, envelope code 200);
 * `deleteAttachment` discards an upload (`AttachmentDeletedResponse`); an `onMessage` whose content
 * names an uploaded attachment id carries the full attachment in its echo and to the agent.
 *
 * Checks, per deployment ({@link SimulatedAttachmentProfile}): [C] an extension is required (4004),
 * the name is under 1,024 characters (4005), an empty file is refused (4003); [I] the declared type
 * and size are checked when the URL is asked for (`GenerateUrlError` 4001/4002) and the bytes and
 * their `Content-Type` again after the upload (`UploadFailureEvent` 4001/4002/4003).
 */
export class WebMessagingAttachments {
  /** Files by their secret URL key. */
  private readonly files = new Map<string, StoredFile>();
  /** URL key of each attachment id. */
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly model: WebMessagingModel,
    private readonly apiUrl: () => string,
  ) {}

  /** `onAttachment`: a presigned upload URL, or `GenerateUrlError`. */
  onAttachment(
    connection: Connection,
    session: Session,
    request: { attachmentId: string; fileName: string; fileType: string; fileSize?: number; tracingId?: string },
  ): void {
    const { attachmentId, fileName, fileType, tracingId } = request;
    this.model.counters.uploadUrlRequests++;
    const trace = tracingId === undefined ? {} : { tracingId };
    const refusal =
      nameRefusal(fileName, session.deployment.attachments) ??
      typeRefusal(fileType, session.deployment.attachments) ??
      sizeRefusal(request.fileSize, session.deployment.attachments);
    if (refusal !== undefined || this.keys.has(attachmentId)) {
      const [errorCode, errorMessage] = refusal ?? [400, 'attachmentId already used'];
      send(connection.ws, {
        type: 'message',
        class: 'GenerateUrlError',
        code: 200,
        body: { attachmentId, errorCode, errorMessage },
        ...trace,
      });
      return;
    }
    const key = randomBytes(16).toString('hex');
    const tagging = `sim-session=${randomUUID()}`;
    this.files.set(key, {
      attachmentId,
      sessionToken: session.token,
      fileName,
      fileType,
      declaredSize: request.fileSize ?? 0,
      tagging,
      state: 'presigned',
    });
    this.keys.set(attachmentId, key);
    send(connection.ws, {
      type: 'response',
      class: 'PresignedUrlResponse',
      code: 200,
      body: { attachmentId, headers: { [TAGGING_HEADER]: tagging }, url: `${this.apiUrl()}/uploads/${key}` },
      ...trace,
    });
  }

  /** `deleteAttachment`: [C] `AttachmentDeletedResponse`; an unknown id answers 4009. */
  deleteAttachment(connection: Connection, session: Session, attachmentId: string, tracingId?: string): void {
    const key = this.keys.get(attachmentId);
    const file = key === undefined ? undefined : this.files.get(key);
    if (key === undefined || file?.sessionToken !== session.token) {
      send(connection.ws, stringFrame(4009, 'Attachment not found', tracingId));
      return;
    }
    this.files.delete(key);
    this.keys.delete(attachmentId);
    send(connection.ws, {
      type: 'message',
      class: 'AttachmentDeletedResponse',
      code: 200,
      body: { attachmentId },
      ...(tracingId === undefined ? {} : { tracingId }),
    });
  }

  /**
   * The `content` of a guest `onMessage` with every `Attachment` entry completed from its upload
   * ([C] `{id, filename, mediaType, fileSize, mime, url}`), or the error frame's code and text: 4009
   * for an unknown id, 4010 for one not (successfully) uploaded.
   */
  resolveContent(session: Session, content: unknown[]): { content: unknown[] } | { code: number; text: string } {
    const resolved: unknown[] = [];
    for (const entry of content) {
      if (!isRecord(entry) || entry.contentType !== 'Attachment' || !isRecord(entry.attachment)) {
        resolved.push(entry);
        continue;
      }
      const id = entry.attachment.id;
      const key = typeof id === 'string' ? this.keys.get(id) : undefined;
      const file = key === undefined ? undefined : this.files.get(key);
      if (key === undefined || file === undefined || file.sessionToken !== session.token)
        return { code: 4009, text: 'Attachment not found' };
      if (file.state !== 'uploaded' || file.bytes === undefined)
        return { code: 4010, text: 'Attachment has not been uploaded' };
      resolved.push({
        contentType: 'Attachment',
        attachment: {
          id: file.attachmentId,
          filename: file.fileName,
          mediaType: mediaTypeOf(file.fileType),
          fileSize: file.bytes.length,
          mime: file.fileType,
          url: this.downloadUrl(key, file),
        },
      });
    }
    return { content: resolved };
  }

  /** Stores a file an agent sends and returns the URL it is served at (no credentials needed). */
  storeAgentFile(fileName: string, mime: string, bytes: Uint8Array): string {
    const key = randomBytes(16).toString('hex');
    const file: StoredFile = {
      attachmentId: randomUUID(),
      fileName,
      fileType: mime,
      declaredSize: bytes.byteLength,
      tagging: '',
      state: 'uploaded',
      bytes: Buffer.from(bytes),
    };
    this.files.set(key, file);
    this.keys.set(file.attachmentId, key);
    return this.downloadUrl(key, file);
  }

  /** The bytes of a stored file by its attachment id (tests: what arrived). */
  bytesOf(attachmentId: string): Buffer | undefined {
    const key = this.keys.get(attachmentId);
    return key === undefined ? undefined : this.files.get(key)?.bytes;
  }

  /** Answers `PUT /uploads/{key}` and `GET /attachments/{key}/{name}`; false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const upload = /^\/uploads\/([0-9a-f]+)$/.exec(path);
    if (upload?.[1] !== undefined && req.method === 'PUT') {
      this.receive(upload[1], req, res);
      return true;
    }
    const download = /^\/attachments\/([0-9a-f]+)\/[^/]+$/.exec(path);
    if (download?.[1] !== undefined && req.method === 'GET') {
      const file = this.files.get(download[1]);
      if (file?.state !== 'uploaded' || file.bytes === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
        return true;
      }
      res.writeHead(200, { 'content-type': file.fileType, 'content-length': String(file.bytes.length) });
      res.end(file.bytes);
      return true;
    }
    return false;
  }

  /** The `PUT` of a presigned URL: stores the bytes, then tells the guest's connections the verdict. */
  private receive(key: string, req: IncomingMessage, res: ServerResponse): void {
    const file = this.files.get(key);
    if (file?.state !== 'presigned' || file.sessionToken === undefined) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('AccessDenied');
      req.resume();
      return;
    }
    if (req.headers[TAGGING_HEADER] !== file.tagging) {
      // [I] a presigned S3 URL refuses a request without the signed headers.
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('SignatureDoesNotMatch');
      req.resume();
      return;
    }
    const session = this.model.sessions.get(file.sessionToken);
    const profile = session?.deployment.attachments ?? DEFAULT_ATTACHMENT_PROFILE;
    const limit = profile.maxFileSizeKB * 1000;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keeps at most one byte over the limit: enough to know the file is too large.
      if (size <= limit + 1) chunks.push(chunk);
    });
    req.on('error', () => {
      file.state = 'failed';
    });
    req.on('end', () => {
      res.writeHead(200);
      res.end();
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const refusal: [number, string] | undefined =
        size === 0
          ? [4003, 'File content is invalid: the file is empty']
          : size > limit
            ? [4002, `File size ${size} is larger than ${limit} bytes`]
            : (typeRefusal(contentType || file.fileType, profile) ?? undefined);
      if (session === undefined) return;
      if (refusal !== undefined) {
        file.state = 'failed';
        this.model.broadcast(session, {
          type: 'message',
          class: 'UploadFailureEvent',
          code: 200,
          body: {
            attachmentId: file.attachmentId,
            errorCode: refusal[0],
            errorMessage: refusal[1],
            timestamp: new Date().toISOString(),
          },
        });
        return;
      }
      file.bytes = Buffer.concat(chunks);
      file.state = 'uploaded';
      this.model.broadcast(session, {
        type: 'message',
        class: 'UploadSuccessEvent',
        code: 200,
        body: {
          attachmentId: file.attachmentId,
          downloadUrl: this.downloadUrl(key, file),
          timestamp: new Date().toISOString(),
        },
      });
      this.model.changed();
    });
  }

  private downloadUrl(key: string, file: StoredFile): string {
    return `${this.apiUrl()}/attachments/${key}/${encodeURIComponent(file.fileName)}`;
  }
}

/** The attachments of a guest message's (resolved) content, as the agent sees them. */
export function guestFilesOf(content: readonly unknown[]): GuestFile[] {
  const files: GuestFile[] = [];
  for (const entry of content) {
    if (!isRecord(entry) || entry.contentType !== 'Attachment' || !isRecord(entry.attachment)) continue;
    const { url, filename, mime } = entry.attachment;
    if (typeof url === 'string' && typeof filename === 'string' && typeof mime === 'string')
      files.push({ url, filename, mime });
  }
  return files;
}

/** The `SessionResponse` fields that describe a deployment's profile ([C] docs/genesys-protocol.md §5.4). */
export function allowedMediaOf(profile: SimulatedAttachmentProfile): Record<string, unknown> {
  return {
    allowedMedia: {
      inbound: { fileTypes: profile.fileTypes.map((type) => ({ type })), maxFileSizeKB: profile.maxFileSizeKB },
    },
    blockedExtensions: profile.blockedExtensions,
  };
}

/** [C] §5.5 `mediaType` from a MIME type. */
function mediaTypeOf(mime: string): string {
  if (mime.startsWith('image/')) return 'Image';
  if (mime.startsWith('video/')) return 'Video';
  if (mime.startsWith('audio/')) return 'Audio';
  return 'File';
}

function nameRefusal(fileName: string, profile: SimulatedAttachmentProfile): [number, string] | undefined {
  if (fileName.length > MAX_FILE_NAME_CHARS) return [4005, 'File name is too long'];
  const dot = fileName.lastIndexOf('.');
  if (fileName.trim() === '' || dot <= 0 || dot === fileName.length - 1)
    return [4004, 'File name is invalid: an extension is required'];
  const extension = fileName.slice(dot).toLowerCase();
  if (profile.blockedExtensions.some((blocked) => blocked.toLowerCase() === extension))
    return [4001, `File type ${extension} is not allowed`];
  return undefined;
}

function typeRefusal(fileType: string, profile: SimulatedAttachmentProfile): [number, string] | undefined {
  const [major] = fileType.split('/');
  const allowed = profile.fileTypes.some(
    (type) => type === '*/*' || type === fileType || (type.endsWith('/*') && type.slice(0, -2) === major),
  );
  return allowed ? undefined : [4001, `File type ${fileType} is not allowed`];
}

function sizeRefusal(fileSize: number | undefined, profile: SimulatedAttachmentProfile): [number, string] | undefined {
  if (fileSize === undefined) return undefined;
  if (fileSize <= 0) return [4003, 'File content is invalid: the file is empty'];
  const limit = profile.maxFileSizeKB * 1000;
  return fileSize > limit ? [4002, `File size ${fileSize} is larger than ${limit} bytes`] : undefined;
}
