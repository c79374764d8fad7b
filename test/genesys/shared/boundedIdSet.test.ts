import { BoundedIdSet } from '../../../src/genesys/shared/boundedIdSet';

describe('BoundedIdSet', () => {
  it('reports new and known ids and forgets the oldest beyond capacity', () => {
    const set = new BoundedIdSet(3);
    expect(['a', 'b', 'c'].map((id) => set.add(id))).toEqual([true, true, true]);
    expect(set.add('b')).toBe(false);
    expect(set.add('d')).toBe(true);
    expect(set.has('a')).toBe(false);
    expect(['b', 'c', 'd'].every((id) => set.has(id))).toBe(true);
    expect(set.size).toBe(3);
  });

  it('does not refresh the age of an id added again', () => {
    const set = new BoundedIdSet(2);
    set.add('a');
    set.add('b');
    set.add('a');
    set.add('c');
    expect(set.has('a')).toBe(false);
    expect(set.has('b')).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %p', (capacity) => {
    expect(() => new BoundedIdSet(capacity)).toThrow(RangeError);
  });

  it('forgets the oldest id past its capacity', () => {
    const set = new BoundedIdSet(2);
    expect(set.add('a')).toBe(true);
    expect(set.add('a')).toBe(false);
    set.add('b');
    set.add('c');
    expect(set.has('a')).toBe(false);
    expect(set.has('b')).toBe(true);
    expect(set.size).toBe(2);
  });
});
