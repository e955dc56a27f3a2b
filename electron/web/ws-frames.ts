// The WebSocket wire format (RFC 6455 §5), the little of it the desk socket needs: text messages both
// ways, close, ping/pong; no extensions, no binary. The reader takes bytes as they arrive (any split) and
// never throws: bytes that break the protocol end the reading with a close code (§7.4.1). Written here
// because no WebSocket server library is installed (browser mode's persistent transport, issue 15 gap 2).
import { createHash } from 'node:crypto';

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_INVALID_DATA = 1007;
export const CLOSE_TOO_BIG = 1009;

export type FrameEvent =
  | { kind: 'text'; text: string }
  | { kind: 'ping'; payload: Buffer }
  | { kind: 'pong' }
  | { kind: 'close'; code: number }
  /** The peer broke the protocol: close with `code`; nothing after this is read. */
  | { kind: 'error'; code: number; reason: string };

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (§4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** A valid Sec-WebSocket-Key: base64 of 16 bytes (§4.1). */
export function isClientKey(key: string | undefined): key is string {
  return typeof key === 'string' && /^[A-Za-z0-9+/]{22}==$/.test(key);
}

/** One unmasked frame from the server (§5.1: a server never masks). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (n < 126) head[1] = n;
  else if (n < 0x10000) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

export const textFrame = (text: string) => encodeFrame(OP_TEXT, Buffer.from(text, 'utf8'));
export const pongFrame = (payload: Buffer) => encodeFrame(OP_PONG, payload);
export function closeFrame(code: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return encodeFrame(OP_CLOSE, b);
}

/** A client's frame, masked as a browser sends it: for tests and for the bench's own clients. */
export function encodeClientFrame(opcode: number, payload: Buffer, fin = true, mask = Buffer.from([0x12, 0x34, 0x56, 0x78])): Buffer {
  const plain = encodeFrame(opcode, payload);
  const headLen = plain.length - payload.length;
  const head = Buffer.from(plain.subarray(0, headLen));
  if (!fin) head[0] &= 0x7f;
  head[1] |= 0x80;
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

export const OPCODES = { continuation: OP_CONTINUATION, text: OP_TEXT, binary: OP_BINARY, close: OP_CLOSE, ping: OP_PING, pong: OP_PONG } as const;

/**
 * Reads a client's frames. `maxMessageBytes` bounds one message (all its fragments); a longer one is refused
 * with 1009 before its bytes are buffered.
 */
export function createFrameReader(maxMessageBytes: number): { push(chunk: Buffer): FrameEvent[] } {
  let buf: Buffer = Buffer.alloc(0);
  let failed = false;
  /** Fragments of a text message still arriving (continuation frames). */
  let parts: Buffer[] | null = null;
  let partsBytes = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });

  const fail = (out: FrameEvent[], code: number, reason: string) => {
    failed = true;
    buf = Buffer.alloc(0);
    out.push({ kind: 'error', code, reason });
    return out;
  };

  return {
    push(chunk) {
      const out: FrameEvent[] = [];
      if (failed) return out;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf.length < 2) return out;
        const b0 = buf[0];
        const b1 = buf[1];
        const fin = (b0 & 0x80) !== 0;
        const opcode = b0 & 0x0f;
        if ((b0 & 0x70) !== 0) return fail(out, CLOSE_PROTOCOL_ERROR, 'reserved bits set (no extension was agreed)');
        if ((b1 & 0x80) === 0) return fail(out, CLOSE_PROTOCOL_ERROR, 'client frames must be masked');
        let len = b1 & 0x7f;
        let at = 2;
        if (len === 126) {
          if (buf.length < 4) return out;
          len = buf.readUInt16BE(2);
          at = 4;
        } else if (len === 127) {
          if (buf.length < 10) return out;
          const big = buf.readBigUInt64BE(2);
          if (big > BigInt(maxMessageBytes)) return fail(out, CLOSE_TOO_BIG, `a frame of ${big} bytes is over the limit`);
          len = Number(big);
          at = 10;
        }
        const control = opcode >= 0x8;
        if (control && (!fin || len > 125)) return fail(out, CLOSE_PROTOCOL_ERROR, 'a control frame must be whole and at most 125 bytes');
        if (!control && partsBytes + len > maxMessageBytes) return fail(out, CLOSE_TOO_BIG, `a message over ${maxMessageBytes} bytes`);
        if (buf.length < at + 4 + len) return out;
        const mask = buf.subarray(at, at + 4);
        const payload = Buffer.alloc(len);
        for (let i = 0; i < len; i++) payload[i] = buf[at + 4 + i] ^ mask[i & 3];
        buf = buf.subarray(at + 4 + len);
        switch (opcode) {
          case OP_TEXT:
          case OP_CONTINUATION: {
            if (opcode === OP_TEXT && parts !== null) return fail(out, CLOSE_PROTOCOL_ERROR, 'a new message began before the last one ended');
            if (opcode === OP_CONTINUATION && parts === null) return fail(out, CLOSE_PROTOCOL_ERROR, 'a continuation with no message to continue');
            parts = [...(parts ?? []), payload];
            partsBytes += len;
            if (!fin) break;
            const whole = Buffer.concat(parts);
            parts = null;
            partsBytes = 0;
            let text: string;
            try {
              text = decoder.decode(whole);
            } catch {
              return fail(out, CLOSE_INVALID_DATA, 'a text message that is not UTF-8');
            }
            out.push({ kind: 'text', text });
            break;
          }
          case OP_BINARY:
            return fail(out, CLOSE_UNSUPPORTED_DATA, 'the desk socket carries text (JSON) only');
          case OP_CLOSE: {
            if (len === 1) return fail(out, CLOSE_PROTOCOL_ERROR, 'a close frame with a one-byte body');
            failed = true;
            out.push({ kind: 'close', code: len >= 2 ? payload.readUInt16BE(0) : CLOSE_NORMAL });
            return out;
          }
          case OP_PING:
            out.push({ kind: 'ping', payload });
            break;
          case OP_PONG:
            out.push({ kind: 'pong' });
            break;
          default:
            return fail(out, CLOSE_PROTOCOL_ERROR, `unknown opcode ${opcode}`);
        }
      }
    },
  };
}
