import { describe, expect, it } from 'vitest';
import { MissingDeliveries } from '../../src/contracts/missing-deliveries-schema.ts';
import { missingSection } from '../../src/report/run/missing-section.ts';

const missing = MissingDeliveries.parse({
  messages: 12,
  listed: 12,
  rooms: 1,
  byRoom: [{ room: 'fb-<x>-r0', messages: 12, lost: 12 }],
  byMessage: [{ phase: 'talk', room: 'fb-<x>-r0', sender: 3, seq: 0, at: '2026-11-26T08:01:02.310Z', expected: 6, received: 5, missedBy: [4] }],
  recipients: 1,
  byRecipient: [{ client: 4, room: 'fb-<x>-r0', expected: 12, missed: 12, received: 0, state: 'close:1006', closedAt: '2026-11-26T08:01:01.000Z' }],
  shapes: [{ kind: 'connection', deliveries: 12, line: 'client 4 (fb-<x>-r0) missed all 12 lost messages of its room while a member', clients: [4] }],
  tracedWhy: '1 of 2 shards did not answer',
});

describe('the report section on where deliveries went missing', () => {
  it('shows the shapes, then the rooms, recipients and messages, escaped', () => {
    const html = missingSection(missing);
    expect(html).toContain('<h2>Where deliveries went missing</h2>');
    expect(html).toContain('<strong>connection</strong> (12): client 4 (fb-&lt;x&gt;-r0) missed all 12 lost messages');
    expect(html).toContain('Recipients not all named: 1 of 2 shards did not answer.');
    expect(html).not.toContain('<x>');
    // the recipient's row: its socket closed, when, and nothing received
    expect(html).toMatch(/<td[^>]*>4<\/td><td[^>]*><span class="nw">fb-&lt;x&gt;-r0<\/span><\/td><td[^>]*>12<\/td><td[^>]*>12<\/td><td[^>]*>0<\/td><td[^>]*>–<\/td><td[^>]*><code>close:1006<\/code><\/td><td[^>]*>08:01:01.000Z<\/td>/);
    expect(html).toMatch(/08:01:02.310Z<\/td><td[^>]*>talk<\/td>/);
  });

  it('is left out of a run that lost nothing', () => {
    expect(missingSection(undefined)).toBe('');
  });
});
