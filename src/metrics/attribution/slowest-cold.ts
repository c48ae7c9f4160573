/**
 * The slowest cold requests, at most `max` of them, for the picture of latency over time with the
 * cold requests marked: a min-heap on latency in typed arrays, so a cold-start wave of any size
 * costs `max` rows. A new request replaces the fastest kept one when it is slower.
 */
export interface SlowPoint {
  kind: number;
  route: number;
  atMs: number;
  us: number;
}

export class SlowestCold {
  private n = 0;
  private readonly us: Float64Array;
  private readonly at: Float64Array;
  private readonly kind: Uint8Array;
  private readonly route: Uint16Array;

  constructor(private readonly max: number) {
    this.us = new Float64Array(max);
    this.at = new Float64Array(max);
    this.kind = new Uint8Array(max);
    this.route = new Uint16Array(max);
  }

  offer(us: number, atMs: number, kind: number, route: number): void {
    if (this.max === 0) return;
    if (this.n < this.max) {
      this.put(this.n, us, atMs, kind, route);
      this.up(this.n++);
    } else if (us > this.us[0]) {
      this.put(0, us, atMs, kind, route);
      this.down(0);
    }
  }

  /** The kept points, earliest first. */
  points(): SlowPoint[] {
    const out: SlowPoint[] = [];
    for (let i = 0; i < this.n; i++) out.push({ kind: this.kind[i], route: this.route[i], atMs: this.at[i], us: this.us[i] });
    return out.sort((a, b) => a.atMs - b.atMs || b.us - a.us);
  }

  private put(i: number, us: number, atMs: number, kind: number, route: number): void {
    this.us[i] = us;
    this.at[i] = atMs;
    this.kind[i] = kind;
    this.route[i] = route;
  }

  private swap(i: number, j: number): void {
    const { us, at, kind, route } = this;
    [us[i], us[j]] = [us[j], us[i]];
    [at[i], at[j]] = [at[j], at[i]];
    [kind[i], kind[j]] = [kind[j], kind[i]];
    [route[i], route[j]] = [route[j], route[i]];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.us[p] <= this.us[i]) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.n && this.us[l] < this.us[m]) m = l;
      if (r < this.n && this.us[r] < this.us[m]) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
