// The benchmarks' limits (bench/raw.ts in process, bench/servers/minimal-gc.ts over HTTP)
// write through bench/rows.ts, which must write what the product's posting writes on SQLite:
// the same number of rows in every table, the same changes to balances and valuations. A
// limit that wrote less would charge the product's own rows to its overhead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import type { Ims } from '../core/ims.js';
import { post } from '../core/posting.js';
import { SCALE } from '../core/quantity.js';
import { unwrap } from '../core/result.js';
import { MEMORY, migrate, type Db } from '../storage/sqlite/database.js';
import { chooseDriver } from '../storage/sqlite/drivers.js';
import { PostingRows } from '../bench/rows.js';
import { adjustmentRequest, seedWorld, type World } from '../bench/world.js';

const SIZE = { items: 2, bins: 3, opening: 10 };

/** Rows per table, and the sums the postings change in place. */
function footprint(db: Db): Record<string, number> {
  const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).values() as string[];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = db.prepare(`SELECT count(*) FROM "${t}"`).value() as number;
  out['balances.on_hand'] = db.prepare('SELECT coalesce(sum(on_hand), 0) FROM balances').value() as number;
  out['valuations.qty'] = db.prepare('SELECT coalesce(sum(qty), 0) FROM valuations').value() as number;
  return out;
}

function change(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(after)) if (after[k] !== before[k]) out[k] = after[k]! - (before[k] ?? 0);
  return out;
}

type Shape = 'adjustment, 2 lines' | 'adjustment, 1 line' | 'move';

/** What one posting of `shape` changes when the product posts it. */
async function productChange(shape: Shape): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-rows-'));
  const file = join(dir, 'ims.db');
  const ims: Ims = await createIms({ databaseUrl: `sqlite:${file}` });
  const look = chooseDriver().open(file);
  try {
    const w: World = await seedWorld(ims, SIZE);
    const [itemId, a, b] = [w.itemIds[0]!, w.binIds[0]!, w.binIds[1]!];
    const before = footprint(look);
    if (shape === 'adjustment, 2 lines') unwrap(await runCommand(ims.store, (tx) => post(tx, adjustmentRequest(w, 0), nowIso())));
    if (shape === 'adjustment, 1 line') unwrap(await ims.inventory.adjust({ itemId, locationId: a, qtyDelta: 1, reason: 'bench' }));
    if (shape === 'move') unwrap(await ims.inventory.move({ itemId, fromLocationId: a, toLocationId: b, qty: 1 }));
    return change(before, footprint(look));
  } finally {
    look.close();
    await ims.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the same posting changes when the limits write it. */
function limitChange(shape: Shape): Record<string, number> {
  const db = chooseDriver().open(MEMORY);
  try {
    migrate(db);
    const rows = new PostingRows(db, 'facility');
    const bins = Array.from({ length: SIZE.bins }, (_, i) => `bin-${i}`);
    for (let i = 0; i < SIZE.items; i++) rows.posting('adjustment', 'opening stock', `item-${i}`, bins.map((bin) => [bin, SIZE.opening * SCALE] as const));
    const before = footprint(db);
    if (shape === 'adjustment, 2 lines') rows.posting('adjustment', 'bench', 'item-0', [['bin-0', SCALE], ['bin-1', SCALE]]);
    if (shape === 'adjustment, 1 line') rows.posting('adjustment', 'bench', 'item-0', [['bin-0', SCALE]]);
    if (shape === 'move') rows.posting('move', null, 'item-0', [['bin-0', -SCALE], ['bin-1', SCALE]]);
    return change(before, footprint(db));
  } finally {
    db.close();
  }
}

for (const shape of ['adjustment, 2 lines', 'adjustment, 1 line', 'move'] as const) {
  test(`the limits write the rows the product writes: ${shape}`, async () => {
    const product = await productChange(shape);
    assert.ok(product.events === 1 && product.inventory_transactions === 1, `the product posted: ${JSON.stringify(product)}`);
    assert.equal(limitChange(shape), product);
  });
}

test.run();
