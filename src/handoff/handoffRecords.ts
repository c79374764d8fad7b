import type { Logger } from '../logger';
import { isStoreConflict, type Versioned, type VersionedStore } from '../storage/versionedStore';
import {
  ACTIVE_STATES,
  TRANSITIONS,
  isHandoffRecord,
  type HandoffDocument,
  type HandoffRecord,
  type HandoffState,
  type InboundActivityLog,
} from './handoffRecord';

const MAX_UPDATE_ATTEMPTS = 8;

/** Result of {@link HandoffRecords.transition}. */
export interface TransitionResult {
  /** False when the transition was not allowed from the record's current state (it lost a race). */
  changed: boolean;
  record: HandoffRecord | undefined;
}

/**
 * All reads and writes of live-chat records. Every write is a read-modify-write guarded by the
 * record's ETag; on a conflict the change is re-applied to the fresh record, never written blindly.
 */
export class HandoffRecords {
  constructor(
    private readonly store: VersionedStore<HandoffDocument>,
    private readonly retentionSeconds: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads a record. */
  async get(id: string): Promise<HandoffRecord | undefined> {
    const doc = await this.store.read(id);
    return isHandoffRecord(doc?.value) ? doc.value : undefined;
  }

  /** Every record in an active state. */
  async listActive(): Promise<HandoffRecord[]> {
    return (await this.store.queryByField('state', ACTIVE_STATES)).map((d) => d.value).filter(isHandoffRecord);
  }

  /** Every active record owned by one of `owners` ('' = released). */
  async listOwnedBy(owners: readonly string[]): Promise<HandoffRecord[]> {
    return (await this.store.queryByField('owner', owners))
      .map((d) => d.value)
      .filter(isHandoffRecord)
      .filter((r) => ACTIVE_STATES.includes(r.state));
  }

  /**
   * Starts a new live chat for a conversation: creates the record, or reuses an ended one.
   * Returns `undefined` when a chat is already active (another turn or instance won).
   */
  async begin(record: HandoffRecord): Promise<HandoffRecord | undefined> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const existing = await this.store.read(record.id);
      try {
        if (existing === undefined) {
          await this.store.create(record);
        } else {
          const current = existing.value;
          if (isHandoffRecord(current) && ACTIVE_STATES.includes(current.state)) return undefined;
          await this.store.replace(record, existing.etag);
        }
        this.logTransition(
          record,
          isHandoffRecord(existing?.value) ? existing.value.state : 'none',
          record.state,
          record.reason,
        );
        return record;
      } catch (err) {
        if (!isStoreConflict(err)) throw err;
      }
    }
    return undefined;
  }

  /**
   * Applies `mutate` to the current record and saves it with ETag concurrency, re-applying on
   * conflicts. `mutate` returns the new record, or `undefined` to leave it unchanged.
   */
  async update(
    id: string,
    mutate: (current: HandoffRecord) => HandoffRecord | undefined,
  ): Promise<HandoffRecord | undefined> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const doc = await this.store.read(id);
      if (doc === undefined || !isHandoffRecord(doc.value)) return undefined;
      const next = mutate(structuredClone(doc.value));
      if (next === undefined) return doc.value;
      next.updatedAt = this.now();
      try {
        const saved = await this.store.replace(next, doc.etag);
        return saved.value as HandoffRecord;
      } catch (err) {
        if (!isStoreConflict(err)) throw err;
        this.logger.debug({ recordId: id, attempt }, 'live-chat record changed concurrently; re-applying');
      }
    }
    throw new Error(`live-chat record ${id} kept changing; gave up after ${MAX_UPDATE_ATTEMPTS} attempts`);
  }

  /**
   * The one way to change a record's state: validates the transition against {@link TRANSITIONS}
   * (and optionally the expected current states), applies `patch`, sets the TTL, logs
   * `{conversationId, from, to, reason}` and saves with ETag concurrency. A transition that is no
   * longer allowed (another instance or event got there first) is not applied and reports `changed: false`.
   */
  async transition(
    id: string,
    to: HandoffState,
    reason: string,
    patch: (record: HandoffRecord) => void = () => undefined,
    expectedFrom?: readonly HandoffState[],
    generation?: string,
  ): Promise<TransitionResult> {
    const outcome: { changed: boolean; from: HandoffState | undefined } = { changed: false, from: undefined };
    const record = await this.update(id, (current) => {
      outcome.changed = false;
      outcome.from = current.state;
      if (!TRANSITIONS[current.state].includes(to)) return undefined;
      if (expectedFrom !== undefined && !expectedFrom.includes(current.state)) return undefined;
      if (generation !== undefined && current.generation !== generation) return undefined;
      current.state = to;
      current.reason = reason;
      if (ACTIVE_STATES.includes(to)) {
        current.ttl = -1;
      } else {
        current.ttl = this.retentionSeconds;
        current.owner = '';
        current.endedAt = this.now();
      }
      patch(current);
      outcome.changed = true;
      return current;
    });
    if (outcome.changed && record !== undefined && outcome.from !== undefined)
      this.logTransition(record, outcome.from, to, reason);
    return { changed: outcome.changed, record };
  }

  /** Writes a heartbeat document (the instance lease); creates it when missing. */
  async heartbeat(id: string, instanceId: string, expiresAt: number): Promise<void> {
    const doc: HandoffDocument = {
      id,
      type: 'instance',
      instanceId,
      expiresAt,
      ttl: Math.max(60, Math.ceil((expiresAt - this.now()) / 1000) * 4),
    };
    const existing = await this.store.read(id);
    try {
      if (existing === undefined) await this.store.create(doc);
      else await this.store.replace(doc, existing.etag);
    } catch (err) {
      // Only this instance writes its heartbeat; a conflict means an overlapping tick already did.
      if (!isStoreConflict(err)) throw err;
    }
  }

  /**
   * Remembers an inbound activity id in the conversation's {@link InboundActivityLog} for
   * `windowSeconds`. Returns false when the id was already there (a redelivery). One read and one
   * ETag-guarded write; ids older than the window (or beyond `maxIds`) are dropped.
   */
  async rememberInbound(logId: string, activityId: string, windowSeconds: number, maxIds = 200): Promise<boolean> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const existing = await this.store.read(logId);
      const now = this.now();
      const log = existing?.value.type === 'inbound' ? existing.value : undefined;
      const seen = (log?.seen ?? []).filter((s) => s.at > now - windowSeconds * 1000);
      if (seen.some((s) => s.id === activityId)) return false;
      const doc: InboundActivityLog = {
        id: logId,
        type: 'inbound',
        seen: [...seen, { id: activityId, at: now }].slice(-maxIds),
        ttl: windowSeconds,
      };
      try {
        if (existing === undefined) await this.store.create(doc);
        else await this.store.replace(doc, existing.etag);
        return true;
      } catch (err) {
        if (!isStoreConflict(err)) throw err;
      }
    }
    throw new Error(`inbound activity log ${logId} kept changing; gave up after ${MAX_UPDATE_ATTEMPTS} attempts`);
  }

  /** Heartbeats of every instance. */
  async heartbeats(): Promise<{ instanceId: string; expiresAt: number }[]> {
    const docs: Versioned<HandoffDocument>[] = await this.store.queryByField('type', ['instance']);
    return docs.flatMap((d) =>
      d.value.type === 'instance' ? [{ instanceId: d.value.instanceId, expiresAt: d.value.expiresAt }] : [],
    );
  }

  /** Removes a heartbeat (graceful shutdown). */
  async removeHeartbeat(id: string): Promise<void> {
    await this.store.delete(id);
  }

  private logTransition(record: HandoffRecord, from: string, to: HandoffState, reason: string): void {
    this.logger.info(
      { conversationId: record.conversationId, recordId: record.id, from, to, reason },
      'live chat state changed',
    );
  }
}
