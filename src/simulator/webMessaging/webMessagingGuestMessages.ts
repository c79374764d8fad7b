import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { GuestMessage } from './clientFrames';
import {
  MAX_CUSTOM_ATTRIBUTES_BYTES,
  send,
  stringFrame,
  type Connection,
  type Session,
  type WebMessagingModel,
} from './webMessagingModel';
import { guestFilesOf } from './webMessagingAttachments';
import type { WebMessagingFaults } from './webMessagingFaults';
import { matchButtonResponses } from './webMessagingStructured';
import type { SimulatedMessage, WebMessagingSimulatorEvents } from './webMessagingTypes';

/**
 * What the Web Messaging simulator does with a guest's messages and events
 * (docs/genesys-protocol.md §5.3, §5.7, §5.11): the per-session rate limit, text and custom
 * attribute limits, routing a conversation on the first message, echoes, typing and Presence Clear.
 */
export class WebMessagingGuestMessages {
  constructor(
    private readonly model: WebMessagingModel,
    private readonly events: EventEmitter<WebMessagingSimulatorEvents>,
    private readonly faults: WebMessagingFaults,
  ) {}

  /** A guest `onMessage`: rate limit, size limits, routing on the first message, echo. */
  onMessage(connection: Connection, session: Session, message: GuestMessage, tracingId: string | undefined): void {
    const counts = message.type !== 'Event' || this.model.settings.rateLimitCountsEvents;
    if (counts) {
      const now = Date.now();
      session.messageTimes = session.messageTimes.filter((t) => now - t < 1000);
      if (session.messageTimes.length >= this.model.settings.messagesPerSecond) {
        const oldest = session.messageTimes[0] ?? now;
        // [C] retryAfter in seconds; [I] rounded up to whole seconds.
        const retryAfter = Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
        this.model.counters.rateLimited++;
        send(connection.ws, {
          type: 'response',
          class: 'TooManyRequestsErrorMessage',
          code: 429,
          body: { retryAfter, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
          ...(tracingId === undefined ? {} : { tracingId }),
        });
        return;
      }
      session.messageTimes.push(now);
    }
    if (message.type === 'Event') {
      this.onGuestEvents(connection, session, message.events, tracingId);
      return;
    }
    const bytes = Buffer.byteLength(message.text, 'utf8');
    const maxTextBytes = this.model.settings.maxTextBytes;
    if (bytes > maxTextBytes) {
      send(connection.ws, stringFrame(4011, `Message length ${bytes} is larger than ${maxTextBytes}`, tracingId));
      return;
    }
    let attributes: Record<string, string> | undefined;
    if (message.customAttributes !== undefined) {
      attributes = {};
      for (const [key, value] of Object.entries(message.customAttributes)) {
        if (typeof value !== 'string') {
          send(connection.ws, stringFrame(400, 'Request failed.', tracingId));
          return;
        }
        attributes[key] = value;
      }
      // [I] measured as the UTF-8 length of the JSON object.
      if (Buffer.byteLength(JSON.stringify(attributes), 'utf8') > MAX_CUSTOM_ATTRIBUTES_BYTES) {
        send(
          connection.ws,
          stringFrame(
            4013,
            `Custom Attributes in channel metadata is larger than ${MAX_CUSTOM_ATTRIBUTES_BYTES} bytes`,
            tracingId,
          ),
        );
        return;
      }
    }
    if (session.readOnly) {
      // [O] docs/genesys-protocol.md §5.16: Genesys answers a message on a read-only session with
      // 409 "Session is read-only, no new messages allowed" (configurable: `readOnlyRejection`).
      const { code, body } = this.model.settings.readOnlyRejection;
      send(connection.ws, stringFrame(code, body, tracingId));
      return;
    }
    const answers = matchButtonResponses(message.content, session.conversation?.messages ?? []);
    if (!answers.ok) {
      this.model.counters.invalidFrames++;
      send(connection.ws, stringFrame(400, 'Request failed.', tracingId));
      return;
    }
    this.model.touch(session);
    // [C] Genesys routes (creates) the conversation on the first message of a session.
    let conversation = session.conversation;
    let started = false;
    if (conversation === undefined || conversation.state === 'ended') {
      conversation = {
        id: randomUUID(),
        state: 'waiting',
        messages: [],
        customAttributes: {},
        startedAt: new Date().toISOString(),
        agentTypingTimes: [],
      };
      session.conversation = conversation;
      this.model.conversations.set(conversation.id, { session, conversation });
      started = true;
    }
    if (attributes !== undefined) Object.assign(conversation.customAttributes, attributes);
    const time = this.model.nextTime(session);
    const id = randomUUID();
    const body: Record<string, unknown> = {
      id,
      channel: { time, messageId: id, type: 'Private' },
      type: message.type,
      text: message.text,
      direction: 'Inbound',
      ...(message.content.length > 0 ? { content: message.content } : {}),
    };
    session.history.push(body);
    const simulated: SimulatedMessage = {
      id,
      direction: 'Inbound',
      type: message.type,
      text: message.text,
      time,
      ...(answers.responses.length === 0 ? {} : { buttonResponses: answers.responses }),
    };
    const files = guestFilesOf(message.content);
    if (files.length > 0) simulated.attachments = files;
    conversation.messages.push(simulated);
    if (started) this.events.emit('conversationStarted', this.model.require(conversation.id));
    // [C] the message is echoed (direction Inbound) with the request's tracingId to every connection;
    // the fault knob holds the echo back while the message itself is already accepted.
    this.faults.answerGuest(() => {
      this.echo(session, body, tracingId);
    });
    this.events.emit('guestMessage', { conversationId: conversation.id, message: { ...simulated } });
    this.model.changed();
  }

  private onGuestEvents(
    connection: Connection,
    session: Session,
    events: { eventType: string; typingType?: string; presenceType?: string }[],
    tracingId: string | undefined,
  ): void {
    for (const event of events) {
      if (event.eventType === 'Presence' && event.presenceType === 'Clear') {
        if (!session.deployment.conversationClear) {
          // [C] Clear needs Conversation Clear enabled in the Messenger configuration.
          this.model.counters.clearsRefused++;
          send(connection.ws, stringFrame(403, 'Presence events Conversation Clear are not supported', tracingId));
          return;
        }
        this.model.clearSession(session);
        return;
      }
    }
    const conversation = session.conversation;
    const body = {
      id: randomUUID(),
      channel: { time: this.model.nextTime(session), type: 'Private' },
      type: 'Event',
      events: events.map((e) =>
        e.eventType === 'Typing'
          ? { eventType: 'Typing', typing: { type: e.typingType ?? 'On' } }
          : { eventType: 'Presence', presence: { type: e.presenceType ?? 'Join' } },
      ),
      direction: 'Inbound',
    };
    // [I] guest events are echoed like messages.
    this.echo(session, body, tracingId);
    if (conversation !== undefined && conversation.state !== 'ended' && events.some((e) => e.eventType === 'Typing')) {
      this.events.emit('guestTyping', { conversationId: conversation.id });
      this.model.changed();
    }
  }

  /** [C] Presence Clear: `SessionClearedEvent`, then `ConnectionClosedEvent`, and the conversation ends. */

  /** Sends a guest's message or events back to every connection of the session, with the request's tracingId. */
  private echo(session: Session, body: Record<string, unknown>, tracingId: string | undefined): void {
    this.model.broadcast(session, {
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body,
      ...(tracingId === undefined ? {} : { tracingId }),
    });
  }
}
