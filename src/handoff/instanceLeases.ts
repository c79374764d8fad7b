import { isGenesysError } from '../genesys/genesysError';
import type { HandoffProvider, ResumeData } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { telemetry } from '../telemetry/telemetry';
import type { AgentToUserRelay } from './agentToUserRelay';
import type { ChatEnder } from './chatEnder';
import type { Clock } from './clock';
import { DutyLeaseHolder } from './dutyLease';
import { ACTIVE_STATES, heartbeatId, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffSettings } from './handoffSettings';
import type { HandoffTimers } from './handoffTimers';
import type { LocalChats } from './localChats';
import type { UserToAgentRelay } from './userToAgentRelay';

/** How many chats are resumed or released at once (resuming is I/O-bound). */
const PARALLELISM = 64;
/** Most chats taken over in one sweep, so a sweep stays short; the rest follow in the next ones. */
const MAX_TAKEOVERS_PER_SWEEP = 500;
/** A full scan for orphaned chats runs every this many sweeps. */
const FULL_SCAN_EVERY = 12;

/**
 * Keeps every active chat owned by exactly one live instance. Each instance renews a heartbeat in
 * storage (its lease, `leaseSeconds`); the periodic sweep runs the timers, drops local chats that
 * ended or moved (reconcile), and takes over chats whose owner's lease lapsed (claim, resume,
 * backfill). Shutdown releases the chats held here so another instance takes them at once.
 *
 * A provider's deployment duty (Open Messaging: the notifications subscriber) is leased the same
 * way ({@link DutyLeaseHolder}): renewed with the heartbeat, fed the active chats every sweep,
 * released at shutdown.
 */
export class InstanceLeases {
  private sweepTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private sweeps = 0;
  private lastHeartbeatOk = 0;
  private readonly duty: DutyLeaseHolder | undefined;
  /** Takeovers by {@link adopt} in progress, by record id. */
  private readonly adopting = new Map<string, Promise<boolean>>();
  /**
   * Set when chats owned here were let go without a release (the heartbeat lapsed): the next sweep
   * looks for chats owned here and not held. Otherwise only the full scan does, so that a sweep
   * does not list every chat this instance owns.
   */
  private reclaimOwn = false;

  constructor(
    private readonly chats: LocalChats,
    private readonly records: HandoffRecords,
    private readonly provider: HandoffProvider | undefined,
    private readonly timers: HandoffTimers,
    private readonly relay: AgentToUserRelay,
    private readonly outbox: UserToAgentRelay,
    private readonly ender: ChatEnder,
    private readonly settings: HandoffSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    const duty = provider?.deploymentDuty;
    this.duty =
      duty === undefined || provider === undefined
        ? undefined
        : new DutyLeaseHolder({
            duty,
            provider: provider.name,
            records,
            instanceId: settings.instanceId,
            leaseMs: settings.leaseSeconds * 1000,
            clock,
            logger,
          });
  }

  /** True while this instance does the provider's deployment duty (tests, diagnostics). */
  get holdsDuty(): boolean {
    return this.duty?.held === true;
  }

  /** Beats, sweeps once (recovering chats of stopped instances), then runs heartbeat and sweep on intervals. */
  async startBackground(): Promise<void> {
    if (this.provider === undefined) return;
    await this.beat();
    await this.sweep(true);
    // The heartbeat has its own timer so that long sweeps (mass takeovers) never let the lease lapse.
    this.heartbeatTimer = setInterval(
      () => {
        this.beat().catch((err: unknown) => {
          this.logger.warn({ err }, 'heartbeat failed');
        });
      },
      Math.max(1_000, Math.floor((this.settings.leaseSeconds * 1000) / 3)),
    );
    this.heartbeatTimer.unref();
    this.sweepTimer = setInterval(() => {
      if (this.sweeping !== undefined) return;
      this.sweeping = this.chats.trackWork(
        this.sweep(false)
          .catch((err: unknown) => {
            this.logger.warn({ err }, 'live-chat sweep failed');
          })
          .finally(() => {
            this.sweeping = undefined;
          }),
      );
    }, this.settings.sweepIntervalSeconds * 1000);
    this.sweepTimer.unref();
  }

  /** Stops the heartbeat and sweep intervals; returns the sweep still running, if any. */
  stopIntervals(): Promise<void> | undefined {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    return this.sweeping;
  }

  /** Releases every chat held here (graceful shutdown) and removes this instance's heartbeat. */
  async releaseAll(): Promise<void> {
    await this.duty?.release();
    await forEachLimited(this.chats.ids(), PARALLELISM, async (id) => {
      await this.release(id);
    });
    if (this.provider === undefined) return;
    await this.provider.close();
    await this.records.removeHeartbeat(heartbeatId(this.settings.instanceId)).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not remove the instance heartbeat');
    });
  }

  /** One pass of heartbeat, timers, reconciliation and takeover. */
  async sweep(startup = false): Promise<void> {
    if (this.chats.stopped) return;
    this.sweeps++;
    const now = this.clock.now();
    if (this.lastHeartbeatOk === 0 || now - this.lastHeartbeatOk > this.settings.leaseSeconds * 1000) {
      // Without a fresh heartbeat other instances may own our chats; do nothing until it is back.
      await this.beat();
      if (now - this.lastHeartbeatOk > this.settings.leaseSeconds * 1000) return;
    }
    await this.timers.run(now);
    // The full scan lists the active chats once, for reconciliation and takeover alike.
    const active = startup || this.sweeps % FULL_SCAN_EVERY === 0 ? await this.records.listActive() : undefined;
    if (active !== undefined) await this.reconcile(active);
    await this.takeOver(active, now);
    // On the holder: one listing of the active chats a sweep (the full scan's when there was one).
    await this.duty?.refresh(active).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not read the active chats for the deployment duty');
    });
  }

  /** Stops the deployment duty without releasing its lease (halt: it lapses like a crash). */
  haltDuty(): Promise<void> {
    return this.duty?.halt() ?? Promise.resolve();
  }

  /**
   * Renews this instance's heartbeat (its lease on the chats it owns), then the deployment duty's
   * lease (held, or taken when free). When renewal has failed for a whole lease, other instances
   * may have taken the chats over: local connections are dropped rather than risk delivering
   * twice; the records are reclaimed once storage answers again.
   */
  async beat(): Promise<void> {
    if (this.chats.stopped) return;
    const now = this.clock.now();
    const leaseMs = this.settings.leaseSeconds * 1000;
    try {
      await this.records.heartbeat(heartbeatId(this.settings.instanceId), this.settings.instanceId, now + leaseMs);
      this.lastHeartbeatOk = now;
      this.chats.leaseValidUntil = now + leaseMs;
    } catch (err) {
      this.logger.warn({ err }, 'could not renew the instance heartbeat');
      if (this.lastHeartbeatOk > 0 && now - this.lastHeartbeatOk > leaseMs && this.chats.size > 0) {
        this.logger.error({ chats: this.chats.size }, 'heartbeat lapsed; dropping local live-chat connections');
        this.reclaimOwn = true;
        for (const id of this.chats.ids()) await this.chats.detach(id);
      }
    }
    // The duty's lease rides on the heartbeat; it gives the duty up itself when it cannot renew.
    await this.duty?.renew();
  }

  /** Drops local chats that ended or moved to another instance meanwhile (`active`: every active chat). */
  private async reconcile(active: readonly HandoffRecord[]): Promise<void> {
    if (this.chats.size === 0) return;
    const me = this.settings.instanceId;
    const mine = new Set(active.filter((r) => r.owner === me).map((r) => r.id));
    for (const id of this.chats.ids()) {
      if (!mine.has(id) && this.chats.get(id)?.session !== undefined) await this.chats.detach(id);
    }
  }

  /** Takes over chats of stopped instances; `active` (every active chat) on a full scan. */
  private async takeOver(active: readonly HandoffRecord[] | undefined, now: number): Promise<void> {
    const beats = await this.records.heartbeats();
    const alive = new Set(beats.filter((b) => b.expiresAt > now).map((b) => b.instanceId));
    alive.add(this.settings.instanceId);
    let candidates: HandoffRecord[];
    const me = this.settings.instanceId;
    if (active !== undefined) {
      await this.resumeStalledOutboxes(active, now);
      candidates = active.filter((r) => !alive.has(r.owner) || r.owner === '' || r.owner === me);
      this.reclaimOwn = false;
    } else {
      const dead = beats.filter((b) => b.expiresAt <= now).map((b) => b.instanceId);
      // Chats owned here are listed only after a lapsed heartbeat let them go (and on full scans).
      const reclaim = this.reclaimOwn;
      candidates = await this.records.listOwnedBy(['', ...dead, ...(reclaim ? [me] : [])]);
      if (reclaim) this.reclaimOwn = false;
    }
    // Chats owned here but not held are reclaimed too: after a lapsed heartbeat at the next sweep,
    // after any other failed step at the next full scan (every FULL_SCAN_EVERY sweeps).
    candidates = candidates.filter((r) => !this.chats.has(r.id));
    if (candidates.length === 0) return;
    this.logger.info({ count: candidates.length }, 'taking over live chats of stopped instances');
    // In batches, so the heartbeat timer and live traffic keep running between them.
    for (let start = 0; start < candidates.length && !this.chats.stopped; start += MAX_TAKEOVERS_PER_SWEEP) {
      await forEachLimited(candidates.slice(start, start + MAX_TAKEOVERS_PER_SWEEP), PARALLELISM, async (candidate) => {
        await this.claimAndResume(candidate, alive);
      });
    }
  }

  /** Sends outboxes whose sender stopped (its claim lapsed) from the chats still owned by live instances. */
  private async resumeStalledOutboxes(active: readonly HandoffRecord[], now: number): Promise<void> {
    const stalled = active.filter(
      (r) => (r.outbox ?? []).length > 0 && r.resumeData !== undefined && (r.outboxDrainUntil ?? 0) <= now,
    );
    await forEachLimited(stalled, PARALLELISM, (r) => this.outbox.resumeOutbox(r.id));
  }

  /**
   * Takes the active chat whose resume data `matches` from whichever instance owns it, and resumes
   * it here. For providers that hold nothing per chat (Open Messaging): Genesys calls any instance,
   * and the one it called becomes the owner. Resolves true when this instance holds the chat.
   */
  async adopt(matches: (data: ResumeData) => boolean): Promise<boolean> {
    const candidate = (await this.records.listActive()).find(
      (r) => r.resumeData !== undefined && matches(r.resumeData),
    );
    if (candidate === undefined || this.chats.stopped) return false;
    // Calls for the same chat meanwhile (a webhook and a detail event) share one takeover.
    const running = this.adopting.get(candidate.id);
    if (running !== undefined) return running;
    if (this.chats.has(candidate.id)) return true;
    this.logger.info({ conversationId: candidate.conversationId, from: candidate.owner }, 'adopting a live chat');
    const adoption = this.claimAndResume(candidate, new Set(), true)
      .then(() => this.chats.get(candidate.id)?.session !== undefined)
      .finally(() => {
        this.adopting.delete(candidate.id);
      });
    this.adopting.set(candidate.id, adoption);
    return adoption;
  }

  private async claimAndResume(candidate: HandoffRecord, alive: Set<string>, adopt = false): Promise<void> {
    const me = this.settings.instanceId;
    const claimed = await this.records.update(candidate.id, (r) => {
      const orphan = adopt || r.owner === '' || !alive.has(r.owner) || (r.owner === me && !this.chats.has(r.id));
      if (!ACTIVE_STATES.includes(r.state) || !orphan) return undefined;
      r.owner = me;
      return r;
    });
    if (claimed?.owner !== me || !ACTIVE_STATES.includes(claimed.state) || this.provider === undefined) return;
    const log = this.logger.child({ conversationId: claimed.conversationId });
    if (claimed.resumeData === undefined) {
      await this.ender.endLiveChat({
        id: claimed.id,
        reason: 'connectionLost',
        detail: 'the chat was never fully opened',
        closeOnGenesys: false,
        tellUser: true,
      });
      return;
    }
    const generation = claimed.generation;
    this.chats.set(claimed.id, { generation, session: undefined, reference: claimed.reference, record: claimed });
    try {
      const session = await this.provider.resumeChat(
        claimed.resumeData,
        {
          deliveredMessageIds: claimed.deliveredMessageIds,
          ...(claimed.lastDeliveredAt === undefined ? {} : { lastDeliveredAt: claimed.lastDeliveredAt }),
        },
        this.relay.listenerFor(claimed.id, generation),
      );
      const local = this.chats.get(claimed.id);
      if (local?.generation !== generation) {
        await session.detach();
        return;
      }
      local.session = session;
      if (candidate.owner !== me) telemetry().takeover();
      log.info('live chat resumed');
      // Messages a stopped instance had taken but not sent yet go now, in order.
      if ((claimed.outbox ?? []).length > 0) await this.outbox.resumeOutbox(claimed.id, true);
    } catch (err) {
      if (this.chats.holds(claimed.id, generation)) this.chats.delete(claimed.id);
      if (isGenesysError(err) && err.transient) {
        log.warn({ err }, 'could not resume a live chat yet; releasing it for a later attempt');
        await this.records.update(claimed.id, (r) => (r.owner === me ? { ...r, owner: '' } : undefined));
        return;
      }
      log.warn({ err }, 'live chat cannot be resumed');
      await this.ender.endLiveChat({
        id: claimed.id,
        reason: isGenesysError(err) && err.code === 'sessionExpired' ? 'expired' : 'connectionLost',
        detail: 'resume failed',
        generation,
        closeOnGenesys: false,
        tellUser: true,
      });
    }
  }

  private async release(id: string): Promise<void> {
    await this.chats.detach(id);
    await this.records
      .update(id, (r) => {
        if (r.owner !== this.settings.instanceId || !ACTIVE_STATES.includes(r.state)) return undefined;
        // The outbox claim goes too, so the next instance sends at once instead of waiting for it to lapse.
        const claim =
          r.outboxDrainer === this.settings.instanceId ? { outboxDrainer: undefined, outboxDrainUntil: undefined } : {};
        return { ...r, owner: '', ...claim };
      })
      .catch((err: unknown) => {
        this.logger.warn({ err, recordId: id }, 'could not release a live chat');
      });
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  });
  await Promise.all(workers);
}
