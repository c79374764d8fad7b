import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { isRecord } from '../../json';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type { FileUpload } from '../handoffProvider';
import type { OutgoingMessage } from './clientRequests';
import type { ServerFrame, SessionResponseBody } from './frames';
import { errorFromFrame, isErrorFrame, type WebMessagingConnection } from './webMessagingConnection';

/** Options of {@link AttachmentUploads}. */
export interface AttachmentUploadsOptions {
  connection: WebMessagingConnection;
  /** Session token (a secret: never logged). */
  token: string;
  logger: Logger;
  /** How long the HTTP upload and then Genesys' verdict on it may take, each (ms). */
  timeoutMs: number;
  /** Sends the `onMessage` that carries the uploaded file and resolves on Genesys' echo. */
  sendMessage: (message: OutgoingMessage) => Promise<void>;
}

/** What Genesys said about one upload (`UploadSuccessEvent`, `UploadFailureEvent`, `GenerateUrlError`). */
type UploadVerdict = { ok: true; downloadUrl: string } | { ok: false; error: GenesysError };

/**
 * Web Messaging's guest attachment flow (docs/genesys-protocol.md §5.9): `onAttachment` asks for a
 * presigned upload URL (`PresignedUrlResponse`), the bytes go there with an HTTP `PUT` carrying the
 * answer's `headers`, Genesys then reports `UploadSuccessEvent` or `UploadFailureEvent` (the error
 * is in the body, the envelope code is 200), and an `onMessage` whose `content` names the attachment
 * id sends the file to the agent. A file Genesys refuses rejects with `fileTypeRefused` (4001, 4003,
 * 4004, 4005) or `fileTooLarge` (4002); an upload whose message could not be sent is discarded with
 * `deleteAttachment`. Before asking for a URL, the file is checked as Genesys' own Messenger client
 * does against the session's `allowedMedia` and `blockedExtensions` ({@link sessionRefusal}), so a
 * file the deployment does not take is refused with the same errors without reaching Genesys.
 */
export class AttachmentUploads {
  private readonly verdicts = new Map<string, (verdict: UploadVerdict) => void>();

  constructor(private readonly options: AttachmentUploadsOptions) {}

  /**
   * For a frame that answered no pending request: true when it is an attachment event of an upload
   * in progress (which then completes or fails).
   */
  takeFrame(frame: ServerFrame): boolean {
    if (frame.kind !== 'other' || !isRecord(frame.body)) return false;
    const attachmentId = frame.body.attachmentId;
    if (typeof attachmentId !== 'string') return false;
    if (frame.className === 'AttachmentDeletedResponse') {
      this.options.logger.debug('Genesys discarded an uploaded attachment');
      return true;
    }
    const settle = this.verdicts.get(attachmentId);
    if (settle === undefined) return false;
    const verdict = verdictOf(frame.className, frame.body);
    if (verdict === undefined) return false;
    settle(verdict);
    return true;
  }

  /** Uploads `file` and sends it to the agent; resolves once Genesys echoed the message. */
  async upload(file: FileUpload): Promise<void> {
    const refusal = sessionRefusal(file, this.options.connection.session);
    if (refusal !== undefined) throw refusal;
    const attachmentId = randomUUID();
    const verdict = this.awaitVerdict(attachmentId);
    const early = verdict.then(refusedEarly);
    early.catch(() => undefined);
    try {
      const presigned = await Promise.race([this.requestUrl(attachmentId, file), early]);
      await this.put(presigned, file);
      const result = await verdict;
      if (!result.ok) throw result.error;
      this.options.logger.debug({ bytes: file.bytes.byteLength }, 'attachment uploaded to Genesys');
    } finally {
      // Stops the verdict's timer when the upload failed before it came.
      this.verdicts.get(attachmentId)?.({ ok: false, error: new GenesysError('closed', 'upload abandoned') });
    }
    try {
      await this.options.sendMessage({
        type: 'Text',
        text: '',
        content: [{ contentType: 'Attachment', attachment: { id: attachmentId } }],
      });
    } catch (err) {
      this.discard(attachmentId);
      throw err;
    }
  }

  /** Waits for the verdict on `attachmentId` (registered before the upload, as it may come at any time). */
  private awaitVerdict(attachmentId: string): Promise<UploadVerdict> {
    const { timeoutMs } = this.options;
    return new Promise<UploadVerdict>((resolve) => {
      const timer = setTimeout(() => {
        this.verdicts.delete(attachmentId);
        resolve({ ok: false, error: new GenesysError('timeout', `no upload verdict within ${timeoutMs} ms`) });
      }, 2 * timeoutMs);
      this.verdicts.set(attachmentId, (v) => {
        clearTimeout(timer);
        this.verdicts.delete(attachmentId);
        resolve(v);
      });
    });
  }

  /** Step 1-2: `onAttachment` → `PresignedUrlResponse { url, headers }`. */
  private async requestUrl(
    attachmentId: string,
    file: FileUpload,
  ): Promise<{ url: string; headers: Record<string, string> }> {
    const { connection, token } = this.options;
    const frame = await connection.request((tracingId) => ({
      action: 'onAttachment',
      token,
      tracingId,
      attachmentId,
      fileName: file.fileName,
      fileType: file.contentType,
      fileSize: file.bytes.byteLength,
      errorsAsJson: true,
    }));
    if (frame.kind === 'other' && isRecord(frame.body)) {
      const verdict = verdictOf(frame.className, frame.body);
      if (verdict !== undefined && !verdict.ok) throw verdict.error;
      const url = frame.body.url;
      if (frame.className === 'PresignedUrlResponse' && typeof url === 'string' && url !== '') {
        const headers: Record<string, string> = {};
        const raw = frame.body.headers;
        if (isRecord(raw)) for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') headers[k] = v;
        return { url, headers };
      }
    }
    if (isErrorFrame(frame)) throw fileError(frame.code, undefined) ?? errorFromFrame(frame, 'message');
    throw new GenesysError('protocol', `unexpected answer to onAttachment: ${frame.kind}`);
  }

  /** Step 3: `PUT` the bytes with the presigned headers; a 2xx only means the store took them. */
  private async put(presigned: { url: string; headers: Record<string, string> }, file: FileUpload): Promise<void> {
    let status: number;
    try {
      const response = await axios.put(presigned.url, Buffer.from(file.bytes), {
        headers: { ...presigned.headers, 'Content-Type': file.contentType },
        timeout: this.options.timeoutMs,
        maxBodyLength: Infinity,
        validateStatus: () => true,
      });
      status = response.status;
    } catch (err) {
      // The presigned URL is a credential: keep it out of the error.
      throw new GenesysError('network', 'attachment upload failed', { cause: (err as Error).message });
    }
    if (status < 200 || status >= 300)
      throw new GenesysError(status >= 500 ? 'serverError' : 'badRequest', `attachment upload answered ${status}`, {
        status,
      });
  }

  /** Best effort `deleteAttachment` of an upload that will not be sent (its answer is only logged). */
  private discard(attachmentId: string): void {
    const { connection, token, logger } = this.options;
    connection
      .request((tracingId) => ({ action: 'deleteAttachment', token, tracingId, attachmentId }))
      .then(
        (frame) => {
          if (isErrorFrame(frame)) logger.debug({ code: frame.code }, 'deleteAttachment refused');
        },
        (err: unknown) => {
          logger.debug({ err }, 'deleteAttachment not acknowledged');
        },
      );
  }
}

/** A verdict from an attachment event's body, or undefined for other classes. */
function verdictOf(className: string, body: Record<string, unknown>): UploadVerdict | undefined {
  if (className === 'UploadSuccessEvent') {
    const downloadUrl = body.downloadUrl;
    return { ok: true, downloadUrl: typeof downloadUrl === 'string' ? downloadUrl : '' };
  }
  if (className !== 'UploadFailureEvent' && className !== 'GenerateUrlError') return undefined;
  const code = typeof body.errorCode === 'number' ? body.errorCode : 0;
  const message = typeof body.errorMessage === 'string' ? body.errorMessage : className;
  return {
    ok: false,
    error: fileError(code, message) ?? new GenesysError('badRequest', `Genesys refused the attachment: ${message}`),
  };
}

/** docs/genesys-protocol.md §5.6: 4001 type, 4002 size, 4003 content, 4004 name, 4005 name length. */
function fileError(code: number, message: string | undefined): GenesysError | undefined {
  const options = { status: code, genesysCode: String(code) };
  const detail = message ?? `code ${code}`;
  if (code === 4002) return new GenesysError('fileTooLarge', `Genesys refused the file size: ${detail}`, options);
  if (code === 4001 || code === 4003 || code === 4004 || code === 4005)
    return new GenesysError('fileTypeRefused', `Genesys refused the file: ${detail}`, options);
  return undefined;
}

/**
 * Why the session's attachment profile refuses `file`, or undefined when it takes it (or reported
 * none). docs/genesys-protocol.md §5.9, as Genesys' Messenger client checks before `onAttachment`:
 * an empty file (`fileTypeRefused`, 4003); an extension in `blockedExtensions`, matched as `.ext`
 * without regard to case, or a MIME type matching none of `allowedMedia.inbound.fileTypes` (`*\/*`
 * and `type/*` are wildcards) (`fileTypeRefused`, 4001); more than `maxFileSizeKB` × 1,000 bytes
 * (`fileTooLarge`, 4002).
 */
export function sessionRefusal(file: FileUpload, session: SessionResponseBody | undefined): GenesysError | undefined {
  if (file.bytes.byteLength === 0) return fileError(4003, 'the file is empty');
  const dot = file.fileName.lastIndexOf('.');
  const extension = dot < 0 ? '' : file.fileName.slice(dot).toLowerCase();
  const blocked = (session?.blockedExtensions ?? []).map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase());
  if (extension !== '' && blocked.includes(extension))
    return fileError(4001, `the deployment blocks ${extension} files`);
  const inbound = session?.allowedMedia?.inbound;
  if (inbound === undefined) return undefined;
  const type = file.contentType.toLowerCase();
  const [major] = type.split('/');
  const allowed = inbound.fileTypes.some((entry) => {
    const t = entry.toLowerCase();
    return t === '*/*' || t === type || (t.endsWith('/*') && t.slice(0, -2) === major);
  });
  if (!allowed) return fileError(4001, `the deployment does not take ${type} files`);
  const limit = inbound.maxFileSizeKB === undefined ? undefined : inbound.maxFileSizeKB * 1000;
  if (limit !== undefined && file.bytes.byteLength > limit)
    return fileError(4002, `${file.bytes.byteLength} bytes is more than the deployment's ${limit}`);
  return undefined;
}

/** A verdict that arrives before the upload URL can only be a refusal (`GenerateUrlError`). */
function refusedEarly(verdict: UploadVerdict): never {
  throw verdict.ok ? new GenesysError('protocol', 'upload verdict before the upload') : verdict.error;
}
