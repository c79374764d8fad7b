#!/usr/bin/env node
/*
 * Draws the two icons of the Teams app package (teams/color.png, 192 x 192, and teams/outline.png,
 * 32 x 32) as RGBA PNG files, with no image library: a PNG is a signature, an IHDR chunk, zlib-deflated
 * scanlines in IDAT chunks and an IEND chunk, each chunk closed by a CRC-32.
 *
 *   node scripts/teams-icons.js            # rewrites both files
 *
 * The icons are committed; run this only to change them. Teams wants the colour icon full-bleed on its
 * own background and the outline icon white on a transparent background.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const TEAMS_DIR = path.resolve(__dirname, '..', 'teams');

/** The accent colour, also the manifest's `accentColor`. */
const ACCENT = [0x3a, 0x6e, 0xa5];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** Encodes `pixel(x, y) -> [r, g, b, a]` as an 8-bit RGBA PNG of `size` x `size`. */
function encodePng(size, pixel) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  header[10] = 0; // deflate
  header[11] = 0; // adaptive filtering
  header[12] = 0; // no interlace
  const rowLength = 1 + size * 4;
  const raw = Buffer.alloc(rowLength * size);
  for (let y = 0; y < size; y++) {
    raw[y * rowLength] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * rowLength + 1 + x * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Whether (u, v) lies in the triangle a-b-c (same side of all three edges). */
function inTriangle(u, v, a, b, c) {
  const side = (p, q) => (q[0] - p[0]) * (v - p[1]) - (q[1] - p[1]) * (u - p[0]);
  const s1 = side(a, b),
    s2 = side(b, c),
    s3 = side(c, a);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
}

/**
 * A speech bubble in a unit square: a rounded rectangle with a tail at the lower left. Tells whether
 * the point (u, v), both 0..1, is in it.
 */
function bubble(u, v) {
  const left = 0.18,
    right = 0.82,
    top = 0.22,
    bottom = 0.68,
    radius = 0.12;
  const cx = Math.min(Math.max(u, left + radius), right - radius);
  const cy = Math.min(Math.max(v, top + radius), bottom - radius);
  const inBody = u >= left && u <= right && v >= top && v <= bottom && (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2;
  // Tail: the triangle (0.30, 0.66) - (0.48, 0.66) - (0.26, 0.84).
  const inTail = inTriangle(u, v, [0.3, 0.66], [0.48, 0.66], [0.26, 0.84]);
  return inBody || inTail;
}

/** Three dots inside the bubble. */
function dot(u, v) {
  return [0.36, 0.5, 0.64].some((x) => (u - x) ** 2 + (v - 0.45) ** 2 <= 0.045 ** 2);
}

/** Anti-aliased coverage of `inside` over one pixel, sampled 4 x 4. */
function coverage(size, x, y, inside) {
  let hits = 0;
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) if (inside((x + (i + 0.5) / 4) / size, (y + (j + 0.5) / 4) / size)) hits++;
  return hits / 16;
}

function colorIcon(size) {
  return encodePng(size, (x, y) => {
    const white = coverage(size, x, y, (u, v) => bubble(u, v) && !dot(u, v));
    return [...ACCENT.map((c) => Math.round(c + (255 - c) * white)), 255];
  });
}

function outlineIcon(size) {
  // White outline of the bubble: inside the bubble but not inside it shrunk by about 2 px.
  const inset = 2 / size;
  const ring = (u, v) =>
    bubble(u, v) && !(bubble(u - inset, v) && bubble(u + inset, v) && bubble(u, v - inset) && bubble(u, v + inset));
  return encodePng(size, (x, y) => [255, 255, 255, Math.round(255 * coverage(size, x, y, ring))]);
}

if (require.main === module) {
  fs.mkdirSync(TEAMS_DIR, { recursive: true });
  fs.writeFileSync(path.join(TEAMS_DIR, 'color.png'), colorIcon(192));
  fs.writeFileSync(path.join(TEAMS_DIR, 'outline.png'), outlineIcon(32));
  process.stdout.write('wrote teams/color.png (192 x 192) and teams/outline.png (32 x 32)\n');
}

module.exports = { encodePng, crc32 };
