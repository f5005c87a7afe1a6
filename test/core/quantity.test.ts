// Exact quantities: micro-unit fixed point, parsed from and printed to JSON numbers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  add, fitsDecimals, fromMicro, isExactQuantity, isWhole, isWithinLimit, MAX_UNITS, multiply, neg, SCALE, toMicro, ZERO,
  type Micro,
} from '../../core/quantity.js';

const m = (n: number): Micro => {
  const v = toMicro(n);
  if (v === null) throw new Error(`test setup: ${n} is not an exact quantity`);
  return v;
};

test('toMicro maps exact decimals to integers of micro-units', () => {
  const rows: Array<[number, number]> = [
    [0.1, 100_000],
    [0.000001, 1],
    [1e9, 1e15],
    [-5, -5_000_000],
    [0, 0],
    [1.5, 1_500_000],
    [123.456789, 123_456_789],
    [-0.000001, -1],
    [-1e9, -1e15],
  ];
  for (const [value, micro] of rows) {
    const got = toMicro(value);
    assert.is(got, micro, `toMicro(${value})`);
    assert.ok(Number.isSafeInteger(got), `toMicro(${value}) is a safe integer`);
  }
});

test('fromMicro gives back the very same JSON number', () => {
  for (const value of [0.1, 0.000001, 1e9, -5, 0, 2.5, 999_999_999.999999, 0.3, 1.000001]) {
    assert.is(fromMicro(m(value)), value, `round trip of ${value}`);
  }
  assert.is(fromMicro(100_000), 0.1);
  assert.is(fromMicro(1), 0.000001);
  assert.is(fromMicro(3_000_000), 3);
});

test('toMicro refuses 7 decimals, NaN, Infinity and quantities over the limit', () => {
  const refused = [
    0.0000001, 1.1234567, -0.0000005, 0.1234565, 1e-7,
    Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
    MAX_UNITS + 1, -(MAX_UNITS + 1), 1e9 + 0.000001, 1e12, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE,
  ];
  for (const value of refused) assert.is(toMicro(value), null, `toMicro(${value})`);
  assert.is(toMicro(MAX_UNITS), MAX_UNITS * SCALE, 'the limit itself is allowed');
  assert.is(toMicro(-MAX_UNITS), -MAX_UNITS * SCALE, 'the negative limit itself is allowed');
});

test('isExactQuantity accepts only exact numbers within the limit', () => {
  assert.ok(isExactQuantity(0.1));
  assert.ok(isExactQuantity(-5));
  assert.not.ok(isExactQuantity(0.0000001));
  assert.not.ok(isExactQuantity(Number.NaN));
  assert.not.ok(isExactQuantity('1'));
  assert.not.ok(isExactQuantity(null));
  assert.not.ok(isExactQuantity(2e9));
});

test('0.1 added 30 times in micro-units is exactly 3 (binary floats are not)', () => {
  let floats = 0;
  for (let i = 0; i < 30; i++) floats += 0.1;
  assert.is.not(floats, 3, 'the float sum drifts: the test below would be vacuous otherwise');
  let sum = ZERO;
  for (let i = 0; i < 30; i++) sum = add(sum, m(0.1));
  assert.is(sum, 3_000_000);
  assert.is(fromMicro(sum), 3);
});

test('add throws on overflow instead of losing precision', () => {
  assert.throws(() => add(Number.MAX_SAFE_INTEGER as Micro, 1 as Micro));
});

test('neg never produces -0', () => {
  assert.ok(Object.is(neg(ZERO), 0));
  assert.is(neg(m(2.5)), -2_500_000);
  assert.is(neg(m(-1)), 1_000_000);
});

test('multiply is exact', () => {
  const rows: Array<[number, number, number]> = [
    [2, 12, 24],
    [-2, 12, -24],
    [0.5, 12, 6],
    [0.1, 3, 0.3],
    [0.333333, 3, 0.999999],
    [1.5, 0.000002, 0.000003],
    [1000, 1000, 1_000_000],
    [0.000001, 1, 0.000001],
    [123.456, 0.001, 0.123456],
  ];
  for (const [qty, factor, product] of rows) {
    const got = multiply(m(qty), m(factor));
    assert.is(got, m(product), `${qty} × ${factor}`);
    assert.is(fromMicro(got!), product, `${qty} × ${factor} prints exactly`);
  }
});

test('multiply refuses a product that does not fit six decimals or the limit', () => {
  const rows: Array<[number, number]> = [
    [0.000001, 0.5],
    [0.000003, 0.333333],
    [1.234567, 0.1],
    [-0.000001, 0.5],
    [1e9, 2],
    [1e6, 1001],
  ];
  for (const [qty, factor] of rows) assert.is(multiply(m(qty), m(factor)), null, `${qty} × ${factor}`);
});

test('fitsDecimals bounds the precision of a quantity', () => {
  const rows: Array<[number, number, boolean]> = [
    [3, 0, true],
    [1.5, 0, false],
    [-1.5, 0, false],
    [-2, 0, true],
    [1.5, 1, true],
    [1.25, 1, false],
    [1.25, 2, true],
    [1.234, 3, true],
    [1.2345, 3, false],
    [0.000001, 5, false],
    [0.000001, 6, true],
    [123.456789, 6, true],
  ];
  for (const [qty, decimals, fits] of rows) assert.is(fitsDecimals(m(qty), decimals), fits, `${qty} in ${decimals} decimals`);
});

test('isWhole and isWithinLimit', () => {
  assert.ok(isWhole(m(3)));
  assert.ok(isWhole(m(-3)));
  assert.not.ok(isWhole(m(2.5)));
  assert.not.ok(isWhole(m(0.000001)));
  assert.ok(isWithinLimit(m(1e9)));
  assert.ok(isWithinLimit(m(-1e9)));
  assert.not.ok(isWithinLimit((1e15 + 1) as Micro));
});

test.run();
