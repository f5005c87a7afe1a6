// What valuation costs on the posting path, measured in the posting benchmark's run.
//
// Both variants post the same 2-line move (−1 at one bin, +1 at the next, one moving-average
// item) through the same `post` inside `runCommand`, one posting per write unit, on the same
// store. "valued" is the product as it is. "unvalued" hands `post` a writer whose ledger
// answers getValuations with nothing and drops the valuation effects before appendPosting:
// the same path with valuation's storage work (reading the item's valuation, writing it back)
// skipped. The decision's valuation arithmetic (microseconds) still runs in both, and lines
// still carry unitCost and valueDelta columns (0): a small understatement, stated here.
// A move leaves every valuation as it was, so skipping it leaves the store exact and
// `verify` clean. The variants alternate for several rounds; the overhead is the median of
// the rounds' 1 − valued/unvalued.
import { Bench } from 'tinybench';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import type { Ims } from '../core/ims.js';
import type { PostingRequest } from '../core/posting.js';
import { post } from '../core/posting.js';
import type { LedgerWriter, Writer } from '../core/ports.js';
import { SCALE, type Micro } from '../core/quantity.js';
import { AVAILABLE } from '../core/status.js';
import { keysOf, type World } from './world.js';

export interface ValuationCost {
  rounds: number;
  valuedOpsPerSec: number;
  unvaluedOpsPerSec: number;
  /** Median over rounds of (1 − valued / unvalued) × 100: how much slower posting is with valuation. */
  overheadPct: number;
}

const ONE = SCALE as Micro;

function moveRequest(w: World, k: number): PostingRequest {
  const { item, a, b } = keysOf(k, w.itemIds.length, w.binIds.length);
  const itemId = w.itemIds[item]!;
  return {
    type: 'move',
    reason: 'bench',
    lines: [
      { itemId, locationId: w.binIds[a]!, statusId: AVAILABLE, qty: -ONE as Micro, at: '/lines/0' },
      { itemId, locationId: w.binIds[b]!, statusId: AVAILABLE, qty: ONE, at: '/lines/1' },
    ],
  };
}

/** The same writer, its ledger reading no valuations and writing none. */
function withoutValuation(tx: Writer): Writer {
  const ledger: LedgerWriter = Object.create(tx.ledger);
  ledger.getValuations = async () => [];
  ledger.appendPosting = (e) => tx.ledger.appendPosting({ ...e, valuations: [], newLayers: [], changedLayers: [] });
  return Object.assign(Object.create(tx), { ledger }) as Writer;
}

export async function measureValuation(
  ims: Ims, world: World, timing: { time: number; iterations: number; warmupTime: number; warmupIterations: number }, rounds: number,
): Promise<ValuationCost & { posted: number }> {
  let k = 0;
  let posted = 0;
  const once = (strip: boolean) => async () => {
    const request = moveRequest(world, k++);
    const r = await runCommand(ims.store, (tx) => post(strip ? withoutValuation(tx) : tx, request, nowIso()));
    if (!r.ok) throw new Error(`posting refused: ${r.code}: ${r.message}`);
    posted++;
  };
  const rate = async (name: string, fn: () => Promise<void>) => {
    const bench = new Bench({ name, throws: true, ...timing });
    bench.add(name, fn, { async: true });
    await bench.run();
    const r = bench.tasks[0]!.result;
    if (r.state !== 'completed') throw new Error(`${name}: ${r.state}`);
    return 1000 / r.latency.mean;
  };
  const valued: number[] = [];
  const unvalued: number[] = [];
  for (let i = 0; i < rounds; i++) {
    unvalued.push(await rate('unvalued', once(true)));
    valued.push(await rate('valued', once(false)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    rounds,
    valuedOpsPerSec: median(valued),
    unvaluedOpsPerSec: median(unvalued),
    overheadPct: median(valued.map((v, i) => (1 - v / unvalued[i]!) * 100)),
    posted,
  };
}
