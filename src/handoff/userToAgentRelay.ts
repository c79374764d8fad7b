import type { Activity } from 'botbuilder';
import { matchButtonAnswer } from '../content/answerOptions';
import { isGenesysError, type GenesysErrorCode } from '../genesys/genesysError';
import type { FileUpload, HandoffProvider } from '../genesys/handoffProvider';
import {
  channelFilesOf,
  ChannelFileDownloader,
  checkFile,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  DEFAULT_ATTACHMENT_TYPES,
  FileDownloadError,
  type AttachmentPolicy,
  type ChannelFile,
  type FileRefusal,
} from './channelAttachments';
import type { Logger } from '../logger';
import type { TranscriptEntry } from '../transcript/transcript';
import { appendToJournal } from '../transcript/transcriptJournal';
import type { ChatNotices } from './agentToUserRelay';
import { errorClass, SPANS, telemetry } from '../telemetry/telemetry';
import type { Clock } from './clock';
import { ACTIVE_STATES, MAX_INBOUND_IDS, MAX_OUTBOX, type HandoffRecord, type OutboxEntry } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffSettings } from './handoffSettings';
import type { HandoffTimers } from './handoffTimers';
import type { LocalChats } from './localChats';
import { composeUserText, fileFallbackText, publicAttachments, withExtension } from './userMessageText';

export { composeUserText, publicAttachments } from './userMessageText';

/** The sentence (a key of `Messages`, src/resources/messages.ts) that tells the user about a message the agent did not get. */
export type UndeliveredNotice =
  'messageTooLongForAgent' | 'messageDetailsTooLarge' | 'messageAfterAgentEnded' | FileRefusal;

/** Failures the user can act on get their own sentence instead of "please send it again". */
const UNDELIVERED_NOTICES: Partial<Record<GenesysErrorCode, UndeliveredNotice>> = {
  messageTooLong: 'messageTooLongForAgent',
  attributesTooLarge: 'messageDetailsTooLarge',
  sessionReadOnly: 'messageAfterAgentEnded',
  fileTypeRefused: 'fileTypeNotAllowed',
  fileTooLarge: 'fileTooLarge',
};

/** How long one download of a user's file may take (ms). */
const FILE_DOWNLOAD_TIMEOUT_MS = 30_000;

/** User activity moves the idle deadline in storage at most this often (the timeout is minutes long). */
const ACTIVITY_WRITE_INTERVAL_MS = 30_000;
/** How long an instance's claim to send a chat's outbox holds without progress (ms). */
export const OUTBOX_CLAIM_MS = 60_000;
/** While waiting for an agent, every this many messages (starting with the first) are acknowledged. */
const WAITING_ACK_EVERY = 3;

/** What became of a user message handed to {@link UserToAgentRelay.accept}. */
export type AcceptOutcome =
  /** In the outbox; `acknowledge` when the user should be told it was passed on (while waiting). */
  | { status: 'queued'; acknowledge: boolean }
  /** A redelivery of an activity already taken: nothing was done. */
  | { status: 'duplicate' }
  /** Nothing to send (no text, no attachment to link). */
  | { status: 'empty' }
  /** The outbox is full: the message was not taken (the caller tells the user). */
  | { status: 'full' }
  /** The chat ended meanwhile: the message belongs to the bot again. */
  | { status: 'ended' };

/**
 * User → agent, through the chat's outbox: {@link UserToAgentRelay.accept} adds a message to the
 * outbox in the live-chat record (one ETag-guarded write that also de-duplicates by activity id and
 * counts the message as activity) and returns at once; the instance that holds the outbox claim
 * sends the entries to Genesys in order, removing each once Genesys acknowledged it, through the
 * connection held here or a detached send. A message Genesys refused (after the provider's own
 * retries) is reported to the user once, quoted, and the outbox moves on. An instance that dies
 * mid-send leaves its entries in the record; another one resumes them once the claim lapses.
 */
export class UserToAgentRelay {
  private readonly draining = new Map<string, { again: boolean }>();
  private readonly downloader: ChannelFileDownloader;
  private readonly attachmentPolicy: AttachmentPolicy;

  constructor(
    private readonly chats: LocalChats,
    private readonly records: HandoffRecords,
    private readonly provider: HandoffProvider | undefined,
    private readonly timers: HandoffTimers,
    private readonly notices: ChatNotices,
    private readonly settings: HandoffSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    const attachments = settings.attachments;
    this.attachmentPolicy = {
      allowedTypes: attachments?.allowedTypes ?? DEFAULT_ATTACHMENT_TYPES,
      maxBytes: attachments?.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES,
    };
    this.downloader = new ChannelFileDownloader({
      ...(attachments?.botToken === undefined ? {} : { botToken: attachments.botToken }),
      maxBytes: this.attachmentPolicy.maxBytes,
      timeoutMs: FILE_DOWNLOAD_TIMEOUT_MS,
    });
  }

  /**
   * Takes a user message for the agent (its text, then each file the user sent as an upload where
   * the provider uploads files; or `given` text alone: an edit or delete notice): queues it in the
   * outbox and starts sending unless another instance is. A message that answers the choices of the
   * last agent message (a tapped button or a typed option number) is queued as that button
   * response. Messages written while the chat opens wait in the outbox and follow the introduction.
   * `transcript` (the turn's entries) goes into the record's transcript journal with the same write
   * when the message is taken (`queued`) or refused as `full`; otherwise nothing of it is written.
   */
  async accept(
    record: HandoffRecord,
    activity: Partial<Activity>,
    given?: string,
    transcript: readonly TranscriptEntry[] = [],
  ): Promise<AcceptOutcome> {
    const uploads = this.provider?.uploadsFiles;
    const files = given === undefined && uploads === true ? channelFilesOf(activity) : [];
    const text =
      given ?? composeUserText(activity, uploads === true ? 'omit' : uploads === false ? 'agentLinks' : 'describe');
    const activityId = typeof activity.id === 'string' ? activity.id : '';
    const me = this.settings.instanceId;
    const now = this.clock.now();
    const result: { outcome: AcceptOutcome; drain: boolean } = { outcome: { status: 'ended' }, drain: false };
    const updated = await this.records.update(record.id, (r) => {
      result.drain = false;
      if (r.generation !== record.generation || !ACTIVE_STATES.includes(r.state)) {
        result.outcome = { status: 'ended' };
        return undefined;
      }
      if (activityId !== '' && (r.inboundIds ?? []).includes(activityId)) {
        result.outcome = { status: 'duplicate' };
        return undefined;
      }
      if (text === '' && files.length === 0) {
        result.outcome = { status: 'empty' };
        return undefined;
      }
      if (activityId !== '') r.inboundIds = [...(r.inboundIds ?? []), activityId].slice(-MAX_INBOUND_IDS);
      if (transcript.length > 0) r.transcriptJournal = appendToJournal(r.transcriptJournal, transcript);
      const outbox = r.outbox ?? [];
      if (outbox.length >= MAX_OUTBOX) {
        result.outcome = { status: 'full' };
        return r;
      }
      // A message answering the choices the agent side offered goes back as that choice (§5.14).
      const answer =
        given === undefined && files.length === 0 ? matchButtonAnswer(text, r.answerOptions ?? []) : undefined;
      const links = answer === undefined && uploads !== true && given === undefined ? publicAttachments(activity) : [];
      const traceParent = telemetry().traceParent();
      const trace = traceParent === undefined ? {} : { traceParent };
      const entries: OutboxEntry[] = [];
      if (answer !== undefined)
        entries.push({
          activityId,
          text: answer.text,
          kind: 'buttonResponse',
          buttonResponse: answer,
          at: now,
          ...trace,
        });
      else if (text !== '')
        entries.push({ activityId, text, ...(links.length === 0 ? {} : { files: links }), at: now, ...trace });
      for (const file of files)
        entries.push({
          activityId,
          text: file.name,
          at: now,
          file,
          ...trace,
          ...(entries.length > 0 ? { part: entries.length } : {}),
        });
      r.outbox = [...outbox, ...entries];
      if (answer !== undefined) r.answerOptions = undefined;
      let acknowledge = false;
      if (r.state !== 'connected') {
        r.waitingMessages = (r.waitingMessages ?? 0) + 1;
        acknowledge = r.waitingMessages % WAITING_ACK_EVERY === 1;
      } else if (now - r.lastActivityAt >= ACTIVITY_WRITE_INTERVAL_MS || r.idleWarned === true) {
        r.lastActivityAt = now;
        this.timers.armIdle(r, now);
      }
      if (r.outboxDrainer === undefined || r.outboxDrainer === me || (r.outboxDrainUntil ?? 0) <= now) {
        r.outboxDrainer = me;
        r.outboxDrainUntil = now + OUTBOX_CLAIM_MS;
        result.drain = true;
      }
      result.outcome = { status: 'queued', acknowledge };
      return r;
    });
    this.chats.track(updated);
    if (result.drain && updated !== undefined) this.kick(updated);
    return result.outcome;
  }

  /**
   * Sends what waits in the outbox of chat `id`, claiming it when nobody else holds a live claim
   * (or always, with `force`: the instance that just opened or took over the chat).
   */
  async resumeOutbox(id: string, force = false): Promise<void> {
    const me = this.settings.instanceId;
    const now = this.clock.now();
    const claimed = await this.records.update(id, (r) => {
      if (!ACTIVE_STATES.includes(r.state)) return undefined;
      if ((r.outbox ?? []).length === 0) {
        // Nothing to send: give up a claim held here (taken when the chat was begun) so any instance may send.
        if (r.outboxDrainer !== me) return undefined;
        r.outboxDrainer = undefined;
        r.outboxDrainUntil = undefined;
        return r;
      }
      const free = r.outboxDrainer === undefined || r.outboxDrainer === me || (r.outboxDrainUntil ?? 0) <= now;
      if (!free && !force) return undefined;
      r.outboxDrainer = me;
      r.outboxDrainUntil = now + OUTBOX_CLAIM_MS;
      return r;
    });
    this.chats.track(claimed);
    if (claimed?.outboxDrainer === me && (claimed.outbox ?? []).length > 0) this.kick(claimed);
  }

  /**
   * Tells the agent the user is typing: through the chat's connection when this instance holds
   * it, else detached where the provider can send typing from any instance (Open Messaging).
   */
  async relayUserTyping(record: HandoffRecord): Promise<void> {
    const session = this.chats.get(record.id)?.session;
    const resumeData = record.resumeData;
    const detached = this.provider?.sendDetachedTyping?.bind(this.provider);
    let sending: Promise<void> | undefined;
    if (session !== undefined) sending = session.sendTyping();
    else if (resumeData !== undefined && detached !== undefined) sending = detached(resumeData);
    await sending?.catch((err: unknown) => {
      this.logger.debug({ err, conversationId: record.conversationId }, 'could not relay typing');
    });
  }

  /** Starts the send loop of a chat, or asks the running one to look again. */
  private kick(record: HandoffRecord): void {
    const running = this.draining.get(record.id);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.draining.set(record.id, state);
    void this.chats.trackWork(
      this.drain(record, state)
        .catch((err: unknown) => {
          this.logger.warn(
            { err, recordId: record.id },
            'sending the outbox stopped; it resumes with the next message',
          );
        })
        .finally(() => {
          this.draining.delete(record.id);
        }),
    );
  }

  /** Sends the outbox head by head while this instance holds the claim and the chat can take messages. */
  private async drain(first: HandoffRecord, state: { again: boolean }): Promise<void> {
    const me = this.settings.instanceId;
    let record: HandoffRecord | undefined = first;
    for (;;) {
      const head: OutboxEntry | undefined = record?.outbox?.[0];
      const sendable =
        record !== undefined &&
        ACTIVE_STATES.includes(record.state) &&
        record.outboxDrainer === me &&
        record.resumeData !== undefined;
      if (record === undefined || head === undefined || !sendable || this.chats.stopped) {
        // Empty, claimed elsewhere, or still opening (the instance opening the chat sends once it is open).
        if (!state.again || this.chats.stopped) return;
        state.again = false;
        record = await this.records.current(first.id);
        continue;
      }
      const sent = await this.sendToGenesys(record, head);
      // Stopped meanwhile (shutdown or halt): the entry stays in the outbox for the next instance.
      if (sent.status === 'ended' || (sent.status === 'refused' && this.stopped())) return;
      if (sent.status === 'refused')
        await this.notices.notDelivered(record.id, record.reference, head.text, sent.notice);
      // The removal may ride on the record's next write (HandoffRecords `deferMaxMs`): until then
      // the entry stays in storage and a crash only means it is sent again.
      const now = this.clock.now();
      await this.records.defer(
        record.id,
        (r) => {
          removeSentHead(r, head, me, now);
        },
        (written) => {
          // Another instance may have queued a message while the claim looked held here.
          if ((written.outbox ?? []).length > 0 && written.outboxDrainer === undefined && !this.chats.stopped)
            void this.resumeOutbox(written.id).catch((err: unknown) => {
              this.logger.warn({ err, recordId: written.id }, 'could not resume the outbox');
            });
        },
      );
      record = await this.records.current(record.id);
      this.chats.track(record);
    }
  }

  /**
   * Downloads a user's file (with the bot's token where the channel requires it), checks it against
   * the allow-list, and uploads it. Returns why it was not passed on, or undefined once sent; a
   * failed download or upload rejects.
   */
  private async uploadFile(
    sendAttachment: (file: FileUpload) => Promise<void>,
    sendText: (text: string) => Promise<void>,
    file: ChannelFile,
  ): Promise<FileRefusal | undefined> {
    const policy = this.attachmentPolicy;
    // The channel's type, when it names one, is checked before anything is downloaded.
    if (!file.contentType.endsWith('/*')) {
      const early = checkFile(policy, file.contentType);
      if (early !== undefined) return early;
    }
    let downloaded;
    try {
      downloaded = await this.downloader.download(file);
    } catch (err) {
      if (err instanceof FileDownloadError && err.refusal !== undefined) return err.refusal;
      if (!file.agentCanOpen) throw err;
      // The link as a fallback: the agent's browser may reach what the bot could not.
      this.logger.info({ err }, 'could not download a file from the user; sending its link');
      await sendText(fileFallbackText(file));
      return undefined;
    }
    const refusal = checkFile(policy, downloaded.contentType, downloaded.bytes.byteLength);
    if (refusal !== undefined) return refusal;
    await sendAttachment({
      fileName: withExtension(file.name, downloaded.contentType),
      contentType: downloaded.contentType,
      bytes: downloaded.bytes,
    });
    return undefined;
  }

  /** True once the instance stopped (read afresh: it changes while a send is awaited). */
  private stopped(): boolean {
    return this.chats.stopped;
  }

  /**
   * Sends one outbox entry to Genesys (its text, or its button response where the provider takes one): `sent`, `refused` (after the provider's retries) or `ended`
   * (the chat is over). A refusal the user can act on (too long, details too large, a session
   * Genesys made read-only) carries the sentence that tells them.
   */
  private async sendToGenesys(
    record: HandoffRecord,
    entry: OutboxEntry,
  ): Promise<{ status: 'sent' | 'refused' | 'ended'; notice?: UndeliveredNotice }> {
    // Fields of the rare log lines below (no child logger per message).
    const conversationId = record.conversationId;
    const text = entry.text;
    // A provider without structured answers (Guest Chat) gets the chosen option's text.
    const answer = entry.kind === 'buttonResponse' ? entry.buttonResponse : undefined;
    const files = entry.files ?? [];
    const spanAttributes = { 'genesys.provider': record.provider, ...telemetry().personal('message.text', text) };
    try {
      return await telemetry().withSpanUnder(entry.traceParent, SPANS.genesysSend, spanAttributes, async (span) => {
        const local = this.chats.get(record.id);
        const session =
          local?.session !== undefined && local.generation === record.generation ? local.session : undefined;
        const provider = this.provider;
        if (entry.file !== undefined && session?.sendAttachment !== undefined) {
          const refusal = await this.uploadFile(
            session.sendAttachment.bind(session),
            session.sendText.bind(session),
            entry.file,
          );
          if (refusal !== undefined) {
            this.logger.info(
              { conversationId, refusal, contentType: entry.file.contentType },
              'a file from the user was not passed on',
            );
            return { status: 'refused' as const, notice: refusal };
          }
        } else if (session !== undefined && entry.file === undefined) {
          if (answer !== undefined && session.sendButtonResponse !== undefined)
            await session.sendButtonResponse(answer);
          // Files go as files where the provider takes them by URL (Open Messaging); otherwise as the links in the text.
          else if (session.sendMessage !== undefined && files.length > 0) await session.sendMessage(text, files);
          else await session.sendText(text);
        } else {
          // Not uploaded here (no uploads, or a chat held by another instance): the link if the agent can open it, else a note.
          const body = entry.file === undefined ? text : fileFallbackText(entry.file);
          if (session !== undefined) await session.sendText(body);
          else if (record.resumeData !== undefined && provider !== undefined) {
            span.setAttribute('genesys.send.detached', true);
            if (answer !== undefined && provider.sendDetachedButtonResponse !== undefined)
              await provider.sendDetachedButtonResponse(record.resumeData, answer);
            else await provider.sendDetached(record.resumeData, body);
          } else return { status: 'ended' as const };
        }
        telemetry().relayLatency('user_to_agent', this.clock.now() - entry.at);
        span.addEvent('genesys.acknowledged');
        return { status: 'sent' as const };
      });
    } catch (err) {
      telemetry().deliveryFailed('genesys', errorClass(err));
      const notice = isGenesysError(err) ? UNDELIVERED_NOTICES[err.code] : undefined;
      const current = await this.records.get(record.id);
      if (current?.generation !== record.generation || !ACTIVE_STATES.includes(current.state)) {
        // Ended meanwhile; a read-only refusal means the user wrote after the agent ended: say so once.
        if (notice === 'messageAfterAgentEnded')
          await this.notices.notDelivered(record.id, record.reference, text, notice);
        return { status: 'ended' };
      }
      this.logger.warn({ err, conversationId }, 'could not relay a user message to the agent');
      return notice === undefined ? { status: 'refused' } : { status: 'refused', notice };
    }
  }
}

/**
 * Removes the sent entry `head` from the outbox when it is still first, and gives up the claim of
 * `me` once the outbox is empty (else renews it from `now`).
 */
function removeSentHead(r: HandoffRecord, head: OutboxEntry, me: string, now: number): void {
  const outbox = r.outbox ?? [];
  const first = outbox[0];
  if (first?.at === head.at && first.activityId === head.activityId && first.part === head.part)
    r.outbox = outbox.slice(1);
  if ((r.outbox ?? []).length === 0) {
    r.outbox = [];
    if (r.outboxDrainer === me) {
      r.outboxDrainer = undefined;
      r.outboxDrainUntil = undefined;
    }
  } else if (r.outboxDrainer === me) {
    r.outboxDrainUntil = now + OUTBOX_CLAIM_MS;
  }
}
