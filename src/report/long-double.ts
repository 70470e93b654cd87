// long-double.ts: the x87 80-bit long double (64-bit significand) that wrk2's format_units and
// summary lines divide and print in, done exactly with BigInt. Doubles round differently at
// decimal ties: 10305 / 1000 is just above 10.305 as a long double (wrk2 prints "10.31k") and just
// below as a double ("10.30k"). Only what the formats need: non-negative finite values, division,
// comparison, printf("%.*Lf").

/** A non-negative value mant × 2^exp. */
export interface LongDouble {
  mant: bigint;
  exp: number;
}

const SIGNIFICAND_BITS = 64;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** The exact value of a double (as C converts a double or an integer to long double). */
export function fromNumber(x: number): LongDouble {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`long double: expected a finite value >= 0, got ${x}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = (view.getUint16(0) >> 4) & 0x7ff;
  const fraction = (BigInt(view.getUint32(0) & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  // Subnormals have no implicit leading bit and the smallest exponent.
  return biased === 0 ? { mant: fraction, exp: -1074 } : { mant: fraction | (1n << 52n), exp: biased - 1075 };
}

export function toNumber(x: LongDouble): number {
  return Number(x.mant) * 2 ** x.exp;
}

/**
 * mant × 2^exp rounded to 64 significant bits, ties to even (the x87 default); `inexact` says the
 * true value lies a little above mant × 2^exp (a remainder was cut off below its last bit).
 */
function round(mant: bigint, exp: number, inexact: boolean): LongDouble {
  const drop = bitLength(mant) - SIGNIFICAND_BITS;
  if (drop <= 0) return { mant, exp }; // callers pass at least 66 bits when inexact
  let kept = mant >> BigInt(drop);
  const rest = mant & ((1n << BigInt(drop)) - 1n);
  const half = 1n << BigInt(drop - 1);
  if (rest > half || (rest === half && (inexact || (kept & 1n) === 1n))) kept += 1n;
  return { mant: kept, exp: exp + drop };
}

const asLongDouble = (y: LongDouble | number) => (typeof y === 'number' ? fromNumber(y) : y);

/** x / y, rounded as the x87 rounds. */
export function divide(x: LongDouble, y: LongDouble | number): LongDouble {
  const d = asLongDouble(y);
  if (d.mant === 0n) throw new RangeError('long double: division by zero');
  if (x.mant === 0n) return { mant: 0n, exp: 0 };
  // Scale the dividend so the quotient has at least two bits beyond the significand.
  const shift = Math.max(0, SIGNIFICAND_BITS + 2 + bitLength(d.mant) - bitLength(x.mant));
  const dividend = x.mant << BigInt(shift);
  return round(dividend / d.mant, x.exp - d.exp - shift, dividend % d.mant !== 0n);
}

/** x × y, rounded as the x87 rounds (the product is exact before rounding). */
export function multiply(x: LongDouble, y: LongDouble | number): LongDouble {
  const m = asLongDouble(y);
  return round(x.mant * m.mant, x.exp + m.exp, false);
}

/** x >= y, exactly. */
export function atLeast(x: LongDouble, y: number): boolean {
  const other = fromNumber(y);
  const exp = Math.min(x.exp, other.exp);
  return x.mant << BigInt(x.exp - exp) >= other.mant << BigInt(other.exp - exp);
}

/** printf("%.*Lf", digits, x): the exact value rounded to `digits` places, ties to even. */
export function toFixed(x: LongDouble, digits: number): string {
  let units: bigint;
  const scaled = x.mant * 10n ** BigInt(digits);
  if (x.exp >= 0) {
    units = scaled << BigInt(x.exp);
  } else {
    const k = BigInt(-x.exp);
    units = scaled >> k;
    const rest = scaled - (units << k);
    const half = 1n << (k - 1n);
    if (rest > half || (rest === half && (units & 1n) === 1n)) units += 1n;
  }
  const text = units.toString().padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
