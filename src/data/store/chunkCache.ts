// A byte-bounded least-recently-used cache for frame chunks read from IndexedDB (compute worker; pure).

export class ByteLru<V extends { readonly byteLength: number }> {
  private readonly entries = new Map<string, V>();
  private used = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value under `key`, marked most recently used. */
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Stores `value`, evicting the least recently used entries beyond the byte budget (never the new one). */
  set(key: string, value: V): void {
    this.delete(key);
    this.entries.set(key, value);
    this.used += value.byteLength;
    for (const [oldKey, oldValue] of this.entries) {
      if (this.used <= this.maxBytes || oldKey === key) break;
      this.entries.delete(oldKey);
      this.used -= oldValue.byteLength;
    }
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.used -= value.byteLength;
  }

  /** Drops every key that starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}
