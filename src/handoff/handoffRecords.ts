import type { Logger } from '../logger';
import type { FoldMark, Transcript, TranscriptEntry } from '../transcript/transcript';
import { appendToJournal, foldDue, pruneJournal, type TranscriptFolder } from '../transcript/transcriptJournal';
import { isStoreConflict, type Versioned, type VersionedStore } from '../storage/versionedStore';
import {
  ACTIVE_STATES,
  TRANSITIONS,
  isHandoffRecord,
  type HandoffDocument,
  type HandoffRecord,
  type HandoffState,
  type DutyLease,
  type InboundActivityLog,
} from './handoffRecord';

const MAX_UPDATE_ATTEMPTS = 8;

/** How many records read here as absent or ended are remembered for {@link HandoffRecords.begin}. */
const MAX_INACTIVE_HINTS = 256;

/** Result of {@link HandoffRecords.transition}. */
export interface TransitionResult {
  /** False when the transition was not allowed from the record's current state (it lost a race). */
  changed: boolean;
  record: HandoffRecord | undefined;
}

/** A change to a record that may wait for the record's next write (see {@link HandoffRecords.defer}). */
export type DeferredPatch = (record: HandoffRecord) => void;

/** A bound for {@link HandoffRecords} `deferMaxMs` that lets outbox removals ride on the next write (ms). */
export const DEFER_MAX_MS = 10_000;

/**
 * All reads and writes of live-chat records. Every write is guarded by the record's ETag; on a
 * conflict the change is re-applied to the fresh record, never written blindly.
 *
 * The instance keeps the version (value and ETag) it last read or wrote of each active record and
 * writes against it without reading first: a write that loses (HTTP 412: someone else changed the
 * record) re-reads and re-applies. A change whose `mutate` decides nothing needs writing is checked
 * against a fresh read when it was decided on the kept copy. Small changes may be deferred
 * ({@link HandoffRecords.defer}) to ride on the record's next write.
 */
export class HandoffRecords {
  /** The last version of each active record read or written here. */
  private readonly known = new Map<string, Versioned<HandoffRecord>>();
  /** Changes waiting for the record's next write, with the timer that writes them alone. */
  private readonly deferred = new Map<string, { patches: DeferredPatch[]; timer: NodeJS.Timeout }>();
  /** Versions of the instance heartbeat documents written here. */
  private readonly heartbeatEtags = new Map<string, string>();
  /** Transcript entries waiting for the record's next write ({@link HandoffRecords.ride}). */
  private readonly riding = new Map<string, TranscriptEntry[]>();
  /** How far each record's transcript journal is known to be folded: entries up to it go with the next write. */
  private readonly foldMarks = new Map<string, FoldMark>();
  /** Folds in progress, by record id. */
  private readonly folding = new Map<string, Promise<void>>();
  /** Records written while their fold was in progress: folded again once it settles. */
  private readonly refold = new Map<string, HandoffRecord>();
  private folder: TranscriptFolder | undefined;
  /**
   * Writes in progress per record, chained: this instance's own writes to one record (the binding
   * of an opening chat, its state transitions, notices' journal entries, outbox claims) run one
   * after the other against the version the previous one wrote, instead of conflicting with each
   * other and re-reading. Each entry is the tail of the chain; removed once it settled.
   */
  private readonly lanes = new Map<string, Promise<void>>();
  /**
   * What the last read of a record found when it was not active: `null` for no record, else the
   * ended record's version. {@link HandoffRecords.begin} writes against it without reading again
   * (a stale hint fails the ETag-guarded write and is then read). Bounded, oldest dropped first.
   */
  private readonly inactive = new Map<string, Versioned<HandoffDocument> | null>();

  constructor(
    private readonly store: VersionedStore<HandoffDocument>,
    private readonly retentionSeconds: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** How long a deferred change waits for another write to ride on (ms); 0 writes it at once. */
    private readonly deferMaxMs = 0,
  ) {}

  /** Reads a record (always from storage). */
  async get(id: string): Promise<HandoffRecord | undefined> {
    return (await this.readFresh(id))?.value;
  }

  /**
   * The record as this instance last read or wrote it, with its deferred changes applied; read
   * from storage when not kept here. For the instance that holds the chat (its lease guarantees no
   * other instance writes the record except through ETag-guarded writes this instance then loses).
   */
  async current(id: string): Promise<HandoffRecord | undefined> {
    const kept = this.known.get(id) ?? (await this.readFresh(id));
    return kept === undefined ? undefined : view(kept.value, this.deferred.get(id)?.patches ?? []);
  }

  /**
   * Queues `patch` to be applied with the record's next write (of any kind), or written alone
   * after `deferMaxMs` (at once when that is 0), then calls `onWritten`. Lost if the process dies
   * before then: only for changes whose loss a takeover tolerates (see bench/README.md).
   * {@link HandoffRecords.flush} writes them at once.
   */
  async defer(id: string, patch: DeferredPatch, onWritten?: (record: HandoffRecord) => void): Promise<void> {
    const pending = this.deferred.get(id);
    if (pending !== undefined) {
      pending.patches.push(patch);
      return;
    }
    if (this.deferMaxMs <= 0) {
      await this.update(id, (r) => {
        patch(r);
        return r;
      });
      return;
    }
    const timer = setTimeout(() => {
      void this.flushOne(id).then((record) => {
        if (record !== undefined) onWritten?.(record);
      });
    }, this.deferMaxMs);
    timer.unref();
    this.deferred.set(id, { patches: [patch], timer });
  }

  /** Writes every deferred change now (graceful shutdown, before chats are released). */
  async flush(): Promise<void> {
    await Promise.all([...this.deferred.keys()].map((id) => this.flushOne(id)));
    await this.whenFolded();
  }

  private async flushOne(id: string): Promise<HandoffRecord | undefined> {
    const pending = this.deferred.get(id);
    if (pending === undefined) return undefined;
    try {
      return await this.update(id, (r) => r);
    } catch (err) {
      this.logger.warn({ err, recordId: id }, 'could not write deferred live-chat record changes');
      return undefined;
    } finally {
      // Written, or the record is gone: either way nothing is left to apply.
      const left = this.deferred.get(id);
      if (left === pending) {
        clearTimeout(left.timer);
        this.deferred.delete(id);
      }
    }
  }

  /** Reads a record from storage and keeps its version. */
  private async readFresh(id: string): Promise<Versioned<HandoffRecord> | undefined> {
    const doc = await this.store.read(id);
    if (doc === undefined || !isHandoffRecord(doc.value)) {
      this.known.delete(id);
      this.hintInactive(id, doc ?? null);
      return undefined;
    }
    const versioned = { value: doc.value, etag: doc.etag };
    this.keep(versioned);
    if (!ACTIVE_STATES.includes(doc.value.state)) this.hintInactive(id, doc);
    return versioned;
  }

  private hintInactive(id: string, doc: Versioned<HandoffDocument> | null): void {
    this.inactive.delete(id);
    this.inactive.set(id, doc);
    if (this.inactive.size > MAX_INACTIVE_HINTS) {
      const oldest = this.inactive.keys().next();
      if (oldest.done !== true) this.inactive.delete(oldest.value);
    }
  }

  /**
   * Runs `work` after every write to record `id` this instance started before it has settled
   * (see {@link HandoffRecords.lanes}). Work that finds no lane waiting starts at once.
   */
  private inLane<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = this.lanes.get(id);
    const run = before === undefined ? work() : before.then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.lanes.set(id, tail);
    void tail.then(() => {
      if (this.lanes.get(id) === tail) this.lanes.delete(id);
    });
    return run;
  }

  /** Keeps the version of an active record; forgets an ended one (it is only read again when begun anew). */
  private keep(doc: Versioned<HandoffRecord>): void {
    if (ACTIVE_STATES.includes(doc.value.state)) this.known.set(doc.value.id, doc);
    else this.known.delete(doc.value.id);
  }

  /** Every record in an active state (also drops kept versions of records that ended elsewhere). */
  async listActive(): Promise<HandoffRecord[]> {
    const active = (await this.store.queryByField('state', ACTIVE_STATES)).map((d) => d.value).filter(isHandoffRecord);
    const ids = new Set(active.map((r) => r.id));
    for (const id of [...this.known.keys()]) if (!ids.has(id)) this.known.delete(id);
    return active;
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
    return this.inLane(record.id, () => this.beginNow(record));
  }

  private async beginNow(record: HandoffRecord): Promise<HandoffRecord | undefined> {
    // A read of this instance that just found no active record (the turn's own check) stands in
    // for the first read: the create or replace below is guarded, so a stale hint only conflicts.
    const hint = this.inactive.get(record.id);
    this.inactive.delete(record.id);
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const existing = attempt === 1 && hint !== undefined ? (hint ?? undefined) : await this.store.read(record.id);
      try {
        let saved: Versioned<HandoffDocument>;
        if (existing === undefined) {
          saved = await this.store.create(record);
        } else {
          const current = existing.value;
          if (isHandoffRecord(current) && ACTIVE_STATES.includes(current.state)) return undefined;
          // The conversation's transcript entries not yet folded stay with it into the new chat.
          if (isHandoffRecord(current) && current.transcriptJournal !== undefined)
            record.transcriptJournal = structuredClone(current.transcriptJournal);
          else delete record.transcriptJournal;
          saved = await this.store.replace(record, existing.etag);
        }
        this.keep({ value: structuredClone(record), etag: saved.etag });
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
  update(
    id: string,
    mutate: (current: HandoffRecord) => HandoffRecord | undefined,
  ): Promise<HandoffRecord | undefined> {
    return this.inLane(id, () => this.updateNow(id, mutate));
  }

  private async updateNow(
    id: string,
    mutate: (current: HandoffRecord) => HandoffRecord | undefined,
  ): Promise<HandoffRecord | undefined> {
    this.inactive.delete(id);
    let useKept = true;
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const kept = useKept ? this.known.get(id) : undefined;
      useKept = false;
      const doc = kept ?? (await this.readFresh(id));
      if (doc === undefined) return undefined;
      const pending = this.deferred.get(id);
      const next = mutate(view(doc.value, pending?.patches ?? []));
      if (next === undefined) {
        // Decided on the kept copy: make sure against storage before reporting "nothing to do".
        if (kept !== undefined) {
          attempt--;
          continue;
        }
        return pending === undefined ? doc.value : view(doc.value, pending.patches);
      }
      next.updatedAt = this.now();
      const riders = this.journalInto(next);
      try {
        const saved = await this.store.replace(next, doc.etag);
        if (pending !== undefined && this.deferred.get(id) === pending) {
          clearTimeout(pending.timer);
          this.deferred.delete(id);
        }
        this.riding.get(id)?.splice(0, riders);
        if (this.riding.get(id)?.length === 0) this.riding.delete(id);
        this.keep({ value: { ...next }, etag: saved.etag });
        this.afterJournalWrite(next);
        return next;
      } catch (err) {
        if (!isStoreConflict(err)) throw err;
        this.known.delete(id);
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

  /** Folds transcript journals into conversation state with `folder` (without one, journals are never folded). */
  useTranscriptFolder(folder: TranscriptFolder): void {
    this.folder = folder;
  }

  /**
   * Queues transcript entries of the conversation of record `id` to be written with the record's
   * next write (the caller makes that write at once). Lost if the process dies before: only for
   * entries whose record write would then be repeated (see bench/README.md). False (nothing
   * queued) when this instance keeps no version of the record: write them with {@link journal}.
   */
  ride(id: string, entries: readonly TranscriptEntry[]): boolean {
    if (!this.known.has(id)) return false;
    this.buffer(id, entries);
    return true;
  }

  private buffer(id: string, entries: readonly TranscriptEntry[]): void {
    if (entries.length === 0) return;
    const waiting = this.riding.get(id);
    if (waiting === undefined) this.riding.set(id, [...entries]);
    else waiting.push(...entries);
  }

  /**
   * Appends transcript entries to the record's journal in one write (with anything riding), in
   * whatever state the record is. Returns false when there is no record to carry them. Rejects
   * when the write fails; `entries` are then not kept here (the caller keeps them elsewhere, so
   * they do not also ride on a later write).
   */
  async journal(id: string, entries: readonly TranscriptEntry[]): Promise<boolean> {
    this.buffer(id, entries);
    let written: HandoffRecord | undefined;
    try {
      written = await this.update(id, (r) => r);
    } catch (err) {
      this.unbuffer(id, entries);
      throw err;
    }
    if (written === undefined) this.riding.delete(id);
    return written !== undefined;
  }

  /** Takes `entries` (the same objects) out of what waits to ride on the record's next write. */
  private unbuffer(id: string, entries: readonly TranscriptEntry[]): void {
    const waiting = this.riding.get(id);
    if (waiting === undefined) return;
    // In place: a write in flight removes the riders it took from the front of this array.
    for (const entry of entries) {
      const at = waiting.indexOf(entry);
      if (at !== -1) waiting.splice(at, 1);
    }
    if (waiting.length === 0) this.riding.delete(id);
  }

  /**
   * The transcript `stored` (conversation state) with the unfolded entries of `journal` merged in:
   * the conversation's whole transcript (the agent's introduction is made from it).
   */
  transcriptWith(stored: Transcript, journal: HandoffRecord['transcriptJournal']): Transcript {
    return this.folder === undefined ? stored : this.folder.view(stored, journal);
  }

  /** Resolves once every fold in progress settled. */
  async whenFolded(): Promise<void> {
    while (this.folding.size > 0) await Promise.all([...this.folding.values()]);
  }

  /** Puts the riding entries of `next` into its journal and drops folded ones; returns how many rode. */
  private journalInto(next: HandoffRecord): number {
    const riders = this.riding.get(next.id) ?? [];
    if (riders.length > 0) next.transcriptJournal = appendToJournal(next.transcriptJournal, riders);
    const mark = this.foldMarks.get(next.id);
    if (mark !== undefined && next.transcriptJournal !== undefined) {
      next.transcriptJournal = pruneJournal(next.transcriptJournal, mark);
      if (mark.journal !== next.transcriptJournal.id || next.transcriptJournal.entries.length === 0)
        this.foldMarks.delete(next.id);
    }
    return riders.length;
  }

  /** Starts a fold when the written record's journal grew enough to fold ({@link foldDue}) or its chat is over. */
  private afterJournalWrite(record: HandoffRecord): void {
    const journal = record.transcriptJournal;
    if (this.folder === undefined || journal === undefined || journal.entries.length === 0) return;
    const mark = this.foldMarks.get(record.id);
    const unfolded = mark?.journal === journal.id ? journal.entries.filter((e) => e.seq > mark.seq) : journal.entries;
    if (unfolded.length === 0 || (!foldDue(unfolded) && ACTIVE_STATES.includes(record.state))) return;
    if (this.folding.has(record.id)) {
      this.refold.set(record.id, record);
      return;
    }
    const folder = this.folder;
    const work = folder
      .fold(record.channelId, record.conversationId, structuredClone(journal))
      .then((folded) => {
        // Kept for the next write of an active chat only: an ended record may never be written again here.
        if (folded !== undefined && ACTIVE_STATES.includes(record.state)) this.foldMarks.set(record.id, folded);
        else this.foldMarks.delete(record.id);
      })
      .catch((err: unknown) => {
        this.logger.warn({ err, recordId: record.id }, 'could not fold the transcript journal; it stays in the record');
      })
      .finally(() => {
        this.folding.delete(record.id);
        const again = this.refold.get(record.id);
        this.refold.delete(record.id);
        if (again !== undefined) this.afterJournalWrite(again);
      });
    this.folding.set(record.id, work);
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
    // One write: against the version written last time, or a create the first time.
    const etag = this.heartbeatEtags.get(id);
    try {
      const saved = etag === undefined ? await this.store.create(doc) : await this.store.replace(doc, etag);
      this.heartbeatEtags.set(id, saved.etag);
      return;
    } catch (err) {
      if (!isStoreConflict(err)) throw err;
      this.heartbeatEtags.delete(id);
    }
    // Created elsewhere, expired or removed meanwhile: read once and write against what is there.
    const existing = await this.store.read(id);
    try {
      const saved =
        existing === undefined ? await this.store.create(doc) : await this.store.replace(doc, existing.etag);
      this.heartbeatEtags.set(id, saved.etag);
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
    this.heartbeatEtags.delete(id);
    await this.store.delete(id);
  }

  /** The active record of the chat of `generation` (see {@link HandoffRecord.generation}), if any. */
  async activeWithGeneration(generation: string): Promise<HandoffRecord | undefined> {
    return (await this.store.queryByField('generation', [generation]))
      .map((d) => d.value)
      .filter(isHandoffRecord)
      .find((r) => ACTIVE_STATES.includes(r.state));
  }

  /** Reads a duty lease with its ETag (see {@link DutyLease}). */
  async readDutyLease(id: string): Promise<Versioned<DutyLease> | undefined> {
    const doc = await this.store.read(id);
    return doc?.value.type === 'duty' ? { value: doc.value, etag: doc.etag } : undefined;
  }

  /**
   * Writes a duty lease: created when `etag` is undefined, else replaced only if still at `etag`.
   * Throws `StoreConflictError` when another instance wrote or created it first.
   */
  async writeDutyLease(lease: DutyLease, etag: string | undefined): Promise<Versioned<DutyLease>> {
    const saved = etag === undefined ? await this.store.create(lease) : await this.store.replace(lease, etag);
    return { value: lease, etag: saved.etag };
  }

  private logTransition(record: HandoffRecord, from: string, to: HandoffState, reason: string): void {
    this.logger.info(
      {
        conversationId: record.conversationId,
        recordId: record.id,
        from,
        to,
        reason,
        ...(to === 'ended' && record.endReason !== undefined ? { endReason: record.endReason } : {}),
      },
      'live chat state changed',
    );
  }
}

/**
 * A copy of `value` with `patches` applied. Shallow: changes to a record assign its fields (arrays
 * and nested objects are replaced, never changed in place), so the kept version and the copies
 * handed out share what none of them changes.
 */
function view(value: HandoffRecord, patches: readonly DeferredPatch[]): HandoffRecord {
  const copy = { ...value };
  for (const patch of patches) patch(copy);
  return copy;
}
