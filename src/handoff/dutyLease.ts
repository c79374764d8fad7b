import type { DeploymentDuty, GenesysProviderName } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { isStoreConflict } from '../storage/versionedStore';
import type { Clock } from './clock';
import { dutyLeaseId, type DutyLease, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';

/** Options of a {@link DutyLeaseHolder}. */
export interface DutyLeaseOptions {
  duty: DeploymentDuty;
  /** The provider whose active chats the duty follows. */
  provider: GenesysProviderName;
  records: HandoffRecords;
  instanceId: string;
  /** How long a claim stands without renewal (ms): the instance lease. */
  leaseMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Elects the one instance of the deployment that does a {@link DeploymentDuty}, through a
 * {@link DutyLease} document in the live-chat store (ETag-guarded writes, like the records).
 *
 * {@link renew} runs with every instance heartbeat: the holder extends its claim (one write); any
 * other instance reads the lease (one read) and takes it once it lapsed or was released. The
 * holder gives the duty up as soon as its claim lapses unrenewed (a timer, so even when storage
 * does not answer), and when another instance's write shows it lost the lease. {@link refresh}
 * (every sweep) hands the holder's duty the active chats of every instance. {@link release}
 * (graceful shutdown) stops the duty and marks the lease free so another instance takes it at its
 * next heartbeat.
 */
export class DutyLeaseHolder {
  private readonly id: string;
  private etag: string | undefined;
  /** Epoch ms until which this instance's last written claim stands; 0 when not the holder. */
  private heldUntil = 0;
  private stopped = false;
  private standing: Promise<void> | undefined;
  private renewing: Promise<boolean> | undefined;
  /** Gives the duty up when the claim lapses unrenewed, without waiting for the next renewal. */
  private lapseTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DutyLeaseOptions) {
    this.id = dutyLeaseId(options.duty.name);
  }

  /** Held and not stopping (read after every await: both change meanwhile). */
  private isActive(): boolean {
    return this.held && !this.stopped;
  }

  /** True while this instance holds the duty. */
  get held(): boolean {
    return this.heldUntil > 0;
  }

  /**
   * Extends this instance's claim, or takes the lease when it is free or lapsed. Resolves true
   * when this instance holds the duty afterwards. A storage failure is logged; the duty is given
   * up once the claim has lapsed unrenewed.
   */
  renew(): Promise<boolean> {
    // Overlapping heartbeat ticks share one renewal.
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<boolean> {
    if (this.stopped) return false;
    const now = this.options.clock.now();
    try {
      const lease: DutyLease = {
        id: this.id,
        type: 'duty',
        holder: this.options.instanceId,
        expiresAt: now + this.options.leaseMs,
        ttl: Math.max(60, Math.ceil((this.options.leaseMs * 4) / 1000)),
      };
      if (this.held && this.etag !== undefined) {
        try {
          await this.write(lease, this.etag);
          return true;
        } catch (err) {
          if (!isStoreConflict(err)) throw err;
          // Someone else wrote the lease: it lapsed and was taken, or it was removed.
        }
      }
      const current = await this.options.records.readDutyLease(this.id);
      const free =
        current === undefined ||
        current.value.holder === '' ||
        current.value.holder === this.options.instanceId ||
        current.value.expiresAt <= now;
      if (!free) {
        await this.giveUp(`held by ${current.value.holder}`);
        return false;
      }
      try {
        await this.write(lease, current?.etag);
      } catch (err) {
        if (!isStoreConflict(err)) throw err;
        await this.giveUp('another instance took it first');
        return false;
      }
      if (this.isActive()) {
        this.options.logger.info(
          { duty: this.options.duty.name, from: current?.value.holder ?? '' },
          'took the deployment duty lease',
        );
        await this.refresh();
      }
      return this.held;
    } catch (err) {
      this.options.logger.warn({ err, duty: this.options.duty.name }, 'could not renew the deployment duty lease');
      if (this.held && now >= this.heldUntil) await this.giveUp('its claim lapsed unrenewed');
      return this.held;
    }
  }

  /**
   * While held: hands the duty the active chats of the provider, from `listed` (every active chat,
   * just listed by the caller) or else read from storage.
   */
  async refresh(listed?: readonly HandoffRecord[]): Promise<void> {
    if (!this.isActive()) return;
    const active = listed ?? (await this.options.records.listActive());
    if (!this.isActive()) return;
    this.options.duty.follow(
      active.flatMap((r) =>
        r.resumeData !== undefined && r.resumeData.provider === this.options.provider ? [r.resumeData] : [],
      ),
    );
  }

  /** Graceful shutdown: stops the duty and frees the lease for another instance at once. */
  async release(): Promise<void> {
    this.stopped = true;
    // A renewal in flight finishes first, so the lease is freed at its latest version.
    await this.renewing;
    const wasHeld = this.held;
    const etag = this.etag;
    await this.giveUp('shutting down');
    if (!wasHeld || etag === undefined) return;
    try {
      await this.options.records.writeDutyLease({ id: this.id, type: 'duty', holder: '', expiresAt: 0, ttl: 60 }, etag);
    } catch (err) {
      // Lost meanwhile (another instance holds it), or storage failed: it lapses on its own.
      this.options.logger.warn({ err, duty: this.options.duty.name }, 'could not release the deployment duty lease');
    }
  }

  /** Stops the duty without freeing the lease (it lapses; what a crash looks like to other instances). */
  async halt(): Promise<void> {
    this.stopped = true;
    await this.renewing;
    await this.giveUp('halting');
  }

  private async write(lease: DutyLease, etag: string | undefined): Promise<void> {
    const saved = await this.options.records.writeDutyLease(lease, etag);
    this.etag = saved.etag;
    this.heldUntil = lease.expiresAt;
    if (this.lapseTimer !== undefined) clearTimeout(this.lapseTimer);
    this.lapseTimer = setTimeout(
      () => {
        if (this.held && this.options.clock.now() >= this.heldUntil) void this.giveUp('its claim lapsed unrenewed');
      },
      Math.max(0, lease.expiresAt - this.options.clock.now()),
    );
    this.lapseTimer.unref();
  }

  private async giveUp(why: string): Promise<void> {
    if (this.standing !== undefined) {
      await this.standing;
      return;
    }
    if (this.lapseTimer !== undefined) clearTimeout(this.lapseTimer);
    this.lapseTimer = undefined;
    if (!this.held) return;
    this.heldUntil = 0;
    this.etag = undefined;
    this.options.logger.info({ duty: this.options.duty.name, why }, 'gave up the deployment duty lease');
    this.standing = this.options.duty.standDown().finally(() => {
      this.standing = undefined;
    });
    await this.standing;
  }
}
