// What valuation costs on the posting path, measured in the posting benchmark's run.
//
// Both variants post the same single-line adjustments of one moving-average item at one bin,
// in pairs (+1, then −1), through the same `post` inside `runCommand`, one posting per write
// unit, on the same store. Each posting changes the item's valuation, so "valued" (the
// product as it is) reads the valuation and writes it back every time. "unvalued" hands
// `post` a writer whose ledger makes the valuations up instead of reading them (the
// bench world's stock has cost 0, so they are worth 0) and drops the valuation effects
// before appendPosting: the same path with valuation's storage work skipped. The decision's
// valuation arithmetic still runs in both, and lines still carry their unitCost and
// valueDelta columns: a small understatement, stated here. Each pair leaves every
// valuation as it was, so skipping the writes leaves the store exact and `verify` clean.
// The variants take turns to go first for several rounds; the overhead is the median of
// the rounds' 1 − valued/unvalued.
import { Bench } from 'tinybench';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import type { Ims } from '../core/ims.js';
import type { PostingRequest } from '../core/posting.js';
import { post } from '../core/posting.js';
import type { Money } from '../core/money.js';
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
  /** Each round's postings/s, valued and unvalued, to show the spread. */
  perRound: Array<{ valued: number; unvalued: number }>;
  /**
   * CPU time this process spent per posting (user + system, µs), median over rounds: unlike
   * wall time it does not count waiting for a core other programs hold, so it shows the work
   * valuation adds even on a busy machine (it leaves out fsync waits, which valuation does
   * not add to: its writes share the posting's one commit).
   */
  cpuMicrosPerPosting: { valued: number; unvalued: number; overheadPct: number };
}

const ONE = SCALE as Micro;

/** Posting k: +1 when k is even, −1 when odd, of the same item and bin as its pair. */
function pairRequest(w: World, k: number): PostingRequest {
  const { item, a } = keysOf(Math.floor(k / 2), w.itemIds.length, w.binIds.length);
  return {
    type: 'adjustment',
    reason: 'bench',
    lines: [{ itemId: w.itemIds[item]!, locationId: w.binIds[a]!, statusId: AVAILABLE, qty: (k % 2 === 0 ? ONE : -ONE) as Micro, at: '' }],
  };
}

/** Stock enough for any posting, worth 0 like all of the bench world's stock. */
const MADE_UP = 1_000_000_000 * SCALE as Micro;

/**
 * The same writer, its ledger reading no valuations and writing none. Made once per writer
 * (SQLite hands every unit the same one), so the wrapping itself costs nothing per posting.
 */
const unvaluedWriters = new WeakMap<Writer, Writer>();
function withoutValuation(tx: Writer): Writer {
  let wrapped = unvaluedWriters.get(tx);
  if (!wrapped) {
    const ledger: LedgerWriter = Object.create(tx.ledger);
    ledger.getValuations = async (pairs) => pairs.map((p) => ({ ...p, qty: MADE_UP, value: 0 as Money, unitCost: 0 as Money, costMethod: 'moving_average' as const }));
    ledger.appendPosting = (e) => tx.ledger.appendPosting({ ...e, valuations: [], newLayers: [], changedLayers: [] });
    wrapped = Object.assign(Object.create(tx), { ledger }) as Writer;
    unvaluedWriters.set(tx, wrapped);
  }
  return wrapped;
}

export async function measureValuation(
  ims: Ims, world: World, timing: { time: number; iterations: number; warmupTime: number; warmupIterations: number }, rounds: number,
): Promise<ValuationCost & { posted: number }> {
  let k = 0;
  let posted = 0;
  // One iteration is one pair, so a variant never leaves the other a valuation it skipped.
  const once = (strip: boolean) => async () => {
    for (let i = 0; i < 2; i++) {
      const request = pairRequest(world, k++);
      const r = await runCommand(ims.store, (tx) => post(strip ? withoutValuation(tx) : tx, request, nowIso()));
      if (!r.ok) throw new Error(`posting refused: ${r.code}: ${r.message}`);
      posted++;
    }
  };
  const rate = async (name: string, fn: () => Promise<void>) => {
    const bench = new Bench({ name, throws: true, ...timing });
    bench.add(name, fn, { async: true });
    await bench.run();
    const r = bench.tasks[0]!.result;
    if (r.state !== 'completed') throw new Error(`${name}: ${r.state}`);
    return 2000 / r.latency.mean;
  };
  const valued: number[] = [];
  const unvalued: number[] = [];
  // Each round runs both, in alternating order, so neither always follows the other.
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      unvalued.push(await rate('unvalued', once(true)));
      valued.push(await rate('valued', once(false)));
    } else {
      valued.push(await rate('valued', once(false)));
      unvalued.push(await rate('unvalued', once(true)));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // CPU time per posting over a fixed number of pairs, the variants again taking turns.
  const cpuOf = async (fn: () => Promise<void>, pairs: number) => {
    const start = process.cpuUsage();
    for (let i = 0; i < pairs; i++) await fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / (2 * pairs);
  };
  const cpuValued: number[] = [];
  const cpuUnvalued: number[] = [];
  const pairs = Math.max(20, Math.round(timing.iterations * 8));
  for (let i = 0; i < Math.max(rounds, 3) * 2; i++) {
    if (i % 2 === 0) {
      cpuUnvalued.push(await cpuOf(once(true), pairs));
      cpuValued.push(await cpuOf(once(false), pairs));
    } else {
      cpuValued.push(await cpuOf(once(false), pairs));
      cpuUnvalued.push(await cpuOf(once(true), pairs));
    }
  }
  return {
    rounds,
    valuedOpsPerSec: median(valued),
    unvaluedOpsPerSec: median(unvalued),
    overheadPct: median(valued.map((v, i) => (1 - v / unvalued[i]!) * 100)),
    perRound: valued.map((v, i) => ({ valued: Math.round(v), unvalued: Math.round(unvalued[i]!) })),
    cpuMicrosPerPosting: {
      valued: median(cpuValued),
      unvalued: median(cpuUnvalued),
      overheadPct: median(cpuValued.map((v, i) => (v / cpuUnvalued[i]! - 1) * 100)),
    },
    posted,
  };
}
