// Draws the app icon programmatically (no image tools needed) and writes resources/icon.png (512x512),
// resources/icons/<size>x<size>.png for Linux, and resources/icon.ico (PNG-embedded, 16-256) for Windows.
// electron-builder derives the macOS .icns from icon.png. Output is deterministic; the files are committed.
// Usage: tsx scripts/make-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources');

type Rgba = [number, number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function encodePng(size: number, pixels: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(pixels.buffer, pixels.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The motif in unit coordinates: a rounded dark tile, three queue bars, and a green check on the top one. */
function shade(x: number, y: number): Rgba | null {
  const r = 0.2;
  const dx = Math.max(0.06 + r - x, 0, x - (0.94 - r));
  const dy = Math.max(0.06 + r - y, 0, y - (0.94 - r));
  if (dx * dx + dy * dy > r * r) return null;
  const bars = [0.3, 0.5, 0.7];
  for (const [i, cy] of bars.entries()) {
    if (Math.abs(y - cy) < 0.055 && x > 0.22 && x < (i === 0 ? 0.58 : 0.78)) return i === 0 ? [236, 240, 245, 255] : [120, 132, 150, 255];
  }
  // Check mark: two thick segments.
  const seg = (ax: number, ay: number, bx: number, by: number) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
  };
  if (Math.min(seg(0.62, 0.3, 0.69, 0.37), seg(0.69, 0.37, 0.82, 0.2)) < 0.04) return [46, 204, 113, 255];
  return [24, 30, 40, 255];
}

export function drawIcon(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const ss = 4; // supersampling for smooth edges
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size);
          if (!c) continue;
          for (let k = 0; k < 3; k++) acc[k] += c[k] * c[3];
          acc[3] += c[3];
        }
      }
      const o = (y * size + x) * 4;
      const a = acc[3] / (ss * ss);
      for (let k = 0; k < 3; k++) px[o + k] = acc[3] ? Math.round(acc[k] / acc[3]) : 0;
      px[o + 3] = Math.round(a);
    }
  }
  return px;
}

/** An .ico whose entries are PNGs (supported since Windows Vista). */
export function encodeIco(pngs: Array<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const entries = pngs.map(({ size, png }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.png)]);
}

function main() {
  mkdirSync(path.join(OUT, 'icons'), { recursive: true });
  const sizes = [16, 32, 48, 64, 128, 256, 512];
  const pngs = new Map(sizes.map((s) => [s, encodePng(s, drawIcon(s))]));
  for (const [s, png] of pngs) {
    writeFileSync(path.join(OUT, 'icons', `${s}x${s}.png`), png);
    console.log(`icons: resources/icons/${s}x${s}.png (${png.length} bytes)`);
  }
  writeFileSync(path.join(OUT, 'icon.png'), pngs.get(512)!);
  writeFileSync(path.join(OUT, 'icon.ico'), encodeIco([16, 32, 48, 256].map((s) => ({ size: s, png: pngs.get(s)! }))));
  console.log('icons: resources/icon.png, resources/icon.ico');
}

main();
