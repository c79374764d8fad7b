import { DeliveredMark } from '../../../src/genesys/shared/alreadyDelivered';

const LAST = '2026-01-01T00:10:00.000Z';
const lastMs = Date.parse(LAST);

describe('DeliveredMark', () => {
  it('without resume data nothing is delivered', () => {
    const mark = new DeliveredMark(undefined);
    expect(mark.isAlreadyDelivered({ id: 'm1', timeMs: 0, presence: false })).toBe(false);
    expect([...mark.deliveredIds]).toEqual([]);
  });

  it('a delivered id is delivered whatever its time', () => {
    const mark = new DeliveredMark({ deliveredMessageIds: ['m1'] });
    expect(mark.isAlreadyDelivered({ id: 'm1', timeMs: undefined, presence: false })).toBe(true);
    expect(mark.isAlreadyDelivered({ id: 'm1', timeMs: lastMs + 60_000, presence: false })).toBe(true);
    expect(mark.isAlreadyDelivered({ id: 'm2', timeMs: lastMs, presence: false })).toBe(false);
  });

  it('messages before the last delivered time are delivered; one at that time is decided by its id', () => {
    const mark = new DeliveredMark({ deliveredMessageIds: [], lastDeliveredAt: LAST });
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: lastMs - 1, presence: false })).toBe(true);
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: lastMs, presence: false })).toBe(false);
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: lastMs + 1, presence: false })).toBe(false);
  });

  it('presence entries up to and including the last delivered time are delivered', () => {
    const mark = new DeliveredMark({ deliveredMessageIds: [], lastDeliveredAt: LAST });
    expect(mark.isAlreadyDelivered({ id: 'join', timeMs: lastMs, presence: true })).toBe(true);
    expect(mark.isAlreadyDelivered({ id: 'join', timeMs: lastMs + 1, presence: true })).toBe(false);
  });

  it('entries without a readable time are only delivered by id', () => {
    const mark = new DeliveredMark({ deliveredMessageIds: [], lastDeliveredAt: LAST });
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: undefined, presence: false })).toBe(false);
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: Number.NaN, presence: true })).toBe(false);
  });

  it('a grace keeps unseen messages up to graceMs older than the last delivered one', () => {
    const mark = new DeliveredMark({ deliveredMessageIds: [], lastDeliveredAt: LAST }, 60_000);
    expect(mark.isAlreadyDelivered({ id: 'late', timeMs: lastMs - 59_999, presence: false })).toBe(false);
    expect(mark.isAlreadyDelivered({ id: 'late', timeMs: lastMs - 60_000, presence: false })).toBe(false);
    expect(mark.isAlreadyDelivered({ id: 'old', timeMs: lastMs - 60_001, presence: false })).toBe(true);
  });

  it('an unreadable lastDeliveredAt is ignored', () => {
    const mark = new DeliveredMark({ deliveredMessageIds: [], lastDeliveredAt: 'yesterday' });
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: 0, presence: false })).toBe(false);
  });

  it('advance() moves the mark forward only', () => {
    const mark = new DeliveredMark(undefined);
    mark.advance(Number.POSITIVE_INFINITY);
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: 0, presence: false })).toBe(false);
    mark.advance(lastMs);
    mark.advance(lastMs - 5_000);
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: lastMs - 1, presence: false })).toBe(true);
    expect(mark.isAlreadyDelivered({ id: 'x', timeMs: lastMs, presence: false })).toBe(false);
  });
});
