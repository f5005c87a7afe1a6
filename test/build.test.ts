// `npm run build` type-checks the whole project under strict TypeScript and emits dist/ with
// declarations; another Node program can then import the compiled core and use it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestDatabase, postgresSkipReason } from './support/database.js';

test('npm run build type-checks and emits dist/ with declarations', () => {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync('dist/index.js'));
  assert.ok(existsSync('dist/index.d.ts'));
  assert.ok(existsSync('dist/storage/sqlite/migrations/001_foundation.sql'));
  assert.ok(existsSync('dist/storage/postgres/migrations/001_foundation.sql'));
  assert.ok(existsSync('dist/storage/postgres/migrations/002_ledger.sql'));
});

test('the tests and benchmarks type-check too', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.test.json'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

const program = (databaseUrl: string) => `
    import { createIms } from './dist/index.js';
    const ims = await createIms({ databaseUrl: ${JSON.stringify(databaseUrl)} });
    const uom = await ims.uoms.create({ code: 'EA', name: 'Each' });
    const item = await ims.items.create({ itemNo: 'X-1', name: 'X', itemKind: 'purchased', baseUomId: uom.value.id });
    const wh = await ims.facilities.create({ code: 'W', name: 'W', type: 'warehouse' });
    const bin = await ims.locations.create(wh.value.id, { code: 'A', name: 'A', type: 'bin' });
    const posted = await ims.inventory.adjust({ itemId: item.value.id, locationId: bin.value.id, qtyDelta: 3 });
    const refused = await ims.inventory.adjust({ itemId: item.value.id, locationId: bin.value.id, qtyDelta: -4 });
    const balances = await ims.inventory.balances({ itemId: item.value.id });
    console.log(JSON.stringify({ posted: posted.ok, refused: refused.ok || refused.code, onHand: balances.items[0]?.onHand }));
    await ims.close();
  `;

test('a plain Node program imports the compiled package and posts stock', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', program('sqlite::memory:')], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()), { posted: true, refused: 'insufficient_stock', onHand: 3 });
});

// The compiled PostgreSQL adapter finds its migrations in dist/ too.
const pgSkip = postgresSkipReason();
if (pgSkip) {
  console.log(`  skip [postgres] the compiled package on PostgreSQL: ${pgSkip}`);
  test.skip('the compiled package posts stock on PostgreSQL');
} else {
  test('the compiled package posts stock on PostgreSQL', async () => {
    const db = await createTestDatabase();
    try {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', program(db.url)], { encoding: 'utf8' });
      assert.is(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout.trim()), { posted: true, refused: 'insufficient_stock', onHand: 3 });
    } finally {
      await db.drop();
    }
  });
}

test.run();
