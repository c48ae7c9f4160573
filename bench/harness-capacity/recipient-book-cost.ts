/**
 * What the recipient book (src/metrics/measurement/recipient-book.ts) adds to every delivery: the
 * steady measurement's shape (2,000 clients, 20 rooms of 100, one sender each), 2 million adds,
 * timed. `npx tsx bench/harness-capacity/recipient-book-cost.ts`
 */
import { RecipientBook } from '../../src/metrics/measurement/recipient-book.ts';
const clients = 2000, rooms = 20, per = 100;
const book = new RecipientBook(clients);
const N = 2_000_000;
let seq = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; ) {
  const room = seq % rooms; const sender = room * per; const s = Math.floor(seq / rooms);
  for (let m = 0; m < per && i < N; m++, i++) book.add(room * per + m, sender, s, 1);
  seq++;
}
const ns = Number(process.hrtime.bigint() - t0) / N;
console.log(`${ns.toFixed(1)} ns per add: ${(ns * 10_000 / 1e9).toFixed(4)} CPU-s per 10k deliveries`);
