import type { DeploymentDuty, ResumeData } from '../../../src/genesys/handoffProvider';
import { DutyLeaseHolder } from '../../../src/handoff/dutyLease';
import { dutyLeaseId } from '../../../src/handoff/handoffRecord';
import { createSilentLogger } from '../../../src/logger';
import { HandoffParts } from '../../support/handoffParts';

/** A duty that records what it was told. */
class RecordingDuty implements DeploymentDuty {
  readonly name = 'test-duty';
  followed: (readonly ResumeData[])[] = [];
  standDowns = 0;

  follow(chats: readonly ResumeData[]): void {
    this.followed.push(chats);
  }

  standDown(): Promise<void> {
    this.standDowns++;
    return Promise.resolve();
  }
}

const LEASE_MS = 30_000;

function holderFor(parts: HandoffParts, instanceId: string): { holder: DutyLeaseHolder; duty: RecordingDuty } {
  const duty = new RecordingDuty();
  const holder = new DutyLeaseHolder({
    duty,
    provider: 'openmessaging',
    records: parts.records,
    instanceId,
    leaseMs: LEASE_MS,
    clock: parts.clock,
    logger: createSilentLogger(),
  });
  return { holder, duty };
}

const leaseOf = async (parts: HandoffParts): Promise<{ holder: string; expiresAt: number } | undefined> => {
  const doc = await parts.records.readDutyLease(dutyLeaseId('test-duty'));
  return doc === undefined ? undefined : { holder: doc.value.holder, expiresAt: doc.value.expiresAt };
};

describe('DutyLeaseHolder (one instance of the deployment does the duty)', () => {
  it('lets one instance take the lease and hands it the active chats of its provider', async () => {
    const parts = new HandoffParts();
    const om: ResumeData = {
      provider: 'openmessaging',
      externalId: 'ext-1',
      conversationId: 'conv-1',
      nickname: 'Dana',
    };
    await parts.openChat('om-1', 'queued', {
      held: false,
      owner: 'instance-x',
      patch: { provider: 'openmessaging', resumeData: om },
    });
    await parts.openChat('wm-1', 'queued', { held: false });
    const a = holderFor(parts, 'instance-a');
    const b = holderFor(parts, 'instance-b');
    expect(await a.holder.renew()).toBe(true);
    expect(await b.holder.renew()).toBe(false);
    expect(await leaseOf(parts)).toEqual({ holder: 'instance-a', expiresAt: parts.clock.now() + LEASE_MS });
    expect(a.duty.followed).toEqual([[om]]);
    expect(b.duty.followed).toEqual([]);
    await a.holder.refresh();
    await b.holder.refresh();
    expect(a.duty.followed).toHaveLength(2);
    expect(b.duty.followed).toEqual([]);
    // Given the active chats a sweep just listed, it reads nothing itself.
    const listed = await parts.records.listActive();
    const listing = jest.spyOn(parts.records, 'listActive');
    await a.holder.refresh(listed);
    expect(listing).not.toHaveBeenCalled();
    expect(a.duty.followed.at(-1)).toEqual([om]);
    listing.mockRestore();
    // Renewal extends the claim.
    parts.clock.advance(10_000);
    expect(await a.holder.renew()).toBe(true);
    expect((await leaseOf(parts))?.expiresAt).toBe(parts.clock.now() + LEASE_MS);
  });

  it('moves the lease to another instance once it lapses; the old holder stands down', async () => {
    const parts = new HandoffParts();
    const a = holderFor(parts, 'instance-a');
    const b = holderFor(parts, 'instance-b');
    await a.holder.renew();
    parts.clock.advance(LEASE_MS - 1);
    expect(await b.holder.renew()).toBe(false);
    parts.clock.advance(1);
    expect(await b.holder.renew()).toBe(true);
    expect(b.duty.followed).toHaveLength(1);
    expect(a.duty.standDowns).toBe(0);
    // The old holder learns it lost the lease at its next renewal and stops.
    expect(await a.holder.renew()).toBe(false);
    expect(a.holder.held).toBe(false);
    expect(a.duty.standDowns).toBe(1);
    expect((await leaseOf(parts))?.holder).toBe('instance-b');
  });

  it('frees the lease at graceful release so another instance takes it at once', async () => {
    const parts = new HandoffParts();
    const a = holderFor(parts, 'instance-a');
    const b = holderFor(parts, 'instance-b');
    await a.holder.renew();
    await a.holder.release();
    expect(a.duty.standDowns).toBe(1);
    expect((await leaseOf(parts))?.holder).toBe('');
    expect(await b.holder.renew()).toBe(true);
    // A released holder never takes the lease again.
    expect(await a.holder.renew()).toBe(false);
  });

  it('keeps the duty through a storage failure until its claim lapses, then stands down', async () => {
    const parts = new HandoffParts();
    const a = holderFor(parts, 'instance-a');
    await a.holder.renew();
    jest.spyOn(parts.records, 'writeDutyLease').mockRejectedValue(new Error('storage unavailable'));
    parts.clock.advance(LEASE_MS - 1);
    expect(await a.holder.renew()).toBe(true);
    expect(a.duty.standDowns).toBe(0);
    parts.clock.advance(1);
    expect(await a.holder.renew()).toBe(false);
    expect(a.duty.standDowns).toBe(1);
  });

  it('stops without freeing the lease when halted (it lapses like a crash)', async () => {
    const parts = new HandoffParts();
    const a = holderFor(parts, 'instance-a');
    await a.holder.renew();
    await a.holder.halt();
    expect(a.duty.standDowns).toBe(1);
    expect((await leaseOf(parts))?.holder).toBe('instance-a');
  });
});
