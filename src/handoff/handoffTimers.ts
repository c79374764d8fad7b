import { AGENT_TEXTS } from '../resources/messages';
import type { ChatNotices } from './agentToUserRelay';
import type { ChatEnder } from './chatEnder';
import { ACTIVE_STATES, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffSettings } from './handoffSettings';
import type { LocalChats } from './localChats';

/** The timer pass yields to the event loop after this many chats. */
const YIELD_EVERY = 100;

/**
 * The queue timeout, the idle timeout and the idle warning. Deadlines live in each record
 * (`queueDeadline`, `idleDeadline`, `idleWarningAt`, epoch ms), so any instance that holds a chat
 * enforces them; {@link HandoffTimers.run} acts on the ones due, once per sweep.
 */
export class HandoffTimers {
  constructor(
    private readonly chats: LocalChats,
    private readonly records: HandoffRecords,
    private readonly notices: ChatNotices,
    private readonly ender: ChatEnder,
    private readonly settings: HandoffSettings,
  ) {}

  /** The queue deadline of a chat that starts waiting for an agent at `now` (none when the timeout is 0). */
  queueDeadline(now: number): Pick<HandoffRecord, 'queueDeadline'> {
    return this.settings.queueTimeoutSeconds > 0
      ? { queueDeadline: now + this.settings.queueTimeoutSeconds * 1000 }
      : {};
  }

  /** Back in the queue (agent transfer) at `now`: a new queue deadline, no idle deadline. */
  rearmQueue(record: HandoffRecord, now: number): void {
    Object.assign(record, this.queueDeadline(now));
    record.idleDeadline = undefined;
    record.idleWarningAt = undefined;
  }

  /** Moves the idle deadline (and warning) of a connected chat to count from `now`. */
  armIdle(record: HandoffRecord, now: number): void {
    if (record.state !== 'connected' || this.settings.idleTimeoutSeconds <= 0) return;
    record.idleDeadline = now + this.settings.idleTimeoutSeconds * 1000;
    record.idleWarningAt =
      this.settings.idleWarningSeconds > 0 ? record.idleDeadline - this.settings.idleWarningSeconds * 1000 : undefined;
    record.idleWarned = false;
  }

  /**
   * Acts on the deadlines due at `now` of the chats held here: ends chats past their queue or idle
   * deadline (on Genesys too, telling the user) and sends the idle warning once. Storage is read
   * only for chats whose local copy says a deadline is due; chats that ended or moved are dropped.
   */
  async run(now: number): Promise<void> {
    let visited = 0;
    for (const [id, local] of this.chats.entries()) {
      if (++visited % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      if (local.record !== undefined && !timerDue(local.record, now)) continue;
      const record = await this.records.get(id);
      this.chats.track(record);
      if (record === undefined || !ACTIVE_STATES.includes(record.state)) {
        await this.chats.detach(id);
        continue;
      }
      if (record.state !== 'connected' && record.queueDeadline !== undefined && record.queueDeadline <= now) {
        await this.ender.endLiveChat({
          id,
          reason: 'queueTimeout',
          detail: 'no agent within the queue timeout',
          from: ['requested', 'queued'],
          closeOnGenesys: true,
          tellUser: true,
        });
        continue;
      }
      if (record.state === 'connected' && record.idleDeadline !== undefined && record.idleDeadline <= now) {
        await this.ender.endLiveChat({
          id,
          reason: 'idleTimeout',
          detail: 'no message within the idle timeout',
          from: ['connected'],
          closeOnGenesys: true,
          tellUser: true,
        });
        continue;
      }
      if (
        record.state === 'connected' &&
        record.idleWarned !== true &&
        record.idleWarningAt !== undefined &&
        record.idleWarningAt <= now
      ) {
        await this.warnIdle(id, now);
      }
    }
  }

  /** Sends the idle warning once (the flag in storage decides between instances and sweeps). */
  private async warnIdle(id: string, now: number): Promise<void> {
    const updated = await this.records.update(id, (r) => {
      if (r.idleWarned === true || r.idleWarningAt === undefined || r.idleWarningAt > now) return undefined;
      r.idleWarned = true;
      return r;
    });
    this.chats.track(updated);
    if (updated?.idleWarned === true && updated.idleDeadline !== undefined) {
      const minutes = Math.max(1, Math.round((updated.idleDeadline - now) / 60_000));
      const outcome = await this.notices.warnIdle(id, updated.reference, minutes);
      if (outcome.status === 'gone' || outcome.status === 'exhausted') {
        await this.ender.endLiveChat({
          id,
          reason: 'userUnreachable',
          detail: `the channel no longer reaches the user (${outcome.failure.code})`,
          closeOnGenesys: true,
          tellUser: false,
          agentNotice: AGENT_TEXTS.userUnreachable,
        });
      }
    }
  }
}

/** Whether a chat has a timer due (or has left the active states) according to `record`. */
export function timerDue(record: HandoffRecord, now: number): boolean {
  if (!ACTIVE_STATES.includes(record.state)) return true;
  if (record.state !== 'connected') return record.queueDeadline !== undefined && record.queueDeadline <= now;
  if (record.idleDeadline !== undefined && record.idleDeadline <= now) return true;
  return record.idleWarned !== true && record.idleWarningAt !== undefined && record.idleWarningAt <= now;
}

/** Removes every deadline of a record (it ended or failed). */
export function clearTimers(record: HandoffRecord): void {
  record.queueDeadline = undefined;
  record.idleDeadline = undefined;
  record.idleWarningAt = undefined;
}
