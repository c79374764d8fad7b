/** A set of strings that forgets its oldest entries beyond `capacity` (dedupe windows). */
export class BoundedSet {
  private readonly items = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError(`BoundedSet: capacity must be positive, got ${capacity}`);
  }

  /** True when `value` is among the remembered entries. */
  has(value: string): boolean {
    return this.items.has(value);
  }

  /** Remembers `value` (as the newest entry); evicts the oldest when full. */
  add(value: string): void {
    this.items.delete(value);
    this.items.add(value);
    while (this.items.size > this.capacity) {
      const oldest = this.items.values().next();
      if (oldest.done === true) break;
      this.items.delete(oldest.value);
    }
  }

  /** Number of remembered entries. */
  get size(): number {
    return this.items.size;
  }
}
