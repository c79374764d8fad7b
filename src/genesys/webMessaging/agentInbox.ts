import type { Logger } from '../../logger';
import type { AgentInfo, ChatEvent, ResumeOptions } from '../handoffProvider';
import { BoundedIdSet, DeliveredMark } from '../shared';
import { agentInfoOf, attachmentsOf, isHuman, structuredContentOf, timeOf } from './agentMessages';
import type { StructuredMessage } from './frames';
import type { MissedHistory } from './historyBackfill';
import { ReorderBuffer } from './reorderBuffer';

/** Agent messages remembered per session for de-duplication. */
const DEDUPE_CAPACITY = 2000;
/**
 * [I] docs/genesys-protocol.md §5.8 gives no ordering guarantee: an unseen history message up to this much older
 * than the last delivered one is still delivered (late rather than lost); older ones count as seen.
 */
const BACKFILL_GRACE_MS = 60_000;

/** A live agent message waiting in the reorder buffer. */
interface HeldMessage {
  event: Extract<ChatEvent, { kind: 'agentMessage' }>;
  human: boolean;
}

/** Options of one {@link AgentInbox}. */
export interface AgentInboxOptions {
  logger: Logger;
  /** How long a live message waits for earlier ones (ms). */
  reorderWindowMs: number;
  /** What the user already saw of a resumed chat. */
  resume?: ResumeOptions;
  /** True when the deployment marks agent text as Markdown (docs/genesys-protocol.md §5.13). */
  markdown: () => boolean;
  /** Queues an event for the listener. */
  emit: (event: ChatEvent) => void;
  /** Called for every agent message (not for events): the session lifetime restarts. */
  onMessage: () => void;
  /** Called when the agent's `Presence Disconnect` arrives. */
  onAgentEnded: () => void;
}

/**
 * The agent side of one Web Messaging chat: Outbound messages and events, de-duplicated, held briefly
 * and released in time order, with `agentJoined` emitted once before the first human agent event.
 */
export class AgentInbox {
  private readonly seen = new BoundedIdSet(DEDUPE_CAPACITY);
  private readonly delivered: DeliveredMark;
  private readonly held: ReorderBuffer<HeldMessage>;
  private agentJoined = false;

  constructor(private readonly options: AgentInboxOptions) {
    this.delivered = new DeliveredMark(options.resume, BACKFILL_GRACE_MS);
    for (const id of this.delivered.deliveredIds) this.seen.add(id);
    this.held = new ReorderBuffer<HeldMessage>(options.reorderWindowMs, (item, timeMs) => {
      this.release(item, timeMs);
    });
  }

  /** Handles one Outbound structured message (docs/genesys-protocol.md §5.6). */
  handleOutbound(message: StructuredMessage): void {
    if (message.type === 'Event') {
      for (const event of message.events) {
        if (event.eventType === 'Typing' && event.typing !== undefined) {
          if (isHuman(message)) this.noteAgentJoined(agentInfoOf(message));
          this.options.emit({ kind: 'agentTyping', durationMs: event.typing.duration ?? 5000 });
        } else if (event.eventType === 'Presence' && event.presence?.type === 'Disconnect') {
          this.options.onAgentEnded();
          return;
        }
      }
      return;
    }
    // [I] docs/genesys-protocol.md §5.15: every message either way restarts the session lifetime.
    this.options.onMessage();
    this.acceptMessage(message);
    this.held.schedule();
  }

  /** True for a history entry the user has already seen (or this session has handled). */
  isKnown(entry: StructuredMessage): boolean {
    return (
      this.seen.has(entry.id) ||
      this.delivered.isAlreadyDelivered({ id: entry.id, timeMs: timeOf(entry), presence: entry.type === 'Event' })
    );
  }

  /**
   * Delivers the messages a history read found, oldest first. Returns true when the history ends with an
   * agent `Presence Disconnect` not handled before (the agent left while the link was down).
   */
  acceptMissed({ missing, disconnect }: MissedHistory): boolean {
    missing.sort((a, b) => timeOf(a) - timeOf(b));
    if (missing.length > 0)
      this.options.logger.info({ count: missing.length }, 'backfilling agent messages missed while disconnected');
    for (const message of missing) this.acceptMessage(message);
    this.held.flush();
    return disconnect !== undefined && this.seen.add(disconnect.id);
  }

  /** Delivers every held message now. */
  flush(): void {
    this.held.flush();
  }

  /** Drops held messages undelivered (whoever resumes the chat gets them from history). */
  discard(): void {
    this.held.discard();
  }

  /** Holds an agent message for release in time order, unless it was seen before. */
  private acceptMessage(message: StructuredMessage): void {
    if (!this.seen.add(message.id)) {
      this.options.logger.debug({ id: message.id }, 'skipping duplicate agent message');
      return;
    }
    const attachments = attachmentsOf(message);
    const content = structuredContentOf(message);
    const text = message.text ?? '';
    if (text.length === 0 && attachments.length === 0 && content === undefined) return;
    const time = message.channel.time ?? new Date().toISOString();
    const human = isHuman(message);
    this.held.add(
      {
        event: {
          kind: 'agentMessage',
          id: message.id,
          text,
          time,
          agent: agentInfoOf(message),
          attachments,
          ...(content === undefined ? {} : { content }),
          ...(human ? {} : { fromBot: true }),
          // [C] docs/genesys-protocol.md §5.13: agent text may carry Markdown when the deployment enables it.
          ...(this.options.markdown() ? { textFormat: 'markdown' as const } : {}),
        },
        human,
      },
      timeOf(message),
    );
  }

  /** Delivers one held message (in time order). */
  private release(item: HeldMessage, timeMs: number): void {
    if (item.human) this.noteAgentJoined(item.event.agent);
    this.delivered.advance(timeMs);
    this.options.emit(item.event);
  }

  /**
   * Emits `agentJoined` unless it was emitted before (by an agent event, a human message, or an
   * earlier call). Returns true when it emitted.
   */
  noteAgentJoined(agent: AgentInfo): boolean {
    if (this.agentJoined) return false;
    this.agentJoined = true;
    this.options.emit({ kind: 'agentJoined', agent });
    return true;
  }
}
