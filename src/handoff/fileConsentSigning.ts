import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type {
  AgentFileConsentContext,
  FileConsentContextSigner,
  SignedAgentFileConsentContext,
} from '../channels/outbound/fileConsentCard';
import type { VersionedStore } from '../storage/versionedStore';
import { isStoreConflict } from '../storage/versionedStore';
import { systemClock, type Clock } from './clock';
import { FILE_CONSENT_KEY_ID, type FileConsentKey, type HandoffDocument } from './handoffRecord';

/** How long a file consent card can be answered: 7 days (seconds). */
export const DEFAULT_FILE_CONSENT_VALIDITY_SECONDS = 7 * 86_400;

/** Bytes of the signing key. */
const KEY_BYTES = 32;

/** Why a signed context is refused ({@link FileConsentSigning.check}). */
export type FileConsentRefusal = 'badSignature' | 'expired' | 'otherConversation';

/** Options of {@link FileConsentSigning}. */
export interface FileConsentSigningOptions {
  /** How long a card can be answered after it was sent (seconds; default {@link DEFAULT_FILE_CONSENT_VALIDITY_SECONDS}). */
  validitySeconds?: number;
  clock?: Clock;
}

/**
 * Signs and checks the context of Teams file consent cards (`docs/bot-framework-channels.md §2.5`).
 * Teams sends the context back unsigned from the client in the `fileConsent/invoke`, and on accept
 * the bot downloads the URL it names: only a context this bot wrote, for the conversation the
 * invoke comes from, before it expires, is acted on.
 *
 * The signature is HMAC-SHA256 over a canonical serialisation (a JSON array in fixed order) of the
 * file's name, type, URL and size, the locale, the conversation id and the expiry. The key is 32
 * random bytes in the live-chat store ({@link FileConsentKey}, never expires): the first instance
 * that needs it creates it, every other instance reads it, so a card is accepted by any instance
 * after any restart. It is read once per process and kept in memory.
 */
export class FileConsentSigning {
  private key: Promise<Buffer> | undefined;
  private readonly validityMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly store: VersionedStore<HandoffDocument>,
    options: FileConsentSigningOptions = {},
  ) {
    this.validityMs = (options.validitySeconds ?? DEFAULT_FILE_CONSENT_VALIDITY_SECONDS) * 1000;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * A signer for cards sent to `conversationId` now. Rejects when the key cannot be read or
   * created (the store's error); a later call tries again.
   */
  async signerFor(conversationId: string): Promise<FileConsentContextSigner> {
    const key = await this.loadKey();
    const expiresAt = this.clock.now() + this.validityMs;
    return (context) => ({
      ...context,
      conversationId,
      expiresAt,
      signature: signatureOf(key, context, conversationId, expiresAt),
    });
  }

  /**
   * Undefined when `context` was signed by this bot for `conversationId` (the conversation the
   * invoke came from) and has not expired, else why it is refused. Rejects when the key cannot be read.
   */
  async check(context: SignedAgentFileConsentContext, conversationId: string): Promise<FileConsentRefusal | undefined> {
    const key = await this.loadKey();
    const expected = Buffer.from(signatureOf(key, context, context.conversationId, context.expiresAt), 'base64url');
    const given = Buffer.from(context.signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'badSignature';
    if (context.conversationId !== conversationId) return 'otherConversation';
    if (this.clock.now() >= context.expiresAt) return 'expired';
    return undefined;
  }

  private loadKey(): Promise<Buffer> {
    this.key ??= this.readOrCreateKey().catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  /** The stored key; created when absent. A create that loses to another instance's reads theirs. */
  private async readOrCreateKey(): Promise<Buffer> {
    const stored = await this.store.read(FILE_CONSENT_KEY_ID);
    if (stored !== undefined) return keyOf(stored.value);
    const created: FileConsentKey = {
      id: FILE_CONSENT_KEY_ID,
      type: 'fileConsentKey',
      key: randomBytes(KEY_BYTES).toString('base64'),
      ttl: -1,
    };
    try {
      return keyOf((await this.store.create(created)).value);
    } catch (err) {
      if (!isStoreConflict(err) || err.kind !== 'exists') throw err;
      const winner = await this.store.read(FILE_CONSENT_KEY_ID);
      if (winner === undefined) throw err;
      return keyOf(winner.value);
    }
  }
}

function keyOf(doc: HandoffDocument): Buffer {
  const key = doc.type === 'fileConsentKey' ? Buffer.from(doc.key, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES)
    throw new Error(`the stored document ${FILE_CONSENT_KEY_ID} is not a ${KEY_BYTES}-byte key`);
  return key;
}

/** HMAC-SHA256 (base64url) of the canonical serialisation of a context for `conversationId` until `expiresAt`. */
function signatureOf(key: Buffer, context: AgentFileConsentContext, conversationId: string, expiresAt: number): string {
  const { file } = context;
  const canonical = JSON.stringify([
    'agentFile/1',
    conversationId,
    expiresAt,
    file.name,
    file.contentType,
    file.url,
    file.size ?? null,
    context.locale ?? null,
  ]);
  return createHmac('sha256', key).update(canonical, 'utf8').digest('base64url');
}
