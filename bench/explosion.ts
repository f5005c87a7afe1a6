// Benchmark of the BOM explosion.
//
//   node --import tsx bench/explosion.ts [--quick] [--json] [--json-out=<file>]
//
// Builds a 6-level BOM of 2,000 nodes (every node its own item: 4, 16, 60, 200, 600 and
// 1,120 components per level; every seventh assembly a phantom, every fifth BOM in batches
// of 2, a third of the lines with 2.5 % scrap, a third of the items in KG with 3 decimals, so
// batch, scrap and rounding arithmetic all run) and times, with tinybench:
//   tree         the pure explosion (core/explosion.ts) for 100 of the top item, with the tree;
//   totals       the same, flattened totals only (what work orders and maxBuildable use);
//   buildable    the most of the top item buildable from a given stock (a search of explosions);
//   store        the whole read of GET .../explosion without HTTP: loading the BOM graph level
//                by level from an in-memory SQLite store, exploding, and the view.
// The target: the pure explosion with the tree takes under 5 ms (its mean; p99 shown).
// Before timing, each result is checked: 2,000 nodes, 6 levels, the flattened totals equal
// the sum of the tree's leaves.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Bench, type Fn } from 'tinybench';
import { benchArgs, emitReport } from './args.js';
import { createIms } from '../index.js';
import type { Ims } from '../core/ims.js';
import { explode, maxBuildable, type ExplosionBom, type ExplosionItem, type ExplosionNode, type ExplosionSnapshot } from '../core/explosion.js';
import { toMicro, type Micro } from '../core/quantity.js';
import type { Result } from '../core/result.js';

const args = benchArgs('explosion.ts');
const quick = args.quick;
const TIMING = quick
  ? { time: 150, iterations: 5, warmupTime: 30, warmupIterations: 2 }
  : { time: 2000, iterations: 64, warmupTime: 250, warmupIterations: 16 };

/** Components per level below the top item: 6 levels, 2,000 nodes. */
export const LEVELS = [4, 16, 60, 200, 600, 1120];
const NODES = LEVELS.reduce((a, b) => a + b, 0);
const LIMIT_MS = 5;
const QTY = 100;

const m = (n: number) => toMicro(n)! as Micro;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

interface Spec {
  itemNo: string;
  kind: 'manufactured' | 'phantom' | 'purchased';
  kg: boolean;
  outputQty: number;
  /** Children: [index into the next level, qty per batch, scrapPct]. */
  lines: Array<{ child: string; qty: number; scrapPct: number }>;
}

/** The BOM as plain specs: the top item, then level by level. */
function design(): Spec[] {
  const specs: Spec[] = [];
  const levelNos = [['TOP'], ...LEVELS.map((n, k) => Array.from({ length: n }, (_, i) => `L${k + 1}-${String(i).padStart(4, '0')}`))];
  let n = 0;
  for (let k = 0; k < levelNos.length; k++) {
    const here = levelNos[k]!;
    const below = levelNos[k + 1] ?? [];
    for (const [i, itemNo] of here.entries()) {
      n++;
      const children = below.filter((_, j) => j % here.length === i);
      const kg = k > 0 && n % 3 === 0;
      specs.push({
        itemNo,
        kind: children.length === 0 ? 'purchased' : k > 0 && n % 7 === 0 ? 'phantom' : 'manufactured',
        kg,
        outputQty: n % 5 === 0 ? 2 : 1,
        lines: children.map((child, j) => ({ child, qty: 1 + ((i + j) % 3), scrapPct: (i + j) % 3 === 0 ? 2.5 : 0 })),
      });
    }
  }
  return specs;
}

function snapshotOf(specs: Spec[]): { snapshot: ExplosionSnapshot; root: ExplosionBom } {
  const items = new Map<string, ExplosionItem>();
  const activeBoms = new Map<string, ExplosionBom>();
  for (const s of specs) items.set(s.itemNo, { id: s.itemNo, itemNo: s.itemNo, itemKind: s.kind, baseUomId: s.kg ? 'KG' : 'EA', decimals: s.kg ? 3 : 0 });
  let b = 0;
  for (const s of specs) {
    if (s.lines.length === 0) continue;
    activeBoms.set(s.itemNo, {
      id: `bom-${++b}`, itemId: s.itemNo, version: 1, outputQty: m(s.outputQty),
      components: s.lines.map((l) => ({ itemId: l.child, qtyBase: m(l.qty), scrapPct: m(l.scrapPct) })),
    });
  }
  return { snapshot: { items, activeBoms }, root: activeBoms.get('TOP')! };
}

const must = <T>(r: Result<T>, what: string): T => {
  if (!r.ok) throw new Error(`${what}: ${r.code}: ${r.message}`);
  return r.value;
};

function depthOf(nodes: ExplosionNode[]): number {
  return nodes.reduce((d, n) => Math.max(d, n.level, depthOf(n.components)), 0);
}

function leafSums(nodes: ExplosionNode[], into = new Map<string, number>()): Map<string, number> {
  for (const n of nodes) {
    if (n.leafReason) into.set(n.itemNo, (into.get(n.itemNo) ?? 0) + m(n.qty));
    else leafSums(n.components, into);
  }
  return into;
}

/** The same BOM in a store, through the embedder API: items, then BOMs activated bottom-up. */
async function seedStore(specs: Spec[]): Promise<{ ims: Ims; bomId: string }> {
  const ims = await createIms({ databaseUrl: 'sqlite::memory:' });
  const ea = must(await ims.uoms.create({ code: 'EA', name: 'Each' }), 'uom') as { id: string };
  const kg = must(await ims.uoms.create({ code: 'KG', name: 'Kilogram', decimals: 3 }), 'uom') as { id: string };
  const ids = new Map<string, string>();
  for (const s of specs) {
    const item = must(await ims.items.create({ itemNo: s.itemNo, name: s.itemNo, itemKind: s.kind, baseUomId: s.kg ? kg.id : ea.id }), 'item') as { id: string };
    ids.set(s.itemNo, item.id);
  }
  let top = '';
  for (const s of [...specs].reverse()) {
    if (s.lines.length === 0) continue;
    const bom = must(await ims.production.boms.create({
      itemId: ids.get(s.itemNo)!, outputQty: s.outputQty,
      components: s.lines.map((l) => ({ itemId: ids.get(l.child)!, qty: l.qty, scrapPct: l.scrapPct })),
    }), `BOM of ${s.itemNo}`) as { id: string };
    must(await ims.production.boms.activate(bom.id), `activate ${s.itemNo}`);
    if (s.itemNo === 'TOP') top = bom.id;
  }
  return { ims, bomId: top };
}

interface Row {
  task: string;
  meanMs: number;
  p99Ms: number;
  samples: number;
}

async function measure(task: string, fn: Fn, async = false): Promise<Row> {
  const bench = new Bench({ name: task, throws: true, ...TIMING });
  bench.add(task, fn, { async });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${task}: ${r.state}${'error' in r ? `: ${r.error.message}` : ''}`);
  return { task, meanMs: r.latency.mean, p99Ms: r.latency.p99, samples: r.latency.samplesCount };
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const specs = design();
  const { snapshot, root } = snapshotOf(specs);

  // Correctness first: the shape asked for, and totals that are the sum of the leaves.
  const tree = must(explode(snapshot, root, m(QTY)), 'explode');
  const sums = leafSums(tree.tree);
  const checks = {
    nodes: tree.nodes,
    depth: depthOf(tree.tree),
    items: snapshot.items.size,
    boms: snapshot.activeBoms.size,
    leaves: tree.flattened.length,
    roundedUp: tree.flattened.filter((f) => f.roundedUp).length,
    totalsMatchLeaves: tree.flattened.every((f) => sums.get(f.itemNo) === f.qty) && sums.size === tree.flattened.length,
    totalsOnlySame: JSON.stringify(must(explode(snapshot, root, m(QTY), { tree: false }), 'totals').flattened) === JSON.stringify(tree.flattened),
  };
  const stock = new Map(tree.flattened.map((f, i) => [f.itemId, (f.qty * (i % 4 === 0 ? 0.5 : 3)) as Micro]));
  const buildable = maxBuildable(snapshot, root, stock, null, m(1));
  log(`explosion: ${checks.nodes} nodes, ${checks.depth} levels, ${checks.items} items, ${checks.boms} BOMs; max buildable from the test stock ${buildable! / 1e6}`);

  const rows: Row[] = [];
  rows.push(await measure('tree', () => {
    must(explode(snapshot, root, m(QTY)), 'explode');
  }));
  rows.push(await measure('totals', () => {
    must(explode(snapshot, root, m(QTY), { tree: false }), 'explode');
  }));
  rows.push(await measure('buildable', () => {
    maxBuildable(snapshot, root, stock, null, m(1));
  }));
  log('seeding the same BOM in an in-memory store ...');
  const { ims, bomId } = await seedStore(specs);
  let storeNodes = 0;
  try {
    storeNodes = (must(await ims.production.boms.explode(bomId, { qty: QTY }), 'store explosion') as { nodes: number }).nodes;
    rows.push(await measure('store', async () => {
      must(await ims.production.boms.explode(bomId, { qty: QTY }), 'store explosion');
    }, true));
  } finally {
    await ims.close();
  }

  const pure = rows[0]!;
  const targets = [{
    name: `explosion of a ${LEVELS.length}-level, ${NODES}-node BOM (pure, with the tree), mean`,
    value: pure.meanMs, limit: LIMIT_MS, unit: 'ms', pass: pure.meanMs < LIMIT_MS, binding: true,
  }];
  const ok = checks.nodes === NODES && checks.depth === LEVELS.length && checks.totalsMatchLeaves && checks.totalsOnlySame
    && storeNodes === NODES && buildable !== null && buildable > 0;
  const report = {
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), loadAverage: { start: loadAtStart, end: loadavg()[0]! } },
    options: { quick, ...TIMING, qty: QTY, levels: LEVELS },
    checks: { ...checks, storeNodes, maxBuildable: buildable === null ? null : buildable / 1e6 },
    rows,
    targets,
    ok,
    seconds: (Date.now() - started) / 1000,
  };
  if (emitReport(args, report)) {
    console.log(`ims explosion benchmark: node ${report.machine.node}, ${report.machine.cpu}, ${report.machine.cores} cores; `
      + `load average ${loadAtStart.toFixed(2)} at start${quick ? ' (--quick)' : ''}`);
    console.log(`BOM: ${LEVELS.length} levels, ${NODES} nodes (${LEVELS.join(' + ')}), ${checks.items} items, ${checks.boms} active BOMs; `
      + `${checks.leaves} flattened items (${checks.roundedUp} rounded up); qty ${QTY}`);
    console.log('');
    console.log(`${'task'.padEnd(10)}  ${'mean'.padStart(9)}  ${'p99'.padStart(9)}  ${'samples'.padStart(7)}`);
    for (const r of rows) console.log(`${r.task.padEnd(10)}  ${r.meanMs.toFixed(3).padStart(6)} ms  ${r.p99Ms.toFixed(3).padStart(6)} ms  ${String(r.samples).padStart(7)}`);
    console.log('');
    console.log('targets:');
    for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value.toFixed(3)} ms (limit ${t.limit} ms)`);
    console.log(`\n${ok ? 'all checks passed' : `CHECKS FAILED: ${JSON.stringify(report.checks)}`} in ${report.seconds.toFixed(1)} s`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(e); process.exitCode = 1; },
);
