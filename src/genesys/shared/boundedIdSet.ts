/**
 * A set of ids that forgets the oldest once it holds `capacity` of them: the de-duplication window
 * of agent message ids in every provider.
 */
export class BoundedIdSet {
  private readonly ids = new Set<string>();

  /** @throws RangeError when `capacity` is not a positive integer. */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`BoundedIdSet: capacity must be a positive integer, got ${capacity}`);
  }

  /** True when `id` was added and not yet forgotten. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Adds `id`; returns false when it was already present (its age is then unchanged). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order, so the first value is the oldest.
      const oldest = this.ids.values().next();
      if (oldest.done !== true) this.ids.delete(oldest.value);
    }
    return true;
  }

  /** How many ids are held. */
  get size(): number {
    return this.ids.size;
  }
}
