/**
 * Fixed-width numeric records in one growable Float64Array: how shards batch per-message events
 * for the parent without an object per event (structured clone copies typed arrays cheaply).
 */
export class PackedRecords {
  private buf: Float64Array;
  private used = 0;

  constructor(
    readonly width: number,
    initialRecords = 256,
  ) {
    this.buf = new Float64Array(width * initialRecords);
  }

  get length(): number {
    return this.used / this.width;
  }

  private ensure(): void {
    if (this.used + this.width > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
  }

  // One method per record width, written out: these run once per delivery, and a rest-parameter
  // or loop version allocates or costs a loop where two to six stores do.
  push2(a: number, b: number): void {
    this.ensure();
    const i = this.used;
    this.buf[i] = a;
    this.buf[i + 1] = b;
    this.used += this.width;
  }

  push3(a: number, b: number, c: number): void {
    this.ensure();
    const i = this.used;
    this.buf[i] = a;
    this.buf[i + 1] = b;
    this.buf[i + 2] = c;
    this.used += this.width;
  }

  push4(a: number, b: number, c: number, d: number): void {
    this.ensure();
    const i = this.used;
    this.buf[i] = a;
    this.buf[i + 1] = b;
    this.buf[i + 2] = c;
    this.buf[i + 3] = d;
    this.used += this.width;
  }

  push6(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.ensure();
    const i = this.used;
    this.buf[i] = a;
    this.buf[i + 1] = b;
    this.buf[i + 2] = c;
    this.buf[i + 3] = d;
    this.buf[i + 4] = e;
    this.buf[i + 5] = f;
    this.used += this.width;
  }

  push8(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number): void {
    this.ensure();
    const i = this.used;
    this.buf[i] = a;
    this.buf[i + 1] = b;
    this.buf[i + 2] = c;
    this.buf[i + 3] = d;
    this.buf[i + 4] = e;
    this.buf[i + 5] = f;
    this.buf[i + 6] = g;
    this.buf[i + 7] = h;
    this.used += this.width;
  }

  at(record: number, field: number): number {
    return this.buf[record * this.width + field];
  }

  /** The records so far, as a copy; empties this batch. */
  take(): Float64Array {
    const out = this.buf.slice(0, this.used);
    this.used = 0;
    return out;
  }
}
