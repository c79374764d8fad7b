import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { lookup } from 'mime-types';
import { readRequestBody, RequestBodyError } from '../http/requestBody';
import { isRecord } from '../json';

/** Largest upload request of the demo channel (bytes, files and activity together). */
export const MAX_UPLOAD_BYTES = 10_500_000;
/** Files kept in memory; the oldest go first. */
const MAX_STORED_FILES = 100;

/** A file a user attached, as the activity carries it. */
export interface UploadedAttachment {
  contentType: string;
  contentUrl: string;
  name: string;
}

/** What an upload request holds: the activity (JSON, not yet checked) and the stored files. */
export interface UploadRequest {
  activity: unknown;
  attachments: UploadedAttachment[];
}

/**
 * File uploads of the demo Direct Line channel (`POST /v3/directline/conversations/{id}/upload`), as
 * DirectLineJS sends them when a Web Chat user attaches a file: a `multipart/form-data` body with one
 * `activity` part (`application/vnd.microsoft.activity` JSON) and one part per file. The files are
 * kept in memory and served at an unguessable URL, `GET {base}/v3/directline/attachments/{key}/{name}`,
 * which the activity's attachments point to (like Direct Line's own attachment store).
 */
export class DirectLineUploads {
  private readonly files = new Map<string, { bytes: Buffer; contentType: string }>();

  constructor(private readonly pathPrefix: string) {}

  /**
   * Reads and stores an upload. `baseUrl` is where the bot and the browser reach this server.
   * Throws {@link RequestBodyError} for a body that is too large or not multipart, and an `Error`
   * with a client-facing message for a malformed one.
   */
  async receive(req: IncomingMessage, baseUrl: string): Promise<UploadRequest> {
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;/i.test(contentType))
      throw new RequestBodyError(415, 'unsupportedMediaType', 'An upload must be multipart/form-data.');
    const body = await readRequestBody(req, { maxBytes: MAX_UPLOAD_BYTES, maxDepth: 64 });
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw new Error('The upload is not valid multipart/form-data.');
    }
    let activity: unknown;
    const part = form.get('activity');
    try {
      activity = JSON.parse(typeof part === 'string' ? part : part === null ? '' : await part.text());
    } catch {
      throw new Error('The upload needs an "activity" part with the activity as JSON.');
    }
    if (!isRecord(activity)) throw new Error('The "activity" part must be a JSON object.');
    const attachments: UploadedAttachment[] = [];
    for (const [field, value] of form.entries()) {
      if (field === 'activity' || typeof value === 'string') continue;
      const name = value.name === '' ? 'file' : value.name.slice(0, 200);
      const type = value.type === '' ? lookup(name) || 'application/octet-stream' : value.type;
      const key = randomBytes(16).toString('hex');
      this.store(key, { bytes: Buffer.from(await value.arrayBuffer()), contentType: type });
      attachments.push({
        contentType: type,
        contentUrl: `${baseUrl}${this.pathPrefix}/${key}/${encodeURIComponent(name)}`,
        name,
      });
    }
    return { activity, attachments };
  }

  /** The stored file of an attachment URL's key, or undefined. */
  file(key: string): { bytes: Buffer; contentType: string } | undefined {
    return this.files.get(key);
  }

  private store(key: string, file: { bytes: Buffer; contentType: string }): void {
    this.files.set(key, file);
    while (this.files.size > MAX_STORED_FILES) {
      const oldest = this.files.keys().next().value;
      if (oldest === undefined) break;
      this.files.delete(oldest);
    }
  }
}
