import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type {
  AgentInfo,
  AttachmentLink,
  ButtonAnswer,
  ChatListener,
  ChatSession,
  DeliveryOutcome,
  OpenMessagingResumeData,
  WrapUp,
} from '../handoffProvider';
import { ChatEventPipeline, SendQueue, TypingThrottle } from '../shared';
import { splitText } from '../splitText';
import { fitCustomAttributes } from '../webMessaging/clientRequests';
import { conversationVerdict, type ConversationSignal } from './endDecision';
import { AgentNames } from './agentNames';
import { disconnectCustomer } from './disconnectCustomer';
import { inboundAttachments, matchOfferedReply, type OfferedReplies } from './offeredReplies';
import { isNotFound } from './openMessagingApi';
import {
  inboundMessage,
  inboundReceipt,
  inboundStructuredResponse,
  inboundTyping,
  type ExternalCustomer,
  type InboundAttachment,
  type OfferedReply,
  type OutboundWebhook,
} from './payloads';
import type { SessionSettings } from './sessionSettings';

export { disconnectCustomer } from './disconnectCustomer';
export type { SessionSettings } from './sessionSettings';

/** Options of one {@link OpenMessagingSession}. */
export interface OpenMessagingSessionOptions {
  settings: SessionSettings;
  customer: ExternalCustomer;
  /** Known when resuming; learnt from the first inbound message otherwise. */
  conversationId?: string;
  /** Participant data for the first message of a new chat. */
  attributes?: Record<string, string>;
  listener: ChatListener;
  logger: Logger;
  /** Called once when the session ends or detaches. */
  onFinished: (session: OpenMessagingSession) => void;
  /** Called once the conversation id is known. */
  onConversationId: (session: OpenMessagingSession, conversationId: string) => void;
}

/**
 * One Open Messaging chat (docs/genesys-protocol.md §6). Nothing is held open: customer traffic
 * goes out as REST calls in order ({@link SendQueue}); agent traffic comes in through the
 * provider's webhook and detail events, handled one at a time on the session's
 * {@link ChatEventPipeline}. The session keeps the agent it last saw, their names by user id (one
 * user lookup per agent and conversation), the quick replies on offer and the wrap-up.
 */
export class OpenMessagingSession implements ChatSession {
  readonly pipeline: ChatEventPipeline;
  private readonly sends = new SendQueue();
  private readonly typing: TypingThrottle;
  private readonly settings: SessionSettings;
  private readonly logger: Logger;
  private conversation: string | undefined;
  private pendingAttributes: Record<string, string> | undefined;
  private agent: { participantId: string | undefined; userId: string | undefined; info: AgentInfo } | undefined;
  private readonly names: AgentNames;
  private offered: OfferedReplies | undefined;
  private wrapup: WrapUp | undefined;
  private queuedSent = false;
  private finished = false;

  constructor(private readonly options: OpenMessagingSessionOptions) {
    this.settings = options.settings;
    this.logger = options.logger;
    this.pipeline = new ChatEventPipeline(options.listener, options.logger);
    this.names = new AgentNames(options.settings.api, options.logger);
    this.typing = new TypingThrottle(options.settings.typingIntervalMs, options.settings.clock.now);
    this.conversation = options.conversationId;
    const attributes = options.attributes;
    if (attributes !== undefined && Object.keys(attributes).length > 0) this.pendingAttributes = attributes;
  }

  /** The per-handoff external id (`channel.from.id`). */
  get externalId(): string {
    return this.options.customer.id;
  }

  /** Genesys' conversation id, once known. */
  get conversationId(): string | undefined {
    return this.conversation;
  }

  /** {@inheritDoc ChatSession.resumeData} */
  get resumeData(): OpenMessagingResumeData {
    return {
      provider: 'openmessaging',
      externalId: this.options.customer.id,
      conversationId: this.conversation ?? '',
      nickname: this.options.customer.nickname,
    };
  }

  /** Emits `queued` once. */
  markQueued(): Promise<void> {
    if (this.queuedSent) return Promise.resolve();
    this.queuedSent = true;
    return this.pipeline.emit({ kind: 'queued' });
  }

  /**
   * {@inheritDoc ChatSession.sendText}
   * Text that matches a quick reply or button on offer goes out as its structured answer.
   */
  sendText(text: string): Promise<void> {
    const reply = matchOfferedReply(this.offered, text);
    if (reply !== undefined) return this.sends.run(() => this.sendReply(reply.offer, reply.messageId));
    return this.sendMessage(text, []);
  }

  /**
   * Sends customer text with attachments by URL (Genesys fetches them itself, docs/genesys-protocol.md §6.2).
   * Text over the length limit is split; attachments ride on the last part.
   */
  sendMessage(text: string, attachments: readonly AttachmentLink[]): Promise<void> {
    const files = inboundAttachments(attachments);
    return this.sends.run(async () => {
      this.requireOpen();
      const parts = splitText(text, this.settings.maxTextChars, 'chars');
      if (parts.length === 0 && files.length === 0) return;
      const last = Math.max(parts.length - 1, 0);
      for (let i = 0; i <= last; i++) await this.postMessage(parts[i] ?? '', i === last ? files : []);
    });
  }

  /**
   * {@inheritDoc ChatSession.sendButtonResponse}
   * Open Messaging answers quick replies and card buttons with a structured response
   * (`buttonResponse`, docs/genesys-protocol.md §6.2) naming the offering message; its type is the one
   * the offer had (a card's postback is a `Button`). A date picker answer goes as text: the
   * structured response has no picker type.
   */
  sendButtonResponse(answer: ButtonAnswer): Promise<void> {
    if (answer.type === 'DatePicker') return this.sendMessage(answer.text, []);
    const offered = this.offered?.messageId === answer.originalMessageId ? this.offered : undefined;
    const type = offered?.replies.find((r) => r.payload === answer.payload)?.type ?? answer.type;
    return this.sends.run(() =>
      this.sendReply({ type, text: answer.text, payload: answer.payload }, answer.originalMessageId),
    );
  }

  /** {@inheritDoc ChatSession.sendTyping} Typing is best effort: a failure is logged, never thrown. */
  async sendTyping(): Promise<void> {
    if (this.finished || !this.typing.tryTake()) return;
    const time = new Date(this.settings.clock.now()).toISOString();
    await this.settings.api.sendEvent(inboundTyping(this.options.customer, time)).catch((err: unknown) => {
      this.logger.info({ err }, 'customer typing not sent');
    });
  }

  /** {@inheritDoc ChatSession.acknowledge} */
  async acknowledge(messageId: string, outcome: DeliveryOutcome): Promise<void> {
    const time = new Date(this.settings.clock.now()).toISOString();
    try {
      await this.settings.api.sendReceipt(inboundReceipt(this.externalId, messageId, time, outcome));
    } catch (err) {
      this.logger.warn({ err, messageId }, 'delivery receipt not sent');
    }
  }

  /**
   * {@inheritDoc ChatSession.end}
   * Tells the agent first (`agentNotice`, by default the customer-left notice), then disconnects
   * the customer participant so routing stops, also while the chat is still queued
   * (docs/genesys-protocol.md §6.6).
   */
  async end(agentNotice?: string): Promise<void> {
    await this.sends.run(async () => {
      this.requireOpen();
      await disconnectCustomer(this.settings, this.options.customer, this.conversation, this.logger, agentNotice);
    });
    await this.pipeline.emit({ kind: 'ended', reason: 'guestEnded' });
    this.finish();
  }

  /** {@inheritDoc ChatSession.detach} */
  detach(): Promise<void> {
    this.pipeline.silence();
    this.finish();
    return Promise.resolve();
  }

  /** Handles one webhook payload in order with everything else of this chat. */
  receiveWebhook(payload: OutboundWebhook): Promise<void> {
    return this.pipeline.enqueue(() => this.onWebhook(payload));
  }

  /** Handles one detail event in order. */
  receiveSignal(signal: ConversationSignal): Promise<void> {
    return this.pipeline.enqueue(() => this.onSignal(signal));
  }

  /** Compares the chat with the conversation's participants and emits what was missed (the reconciler). */
  reconcile(): Promise<void> {
    return this.pipeline.enqueue(() => this.checkConversation());
  }

  /** True once the session ended or detached. */
  get isFinished(): boolean {
    return this.finished;
  }

  // ------------------------------------------------------------------------------ customer side

  private async postMessage(text: string, attachments: readonly InboundAttachment[]): Promise<void> {
    let attributes: Record<string, string> | undefined;
    if (this.pendingAttributes !== undefined) {
      const { kept, dropped } = fitCustomAttributes(this.pendingAttributes, this.settings.maxCustomAttributesBytes);
      if (dropped.length > 0)
        this.logger.warn(
          { dropped, limitBytes: this.settings.maxCustomAttributesBytes },
          'participant data over the size limit; dropped these keys',
        );
      attributes = kept;
    }
    const body = inboundMessage(this.options.customer, {
      messageId: randomUUID(),
      time: new Date(this.settings.clock.now()).toISOString(),
      text,
      attachments,
      ...(attributes === undefined ? {} : { customAttributes: attributes }),
    });
    const answer = await this.settings.api.sendMessage(body);
    this.pendingAttributes = undefined;
    if (this.conversation === undefined && answer.conversationId !== undefined) {
      this.conversation = answer.conversationId;
      this.options.onConversationId(this, answer.conversationId);
    }
    this.logger.debug({ text }, 'customer message sent');
  }

  private async sendReply(offer: OfferedReply, originatingMessageId: string): Promise<void> {
    this.requireOpen();
    const time = new Date(this.settings.clock.now()).toISOString();
    await this.settings.api.sendStructuredResponse(
      inboundStructuredResponse(
        this.options.customer,
        { messageId: randomUUID(), time },
        { type: offer.type, text: offer.text, payload: offer.payload },
        originatingMessageId,
      ),
    );
    this.offered = undefined;
  }

  private requireOpen(): void {
    if (this.finished) throw new GenesysError('closed', 'the Open Messaging chat has ended or was detached');
  }

  // ------------------------------------------------------------------------------- agent side

  private async onWebhook(payload: OutboundWebhook): Promise<void> {
    if (payload.conversationId !== undefined && this.conversation === undefined) {
      this.conversation = payload.conversationId;
      this.options.onConversationId(this, payload.conversationId);
    }
    switch (payload.kind) {
      case 'typing':
        await this.pipeline.deliver({ kind: 'agentTyping', durationMs: payload.durationMs });
        return;
      case 'receipt':
        if (payload.status === 'Failed')
          this.logger.warn(
            { messageId: payload.id, reasons: payload.reasons },
            'Genesys could not deliver a customer message',
          );
        else this.logger.debug({ messageId: payload.id, status: payload.status }, 'receipt for a customer message');
        return;
      case 'message': {
        if (payload.replies.length > 0) this.offered = { messageId: payload.id, replies: payload.replies };
        let agent: AgentInfo;
        if (payload.originatingEntity === 'Bot') {
          // An Architect flow (queue position, wait notice): shown under the integration's name.
          agent = payload.nickname === undefined ? {} : { name: payload.nickname };
        } else {
          if (this.agent === undefined) await this.checkConversation();
          agent = this.agent?.info ?? {};
        }
        // Structured content is rendered per channel (suggested actions, cards); replies that could
        // not be read as such are listed under the text and still answer when typed.
        const replies = payload.content === undefined ? payload.replies.map((r) => `• ${r.text}`) : [];
        await this.pipeline.deliver({
          kind: 'agentMessage',
          id: payload.id,
          text: [payload.text, ...replies].filter((t) => t !== '').join('\n'),
          time: payload.time,
          agent,
          attachments: payload.attachments,
          ...(payload.content === undefined ? {} : { content: payload.content }),
        });
        return;
      }
    }
  }

  private async onSignal(signal: ConversationSignal): Promise<void> {
    switch (signal.kind) {
      case 'agentJoined':
        await this.agentConnected(signal.userId, signal.participantId);
        return;
      case 'agentLeft':
        if (
          this.agent !== undefined &&
          signal.participantId !== undefined &&
          this.agent.participantId !== signal.participantId
        )
          return; // an earlier agent's end arriving late
        if (signal.transfer) {
          await this.agentGone(true);
          return;
        }
        // Not a transfer: the conversation decides (the customer may still be routed elsewhere).
        await this.agentGone(false);
        await this.checkConversation();
        return;
      case 'customerEnded':
        await this.endFromGenesys();
        return;
      case 'wrapup':
        this.wrapup = { code: signal.code, ...(signal.notes === undefined ? {} : { notes: signal.notes }) };
        return;
    }
  }

  private async checkConversation(): Promise<void> {
    if (this.pipeline.hasEnded || this.finished || this.conversation === undefined) return;
    let snapshot;
    try {
      snapshot = await this.settings.api.getConversation(this.conversation);
    } catch (err) {
      if (isNotFound(err)) {
        this.logger.info('the conversation no longer exists in Genesys; ending the chat');
        await this.endFromGenesys();
      } else this.logger.warn({ err }, 'could not read the conversation');
      return;
    }
    const verdict = conversationVerdict(snapshot);
    switch (verdict.kind) {
      case 'ended':
        if (verdict.wrapup !== undefined) this.wrapup ??= verdict.wrapup;
        await this.endFromGenesys();
        return;
      case 'withAgent':
        await this.agentConnected(verdict.userId, verdict.participantId);
        return;
      case 'waiting':
        if (this.agent !== undefined) await this.agentGone(true);
        return;
    }
  }

  private async agentConnected(userId: string | undefined, participantId: string | undefined): Promise<void> {
    const current = this.agent;
    if (current !== undefined && (current.participantId === participantId || participantId === undefined)) return;
    if (current !== undefined) await this.agentGone(true);
    const name = userId === undefined ? undefined : await this.names.nameOf(userId);
    const info: AgentInfo = {
      ...(userId === undefined ? {} : { id: userId }),
      ...(name === undefined ? {} : { name }),
    };
    this.agent = { participantId, userId, info };
    await this.pipeline.deliver({ kind: 'agentJoined', agent: info });
  }

  private async agentGone(transfer: boolean): Promise<void> {
    const current = this.agent;
    if (current === undefined) return;
    this.agent = undefined;
    await this.pipeline.deliver({ kind: 'agentLeft', agent: current.info, transfer });
  }

  private async endFromGenesys(): Promise<void> {
    if (this.pipeline.hasEnded) return;
    await this.pipeline.deliver({
      kind: 'ended',
      reason: 'agentEnded',
      ...(this.wrapup === undefined ? {} : { wrapup: this.wrapup }),
    });
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.options.onFinished(this);
  }
}
