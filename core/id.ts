// Record ids are UUID version 7: time-ordered, so new rows land at the end of every index
// and ids sort in creation order, and random enough to be chosen without coordination.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// Random bytes are drawn 4 KiB at a time: one call to the system's generator per 256 ids
// instead of one per id, which is measurable on the posting path.
const pool = new Uint8Array(4096);
let used = pool.length;

function random16(): Uint8Array {
  if (used === pool.length) {
    globalThis.crypto.getRandomValues(pool);
    used = 0;
  }
  used += 16;
  return pool.slice(used - 16, used);
}

// Within one millisecond, ids of this process still increase: the 12 bits after the version
// count up (RFC 9562, method 1), so records made in one step sort in the order they were made.
let lastMs = -1;
let counter = 0;

export function newId(now: number = Date.now()): string {
  const b = random16();
  if (now <= lastMs) {
    counter += 1;
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next one.
      lastMs += 1;
      counter = 0;
    }
  } else {
    lastMs = now;
    counter = b[6]! & 0x07; // start low and random, leaving room to count up
  }
  // 48-bit big-endian millisecond timestamp.
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (counter >> 8); // version 7 and the counter's high bits
  b[7] = counter & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
