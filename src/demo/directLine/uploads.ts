import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { lookup } from 'mime-types';
import { Busboy } from '@fastify/busboy';
import { RequestBodyError } from '../../http/requestBody';
import { isRecord } from '../../json';

/** Largest file of an upload (bytes). */
export const MAX_UPLOAD_FILE_BYTES = 10_000_000;
/** Most files in one upload. */
const MAX_UPLOAD_FILES = 10;
/** Largest `activity` part (bytes). */
const MAX_ACTIVITY_BYTES = 64 * 1024;
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
    const parts = await readParts(req, contentType);
    let activity: unknown;
    try {
      activity = JSON.parse(parts.activity ?? '');
    } catch {
      throw new Error('The upload needs an "activity" part with the activity as JSON.');
    }
    if (!isRecord(activity)) throw new Error('The "activity" part must be a JSON object.');
    const attachments = parts.files.map((file): UploadedAttachment => {
      const name = file.name === '' ? 'file' : file.name.slice(0, 200);
      const type = file.type === '' || file.type === 'application/octet-stream' ? lookup(name) || file.type : file.type;
      const key = randomBytes(16).toString('hex');
      this.store(key, { bytes: file.bytes, contentType: type || 'application/octet-stream' });
      return {
        contentType: type || 'application/octet-stream',
        contentUrl: `${baseUrl}${this.pathPrefix}/${key}/${encodeURIComponent(name)}`,
        name,
      };
    });
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

/** The parts of a multipart upload: the `activity` part's text and the files. */
function readParts(
  req: IncomingMessage,
  contentType: string,
): Promise<{ activity?: string; files: { name: string; type: string; bytes: Buffer }[] }> {
  return new Promise((resolve, reject) => {
    const result: { activity?: string; files: { name: string; type: string; bytes: Buffer }[] } = { files: [] };
    let failed: Error | undefined;
    const fail = (err: Error): void => {
      failed ??= err;
      req.unpipe(parser);
      req.resume();
      reject(failed);
    };
    const parser = Busboy({
      headers: { ...req.headers, 'content-type': contentType },
      limits: {
        fileSize: MAX_UPLOAD_FILE_BYTES,
        files: MAX_UPLOAD_FILES + 1,
        fields: 5,
        fieldSize: MAX_ACTIVITY_BYTES,
      },
    });
    const pending: Promise<void>[] = [];
    parser.on('field', (name, value) => {
      if (name === 'activity') result.activity = value;
    });
    parser.on('file', (field, stream, filename, _encoding, mimeType) => {
      const chunks: Buffer[] = [];
      pending.push(
        new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const bytes = Buffer.concat(chunks);
            // DirectLineJS sends the activity as a Blob, which arrives as a file part named "activity".
            if (field === 'activity') {
              if (bytes.length > MAX_ACTIVITY_BYTES)
                fail(new RequestBodyError(413, 'bodyTooLarge', 'The activity is too large.'));
              else result.activity = bytes.toString('utf8');
            } else if (stream.truncated) {
              fail(new RequestBodyError(413, 'bodyTooLarge', `A file must be at most ${MAX_UPLOAD_FILE_BYTES} bytes.`));
            } else {
              result.files.push({ name: filename, type: mimeType, bytes });
            }
            done();
          });
        }),
      );
    });
    parser.on('filesLimit', () => {
      fail(new RequestBodyError(413, 'bodyTooLarge', `An upload holds at most ${MAX_UPLOAD_FILES} files.`));
    });
    parser.on('error', (err: unknown) => {
      fail(new Error('The upload is not valid multipart/form-data.', { cause: err }));
    });
    parser.on('finish', () => {
      void Promise.all(pending).then(() => {
        if (failed === undefined) resolve(result);
      });
    });
    req.on('error', (err) => {
      fail(new Error('The upload was interrupted.', { cause: err }));
    });
    req.pipe(parser);
  });
}
