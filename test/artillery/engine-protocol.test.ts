import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as engine from '../../artillery/engine/protocol.js';
import * as harness from '../../src/fleet/chat-protocol.ts';
import { connectErrorKind } from '../../src/fleet/client.ts';
import { handshakeWith } from '../../src/targets/connect-token.ts';
import { broadcastFrame, messageFrame } from '../../reference-stack/functions/shared/protocol.ts';

// The Artillery engine speaks the chat protocol in plain JavaScript (workers load no TypeScript):
// it must put the same bytes on the wire as the harness and read every frame the same way, so a
// stack sees one client whichever of the two drives it.

const probeArb = fc.record({
  origin: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  slot: fc.integer({ min: 0, max: 2 ** 31 }),
  sender: fc.integer({ min: 0, max: 1_000_000 }),
  seq: fc.integer({ min: 0, max: 2 ** 31 }),
  // epoch ms with µs precision, as the clock gives them
  intended: fc.integer({ min: 1_600_000_000_000_000, max: 2_000_000_000_000_000 }).map((us) => us / 1000),
});
const head = (cold: boolean, messageId: string) => ({ from: 'abc=', name: 'anonymous', messageId, serverTime: 1_700_000_000_000, cold });

describe('the engine and the harness speak the same chat protocol', () => {
  it('write the same probe and the same sendMessage frame', () => {
    fc.assert(
      fc.property(probeArb, fc.integer({ min: 0, max: 300 }), fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/), (p, bytes, room) => {
        const payload = engine.encodeProbe(p, bytes);
        expect(payload).toBe(harness.encodeProbe(p, bytes));
        const frame = engine.sendMessageFrame(engine.sendMessagePrefix(room), payload);
        expect(frame).toBe(harness.sendMessageFrame(harness.sendMessagePrefix(room), payload));
        expect(JSON.parse(frame)).toEqual({ action: 'sendMessage', room, payload });
      }),
      { numRuns: 300 },
    );
    expect(engine.createRoomFrame('r1')).toBe(harness.createRoomFrame('r1'));
    expect(engine.joinRoomFrame('r1')).toBe(harness.joinRoomFrame('r1'));
  });

  it('read each other\'s probes from the frames the reference stack sends, fast path and JSON path', () => {
    fc.assert(
      fc.property(probeArb, fc.boolean(), fc.boolean(), (p, cold, broadcast) => {
        const payload = JSON.stringify(engine.encodeProbe(p, 64));
        const text = broadcast ? broadcastFrame(head(cold, 'm-1'), payload) : messageFrame('fb.x.r3', head(cold, 'm-1'), payload);
        const a = engine.newProbe();
        const b = harness.newProbe();
        expect(engine.scanDelivery(Buffer.from(text), a)).toBe(true);
        expect(harness.scanDelivery(Buffer.from(text), b)).toBe(true);
        expect(a).toEqual(b);
        expect(a).toEqual({ ...p, intended: Math.round(p.intended * 1000) / 1000, cold });
        const c = engine.newProbe();
        const d = harness.newProbe();
        const f = engine.parseControl(text);
        expect(f).toEqual(harness.parseControl(text));
        if (f.kind !== 'delivery') throw new Error('not a delivery');
        expect(engine.decodeProbe(f.payload, f.cold, c)).toBe(harness.decodeProbe(f.payload, f.cold, d));
        expect(c).toEqual(d);
        expect(engine.scanMessageId(Buffer.from(text))).toBe(harness.scanMessageId(Buffer.from(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('classify control frames alike, and refuse the same garbled probes', () => {
    const frames = [
      '{"type":"sent","room":"r1","messageId":"m-9","recipients":12,"gone":2}',
      '{"type":"joined","room":"r1","members":3}',
      '{"type":"roomCreated","room":"r1"}',
      '{"type":"error","code":"NOT_A_MEMBER","message":"x","action":"sendMessage"}',
      '{"type":"error","code":"BAD_REQUEST","message":"x"}',
      '{"message": "Forbidden", "connectionId":"c", "requestId":"r"}',
      '{"message": "Internal server error", "connectionId":"c", "requestId":"r"}',
      '{"message": "Too Many Requests"}',
      '{"type":"whoami","connectionId":"c"}',
      'not json',
      '"a string"',
      '{"type":"message","payload":"fb1|1|2|x|4|5|","cold":false}',
      '{"type":"message","payload":"fb1|1|2","cold":false}',
      '{"type":"message","payload":{"hi":1}}',
    ];
    for (const text of frames) {
      expect(engine.parseControl(text), text).toEqual(harness.parseControl(text));
      const a = engine.newProbe();
      const b = harness.newProbe();
      expect(engine.scanDelivery(Buffer.from(text), a), text).toBe(harness.scanDelivery(Buffer.from(text), b));
    }
  });

  it('name failed connects and carry the token alike', () => {
    const errors = [
      Object.assign(new Error('Unexpected server response: 403'), {}),
      new Error('Opening handshake has timed out'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      new Error('something else'),
    ];
    for (const e of errors) expect(engine.connectErrorKind(e)).toBe(connectErrorKind(e));
    const url = 'wss://abc.execute-api.us-east-1.amazonaws.com/prod?x=1';
    for (const token of [undefined, { token: 't&k=n', in: 'header' as const }, { token: 't&k=n', in: 'query' as const }]) {
      expect(engine.handshakeWith(url, token)).toEqual(handshakeWith(url, token));
    }
  });
});
