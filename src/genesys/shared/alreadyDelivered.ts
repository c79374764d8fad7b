import type { ResumeOptions } from '../handoffProvider';

/** One agent-side entry read back from Genesys on resume or after a reconnect. */
export interface DeliveryCandidate {
  /** Genesys' id of the message or event. */
  id: string;
  /** Its time in ms since the epoch; `NaN` or `undefined` when Genesys gave none (or an unreadable one). */
  timeMs: number | undefined;
  /** A presence entry (join, leave, disconnect) rather than a message. */
  presence: boolean;
}

/**
 * What the user has already seen of a chat, from the {@link ResumeOptions} the handoff layer kept.
 *
 * One definition for every provider: an entry is already delivered when its id is among the
 * delivered ids, or when it is older than the last delivered message by more than `graceMs`; a
 * presence entry up to that same moment counts as delivered too (a message with exactly the last
 * delivered time may be a different one: its id decides). An entry without a readable time is only
 * delivered by id. `graceMs` absorbs providers that do not guarantee time order (docs/genesys-protocol.md §5.8).
 */
export class DeliveredMark {
  private readonly ids: ReadonlySet<string>;
  private lastDeliveredMs: number | undefined;

  constructor(
    resume: ResumeOptions | undefined,
    private readonly graceMs = 0,
  ) {
    this.ids = new Set(resume?.deliveredMessageIds ?? []);
    const parsed = resume?.lastDeliveredAt === undefined ? Number.NaN : Date.parse(resume.lastDeliveredAt);
    this.lastDeliveredMs = Number.isNaN(parsed) ? undefined : parsed;
  }

  /** The ids delivered before this process held the chat. */
  get deliveredIds(): Iterable<string> {
    return this.ids;
  }

  /** True when the user already saw `entry` (see the class description). */
  isAlreadyDelivered(entry: DeliveryCandidate): boolean {
    if (this.ids.has(entry.id)) return true;
    if (this.lastDeliveredMs === undefined || entry.timeMs === undefined || Number.isNaN(entry.timeMs)) return false;
    const boundary = this.lastDeliveredMs - this.graceMs;
    return entry.presence ? entry.timeMs <= boundary : entry.timeMs < boundary;
  }

  /** Moves the mark forward to a message delivered now (ms since the epoch; earlier times are ignored). */
  advance(timeMs: number): void {
    if (!Number.isFinite(timeMs)) return;
    this.lastDeliveredMs = Math.max(this.lastDeliveredMs ?? 0, timeMs);
  }
}
