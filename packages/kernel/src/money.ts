/**
 * Money is an integer count of the currency's minor unit (cents, pence; yen have none).
 * Arithmetic never touches floats; JSON shows a decimal in major units beside `currency`.
 */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** ISO 4217 exponents that are not 2. Everything else has two decimals. */
const minorUnitExceptions: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

const knownCurrencies = new Set<string>(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && knownCurrencies.has(code);
}

export function minorUnits(currency: string): number {
  return minorUnitExceptions[currency] ?? 2;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount))
    throw new RangeError(`money amount must be an integer of minor units, got ${amount}`);
  return { amount, currency };
}

/**
 * Parses a decimal in major units (as JSON carries it) into minor units.
 * Refuses more decimals than the currency has rather than silently rounding a price.
 */
export function fromMajor(value: number | string, currency: string): Money {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const exponent = minorUnits(currency);
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > exponent) {
    throw new RangeError(`${currency} has ${exponent} decimal places, got ${text}`);
  }
  const minor = Number(whole) * 10 ** exponent + Number(trimmed.padEnd(exponent, '0') || '0');
  return money(sign ? -minor : minor, currency);
}

/** The decimal number JSON shows for an amount, rounded to the currency's minor unit. */
export function toMajor(m: Money): number {
  return m.amount / 10 ** minorUnits(m.currency);
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

export function sum(items: readonly Money[], currency: string): Money {
  return items.reduce((total, item) => add(total, item), money(0, currency));
}

/**
 * Multiplies by a rational factor (numerator / denominator, both integers) and rounds half away
 * from zero: the one rounding rule of the platform. Integer maths in bigint, so no precision loss.
 */
export function multiply(m: Money, numerator: number, denominator = 1): Money {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new RangeError('multiply takes integer numerator and non-zero integer denominator');
  }
  const product = BigInt(m.amount) * BigInt(numerator);
  const d = BigInt(denominator);
  const negative = product < 0n !== d < 0n;
  const absProduct = product < 0n ? -product : product;
  const absD = d < 0n ? -d : d;
  const rounded = (absProduct * 2n + absD) / (absD * 2n);
  return money(Number(negative ? -rounded : rounded), m.currency);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`cannot mix ${a.currency} and ${b.currency}`);
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  // toString gives exponent notation for very small/large numbers; toFixed(10) then trimming avoids it.
  const text = Math.abs(value) < 1e-6 || Math.abs(value) >= 1e21 ? value.toFixed(10) : String(value);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * Splits an amount into parts proportional to non-negative integer weights, by largest remainder:
 * the parts always add up to the amount exactly, so no minor unit is lost or invented.
 * Ties go to the earlier part. All-zero weights split evenly.
 */
export function allocate(m: Money, weights: readonly number[]): Money[] {
  if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0))
    throw new RangeError('allocate takes non-negative integer weights');
  const shares = weights.every((w) => w === 0) ? weights.map(() => 1) : weights;
  const total = shares.reduce((a, b) => a + BigInt(b), 0n);
  const amount = BigInt(Math.abs(m.amount));
  const parts = shares.map((w) => (amount * BigInt(w)) / total);
  let left = amount - parts.reduce((a, b) => a + b, 0n);
  const byRemainder = shares
    .map((w, index) => ({ index, remainder: (amount * BigInt(w)) % total }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (left === 0n) break;
    parts[index]! += 1n;
    left -= 1n;
  }
  return parts.map((part) => money(m.amount < 0 && part > 0n ? -Number(part) : Number(part), m.currency));
}
