import type { ConversationReference } from 'botbuilder';
import type { ChatSession } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import type { HandoffRecord } from './handoffRecord';

/** A live chat whose Genesys connection this instance holds. */
export interface LocalChat {
  /** The record generation this local chat belongs to. */
  generation: string;
  session: ChatSession | undefined;
  reference: Partial<ConversationReference>;
  /** The record as last read or written here; timers read storage only when this says one is due. */
  record?: HandoffRecord;
}

/**
 * The chats this instance holds, by record id, and whether the instance has stopped. Shared by the
 * lifecycle, the relays, the timers and the leases; it also counts relay work still in flight so
 * callers can wait until the handoff layer is quiet ({@link LocalChats.whenIdle}).
 */
export class LocalChats {
  private readonly chats = new Map<string, LocalChat>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Set once the instance shuts down or halts; nothing new is held after that. */
  stopped = false;
  /**
   * Epoch ms until which this instance's last renewed heartbeat keeps other instances off its
   * chats; until then the kept copies of its records are current (see HandoffRecords.current).
   */
  leaseValidUntil = 0;

  constructor(private readonly logger: Logger) {}

  get size(): number {
    return this.chats.size;
  }

  get(id: string): LocalChat | undefined {
    return this.chats.get(id);
  }

  has(id: string): boolean {
    return this.chats.has(id);
  }

  set(id: string, chat: LocalChat): void {
    this.chats.set(id, chat);
  }

  delete(id: string): void {
    this.chats.delete(id);
  }

  clear(): void {
    this.chats.clear();
  }

  /** A snapshot of the held chats (safe to iterate while chats are added or dropped). */
  entries(): [string, LocalChat][] {
    return [...this.chats];
  }

  /** A snapshot of the held record ids. */
  ids(): string[] {
    return [...this.chats.keys()];
  }

  /** True when this instance holds the chat of `id` in `generation`. */
  holds(id: string, generation: string): boolean {
    return this.chats.get(id)?.generation === generation;
  }

  /** Keeps the local copy of a record this instance holds, for the timers. */
  track(record: HandoffRecord | undefined): void {
    if (record === undefined) return;
    const local = this.chats.get(record.id);
    if (local?.generation === record.generation) {
      local.record = record;
      local.reference = record.reference;
    }
  }

  /** Stops listening to a chat here without ending it (it lives on for whichever instance owns it). */
  async detach(id: string): Promise<void> {
    const local = this.chats.get(id);
    this.chats.delete(id);
    if (local?.session === undefined) return;
    await local.session.detach().catch((err: unknown) => {
      this.logger.debug({ err, recordId: id }, 'detach failed');
    });
  }

  /** Runs `work` and counts it as pending until it settles (see {@link LocalChats.whenIdle}). */
  trackWork<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = (): void => {
      this.pending.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  /** Resolves once no counted work is pending (including work that started while waiting). */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
