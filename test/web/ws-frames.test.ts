// The desk socket's frame reader (electron/web/ws-frames.ts) against generated input: whatever the split of
// the bytes and the fragmentation of the messages, the texts come out whole and in order; any bytes at all
// never throw, and nothing is read after the reader gave up.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptKey, createFrameReader, encodeClientFrame, isClientKey, OPCODES, type FrameEvent } from '../../electron/web/ws-frames';

/** A text message as a browser may send it: split over `pieces` frames (a text frame, then continuations). */
function fragmented(text: string, cuts: number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b).filter((c) => c > 0 && c < bytes.length);
  const parts = [0, ...at, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
  if (parts.length === 0) parts.push(Buffer.alloc(0));
  return parts.map((p, i) => encodeClientFrame(i === 0 ? OPCODES.text : OPCODES.continuation, p, i === parts.length - 1));
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, buf.length]) {
    out.push(buf.subarray(from, c));
    from = c;
  }
  return out;
}

describe('desk socket frames', () => {
  it('the handshake answer is the RFC 6455 example, and only a 16-byte base64 key is a key', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(isClientKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    for (const bad of [undefined, '', 'short==', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ==\r\nx: y']) expect(isClientKey(bad)).toBe(false);
  });

  it('texts come out whole and in order, whatever the fragmentation and however the bytes are split', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.array(fc.nat(), { maxLength: 4 })), { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      (messages, cuts, withPing) => {
        const frames = messages.flatMap(([text, at], i) => [...fragmented(text, at), ...(withPing && i === 0 ? [encodeClientFrame(OPCODES.ping, Buffer.from('hi'))] : [])]);
        const reader = createFrameReader(1 << 20);
        const events: FrameEvent[] = [];
        for (const chunk of splitAt(Buffer.concat(frames), cuts)) events.push(...reader.push(chunk));
        expect(events.filter((e) => e.kind === 'text')).toEqual(messages.map(([text]) => ({ kind: 'text', text })));
        expect(events.filter((e) => e.kind === 'ping')).toHaveLength(withPing ? 1 : 0);
        expect(events.some((e) => e.kind === 'error')).toBe(false);
      },
    ), { numRuns: 300 });
  });

  it('any bytes at all never throw; after the reader gives up (or the peer closes) nothing more is read', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      const reader = createFrameReader(1024);
      let ended = false;
      for (const c of chunks) {
        const events = reader.push(Buffer.from(c));
        if (ended) expect(events).toEqual([]);
        if (events.some((e) => e.kind === 'error' || e.kind === 'close')) ended = true;
      }
    }), { numRuns: 500 });
  });

  it('refuses what breaks the protocol, with the code RFC 6455 names', () => {
    const text = Buffer.from('{"id":1}');
    const unmasked = Buffer.concat([Buffer.from([0x81, text.length]), text]);
    const cases: [string, Buffer, number][] = [
      ['an unmasked frame', unmasked, 1002],
      ['a binary message', encodeClientFrame(OPCODES.binary, text), 1003],
      ['text that is not UTF-8', encodeClientFrame(OPCODES.text, Buffer.from([0xc3, 0x28])), 1007],
      ['a continuation with nothing to continue', encodeClientFrame(OPCODES.continuation, text), 1002],
      ['a fragmented ping', encodeClientFrame(OPCODES.ping, text, false), 1002],
      ['reserved bits', Buffer.concat([Buffer.from([0xc1]), encodeClientFrame(OPCODES.text, text).subarray(1)]), 1002],
      ['a message over the limit', encodeClientFrame(OPCODES.text, Buffer.alloc(2000, 0x61)), 1009],
    ];
    for (const [what, bytes, code] of cases) {
      const events = createFrameReader(1024).push(bytes);
      expect(events, what).toEqual([expect.objectContaining({ kind: 'error', code })]);
    }
  });

  it('a length over the limit is refused from the header alone, before its bytes are waited for', () => {
    const head = Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 1, 0, 0, 0, 0]); // 2^32 bytes announced
    expect(createFrameReader(1 << 20).push(head)).toEqual([expect.objectContaining({ kind: 'error', code: 1009 })]);
  });
});
