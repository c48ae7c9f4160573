import { describe, expect, it } from 'vitest';
import { encodeProbe } from '../../common/probe-text.ts';
import {
  decodeProbe,
  newProbe,
  parseControl,
  scanDelivery,
  scanMessageId,
  sendMessageFrame,
  sendMessagePrefix,
} from '../../src/fleet/protocols/chat-v1.ts';
import { broadcastFrame, messageFrame } from '../../reference-stack/functions/shared/protocol.ts';

const head = (cold: boolean) => ({ from: 'abc=', name: 'anonymous', messageId: 'm-123', serverTime: 1_700_000_000_000, cold });

describe('probe payload', () => {
  const probe = { origin: 1, slot: 4_321, sender: 977, seq: 12, intended: 1_763_700_000_123.456 };

  it('round-trips through the frames the reference stack sends, without JSON.parse', () => {
    const payload = encodeProbe(probe, 64);
    expect(payload.length).toBe(64);
    for (const cold of [false, true]) {
      const frame = Buffer.from(messageFrame('fb.run.r3', head(cold), JSON.stringify(payload)));
      const out = newProbe();
      expect(scanDelivery(frame, out)).toBe(true);
      expect(out).toEqual({ ...probe, cold });
      expect(scanMessageId(frame)).toBe('m-123');
    }
    const out = newProbe();
    expect(scanDelivery(Buffer.from(broadcastFrame(head(true), JSON.stringify(payload))), out)).toBe(true);
    expect(out.cold).toBe(true);
  });

  it('finds the cold flag in compact frames of any key order', () => {
    const payload = JSON.stringify(encodeProbe(probe, 0));
    for (const cold of [true, false]) {
      const out = newProbe();
      const frame = `{"payload":${payload},"type":"message","cold":${cold},"messageId":"m"}`;
      expect(scanDelivery(Buffer.from(frame), out)).toBe(true);
      expect(out).toEqual({ ...probe, cold });
    }
  });

  it('reads the probe on the slow path from any formatting', () => {
    const text = JSON.stringify({ payload: encodeProbe(probe, 0), cold: true, type: 'message', messageId: 'x' }, null, 2);
    expect(scanDelivery(Buffer.from(text), newProbe())).toBe(false); // not compact: the fast path declines
    const f = parseControl(text);
    expect(f.kind).toBe('delivery');
    const out = newProbe();
    expect(f.kind === 'delivery' && decodeProbe(f.payload, f.cold, out)).toBe(true);
    expect(out).toEqual({ ...probe, cold: true });
  });

  it('declines acks, errors and payloads that are not probes', () => {
    const out = newProbe();
    expect(scanDelivery(Buffer.from('{"type":"sent","room":"r","messageId":"m","recipients":3,"gone":0}'), out)).toBe(false);
    expect(scanDelivery(Buffer.from(messageFrame('r', head(false), '"hello"')), out)).toBe(false);
    expect(scanDelivery(Buffer.from(messageFrame('r', head(false), '"fb1|1|x|3|4|5|"')), out)).toBe(false);
    expect(decodeProbe({ not: 'a probe' }, false, out)).toBe(false);
  });

  it('builds sendMessage frames the server can parse', () => {
    const frame = sendMessageFrame(sendMessagePrefix('fb.r-1'), encodeProbe(probe, 10));
    expect(JSON.parse(frame)).toEqual({ action: 'sendMessage', room: 'fb.r-1', payload: encodeProbe(probe, 10) });
  });
});

describe('control frames', () => {
  it('classifies acks and errors by kind', () => {
    expect(parseControl('{"type":"sent","room":"r","messageId":"m","recipients":12,"gone":2}')).toEqual({
      kind: 'sent', messageId: 'm', recipients: 12, gone: 2,
    });
    expect(parseControl('{"type":"joined","room":"r","members":3}')).toEqual({ kind: 'joined', members: 3 });
    expect(parseControl('{"type":"roomCreated","room":"r"}')).toEqual({ kind: 'roomCreated' });
    expect(parseControl('{"type":"error","code":"NOT_A_MEMBER","message":"m","action":"sendMessage"}')).toEqual({
      kind: 'error', errorKind: 'frame:NOT_A_MEMBER', action: 'sendMessage',
    });
    expect(parseControl('{"message": "Forbidden", "connectionId":"c", "requestId":"r"}')).toEqual({ kind: 'error', errorKind: 'frame:Forbidden' });
    expect(parseControl('{"message":"Internal server error","connectionId":"c","requestId":"r"}')).toEqual({
      kind: 'error', errorKind: 'frame:Internal server error',
    });
    expect(parseControl('{"message":"Too Many Requests","connectionId":"c"}')).toEqual({ kind: 'error', errorKind: 'throttle:Too Many Requests' });
    expect(parseControl('not json')).toEqual({ kind: 'error', errorKind: 'frame:not-json' });
    expect(parseControl('{"type":"name","name":"a"}')).toEqual({ kind: 'other' });
  });
});
