import { describe, expect, it } from 'vitest';
import { indexWriteUnits, readUnits, writeUnits, type TableShape } from '../../emulator/dynamodb/capacity.ts';
import { itemSize, significantDigits } from '../../emulator/dynamodb/item-size.ts';

// DynamoDB's sizing and capacity rules as the metering front applies them where dynalite does not
// (index entries, failed conditional writes). Expected values worked out by hand from the rules.

describe('item size (attribute names + values)', () => {
  it('counts strings and names in UTF-8 bytes', () => {
    expect(itemSize({ id: { S: 'abc' } })).toBe(2 + 3);
    expect(itemSize({ name: { S: 'Zoë' } })).toBe(4 + 4); // ë is 2 bytes in UTF-8
    expect(itemSize({ 'ключ': { S: '€' } })).toBe(8 + 3);
  });

  it('counts a number as 1 byte per two significant digits plus 1', () => {
    expect(significantDigits('0')).toBe(1);
    expect(significantDigits('-0012.500')).toBe(3); // 125
    expect(significantDigits('1700000000000')).toBe(2); // 17 (trailing zeros trimmed)
    expect(itemSize({ n: { N: '123' } })).toBe(1 + (2 + 1)); // ⌈3 / 2⌉ + 1
    expect(itemSize({ n: { N: '1234' } })).toBe(1 + (2 + 1));
  });

  it('counts binary raw bytes, booleans and nulls 1 byte, sets by their members', () => {
    expect(itemSize({ b: { B: Buffer.from('hello').toString('base64') } })).toBe(1 + 5);
    expect(itemSize({ t: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
    expect(itemSize({ ss: { SS: ['a', 'bc'] } })).toBe(2 + 3);
  });

  it('counts a list or map 3 bytes plus 1 byte per element plus the elements (map keys included)', () => {
    expect(itemSize({ l: { L: [] } })).toBe(1 + 3);
    expect(itemSize({ l: { L: [{ S: 'ab' }, { BOOL: false }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + (1 + 1 + 1));
  });
});

describe('unit steps', () => {
  it('reads: 4 KB steps, half when eventually consistent, one step at least', () => {
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
    expect(readUnits(100, false)).toBe(0.5);
  });

  it('writes: 1 KB steps, one at least', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1536)).toBe(2);
  });
});

describe('global secondary index write units', () => {
  const members: TableShape = {
    name: 'members',
    keys: ['room', 'connectionId'],
    globalIndexes: [{ name: 'byConnection', keys: ['connectionId', 'room'], projection: 'KEYS_ONLY', nonKeyAttributes: [] }],
  };
  const sparse: TableShape = {
    name: 'items',
    keys: ['id'],
    globalIndexes: [{ name: 'byOwner', keys: ['owner'], projection: 'INCLUDE', nonKeyAttributes: ['label'] }],
  };
  const row = (extra: Record<string, { S: string }> = {}) => ({ room: { S: 'r1' }, connectionId: { S: 'c1' }, joinedAt: { N: '1' }, ...extra });

  it('one write to put a new entry, one to delete an old one, none when the entry is untouched', () => {
    expect(indexWriteUnits(members, undefined, row())).toEqual(new Map([['byConnection', 1]]));
    expect(indexWriteUnits(members, row(), undefined)).toEqual(new Map([['byConnection', 1]]));
    // a non-projected attribute changes: the keys-only entry stays the same
    expect(indexWriteUnits(members, row(), { ...row(), joinedAt: { N: '2' } })).toEqual(new Map());
  });

  it('two writes when the index key changes, one when only a projected attribute changes', () => {
    const a = { id: { S: '1' }, owner: { S: 'ann' }, label: { S: 'x' }, big: { S: 'not projected' } };
    expect(indexWriteUnits(sparse, a, { ...a, owner: { S: 'bob' } })).toEqual(new Map([['byOwner', 2]]));
    expect(indexWriteUnits(sparse, a, { ...a, label: { S: 'y' } })).toEqual(new Map([['byOwner', 1]]));
    expect(indexWriteUnits(sparse, a, { ...a, big: { S: 'changed' } })).toEqual(new Map());
  });

  it('nothing for an item outside a sparse index, before and after', () => {
    const noOwner = { id: { S: '2' }, label: { S: 'x' } };
    expect(indexWriteUnits(sparse, undefined, noOwner)).toEqual(new Map());
    expect(indexWriteUnits(sparse, noOwner, { ...noOwner, label: { S: 'y' } })).toEqual(new Map());
  });

  it('sizes each write by the index entry: keys, table keys and projected attributes only', () => {
    const label = 'L'.repeat(1500); // entry: "id"+1 + "owner"+3 + "label"+1500 = 1,511 B → 2 units
    const a = { id: { S: '1' }, owner: { S: 'ann' }, label: { S: label }, big: { S: 'b'.repeat(5000) } };
    expect(indexWriteUnits(sparse, undefined, a)).toEqual(new Map([['byOwner', 2]]));
  });
});
