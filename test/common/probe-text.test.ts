import { describe, expect, it } from 'vitest';
import { encodeProbe, findProbes, mayHoldProbe, readProbeFields, type ProbeFields } from '../../common/probe-text.ts';

const a = { origin: 0, slot: 7, sender: 12, seq: 3, intended: 1_763_700_000_123.456 };
const b = { origin: 2, slot: 8, sender: 12, seq: 4, intended: 1_763_700_000_200 };

describe('the probe text', () => {
  it('reads back what it writes, padded or not', () => {
    const out: ProbeFields = { origin: 0, slot: 0, sender: 0, seq: 0, intended: 0 };
    const text = encodeProbe(a, 64);
    expect(text).toHaveLength(64);
    expect(readProbeFields(Buffer.from(text), 4, out)).toBe(true);
    expect(out).toEqual(a);
  });

  it('finds every distinct probe, once, in a string or bytes: raw, in JSON, in JSON escaped inside a JSON string', () => {
    const raw = `${encodeProbe(a, 0)} and ${encodeProbe(b, 20)}`;
    const nested = JSON.stringify({ Message: JSON.stringify({ payload: encodeProbe(a, 0), again: encodeProbe(a, 0) }), other: [encodeProbe(b, 0)] });
    for (const text of [raw, nested]) {
      expect(findProbes(text)).toEqual([a, b]);
      expect(findProbes(Buffer.from(text))).toEqual([a, b]);
    }
    // one array collects several texts' probes, each once (a batch's records)
    const into = findProbes(encodeProbe(a, 0));
    findProbes(nested, into);
    expect(into).toEqual([a, b]);
  });

  it('finds nothing where there is no probe, or only its prefix without five fields', () => {
    for (const text of ['', 'hello', '{"payload":"fb1|1|x|3|4|5|"}', 'fb1|1|2|3|4|', 'fb1||2|3|4|5|']) {
      expect(findProbes(text)).toEqual([]);
      expect(findProbes(Buffer.from(text))).toEqual([]);
    }
    expect(mayHoldProbe('no probe here')).toBe(false);
    // a prefix that is not a probe before a real one: the real one is found
    expect(findProbes(`fb1|not|${encodeProbe(b, 0)}`)).toEqual([b]);
    // a non-ASCII text around the probe keeps its positions
    expect(findProbes(`héllo ✓ ${encodeProbe(a, 0)} ✓`)).toEqual([a]);
  });
});
