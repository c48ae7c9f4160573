import { describe, expect, it } from 'vitest';
import { MISSED, RECEIVED, RecipientBook, UNKNOWN } from '../../src/metrics/measurement/recipient-book.ts';

describe('recipient book', () => {
  it('says which messages of which sender each client received, counting each once', () => {
    const book = new RecipientBook(3);
    book.add(0, 7, 0, 1_000);
    book.add(0, 7, 2, 1_010);
    book.add(0, 7, 2, 1_020); // a duplicate
    book.add(0, 9, 100, 1_030); // another sender, a seq past the first words
    book.add(2, 7, 1, 1_040);
    expect([book.has(0, 7, 0), book.has(0, 7, 1), book.has(0, 7, 2), book.has(0, 9, 100), book.has(0, 9, 99)]).toEqual([RECEIVED, MISSED, RECEIVED, RECEIVED, MISSED]);
    expect([book.has(1, 7, 0), book.has(2, 7, 1), book.has(2, 8, 1)]).toEqual([MISSED, RECEIVED, MISSED]);
    expect([...book.received]).toEqual([3, 0, 1]);
    expect(book.lastAt[0]).toBe(1_030);
    expect(book.fullAt).toBe(0);
  });

  it('keeps what a bitmap held when it grows past its end, for a first sender and a further one alike', () => {
    const book = new RecipientBook(2);
    book.add(0, 7, 3, 1); // the first sender's bitmap
    book.add(0, 9, 5, 2); // a further sender's
    book.add(1, 7, 4, 3); // another client's region after them in the pool
    book.add(0, 7, 1_000, 4); // grows sender 7's past client 1's region
    book.add(0, 9, 70_000, 5); // and sender 9's
    expect([book.has(0, 7, 3), book.has(0, 7, 1_000), book.has(0, 7, 999), book.has(0, 9, 5), book.has(0, 9, 70_000), book.has(1, 7, 4), book.has(1, 7, 3)]).toEqual([
      RECEIVED,
      RECEIVED,
      MISSED,
      RECEIVED,
      RECEIVED,
      RECEIVED,
      MISSED,
    ]);
    expect([...book.received]).toEqual([4, 1]);
  });

  it('once full, says it cannot tell for what it could not hold, and still holds what it could', () => {
    // room for the first sender's bitmap (2 words) and no more
    const book = new RecipientBook(2, 8);
    book.add(0, 1, 5, 1_000);
    book.add(0, 1, 63, 1_001);
    book.add(0, 1, 64, 2_000); // needs a bigger bitmap: refused
    book.add(1, 1, 0, 2_001); // a second entry: refused
    expect(book.fullAt).toBe(2_000);
    expect([book.has(0, 1, 5), book.has(0, 1, 6), book.has(0, 1, 64), book.has(1, 1, 0)]).toEqual([RECEIVED, MISSED, UNKNOWN, UNKNOWN]);
    // what it could not hold still counts as received
    expect([...book.received]).toEqual([3, 1]);
  });
});
