// Puts decoded frames back in stored order and repairs gaps (any thread; pure). Decoders emit presentation
// order, but frames can be dropped by a damaged stream; a missing frame is replaced by its nearest neighbour.

export interface SequencedFrame<T> {
  readonly index: number;
  readonly data: T;
  /** True when the decoder never produced this frame and a neighbour stands in for it. */
  readonly repaired: boolean;
}

export class FrameSequencer<T> {
  private readonly pending = new Map<number, T>();
  private next: number;
  private last: T | undefined;
  /** Frames that were filled in from a neighbour. */
  repaired = 0;

  /**
   * Emits indices `first..end-1` in order. A gap is filled once more than `window` later frames are waiting
   * (or at `finish`); `window` must exceed the decoder's reordering depth.
   */
  constructor(
    first: number,
    private readonly end: number,
    private readonly window = 32,
  ) {
    this.next = first;
  }

  /** Accepts frame `index`; duplicates and indices outside the range are ignored (returns false). */
  add(index: number, data: T): boolean {
    if (index < this.next || index >= this.end || this.pending.has(index)) return false;
    this.pending.set(index, data);
    return true;
  }

  get waiting(): number {
    return this.pending.size;
  }

  get done(): boolean {
    return this.next >= this.end;
  }

  /** Frames ready to hand on, in order. */
  take(): SequencedFrame<T>[] {
    return this.drain(false);
  }

  /** All remaining frames, in order, filling every gap; empty when no frame was ever added. */
  finish(): SequencedFrame<T>[] {
    return this.drain(true);
  }

  private drain(final: boolean): SequencedFrame<T>[] {
    const out: SequencedFrame<T>[] = [];
    while (this.next < this.end) {
      const data = this.pending.get(this.next);
      if (data !== undefined) {
        this.pending.delete(this.next);
        out.push({ index: this.next++, data, repaired: false });
        this.last = data;
        continue;
      }
      if (!final && this.pending.size <= this.window) break;
      const stand = this.last ?? this.nearestLater();
      if (stand === undefined) break;
      this.repaired++;
      out.push({ index: this.next++, data: stand, repaired: true });
    }
    return out;
  }

  private nearestLater(): T | undefined {
    let best: number | undefined;
    for (const index of this.pending.keys()) if (best === undefined || index < best) best = index;
    return best === undefined ? undefined : this.pending.get(best);
  }
}
