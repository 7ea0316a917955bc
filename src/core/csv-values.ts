/**
 * What a CSV value is: null, a decimal number, a boolean or a date (ISO 8601). The tests run on
 * every value of every column, so each is a scan that rules out most values by their first
 * characters before it does anything costly.
 */

const NULL_WORDS = new Set(['na', 'n/a', 'nan', 'null', 'none']);
/** What may follow an ISO 8601 date: `T` or space, hh:mm, optional :ss and fraction, optional offset. */
const TIME = /^[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Every null word starts with `n` or `N`, so most values are ruled out by their first character. */
export function isNullWord(value: string): boolean {
  return value.length <= 4 && (value.charCodeAt(0) | 32) === 110 && NULL_WORDS.has(value.toLowerCase());
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Exact powers of ten, for the fast path of `decimalValue`. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The value of a decimal in plain or exponent notation, `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`,
 * or NaN if `value` is not one. Read while checking it: up to 15 digits without an exponent,
 * the digits as an integer divided by an exact power of ten, which rounds exactly as
 * `Number(value)` does; anything longer goes to `Number`.
 *
 * A whole part with a leading zero (`00501`, `007`, `01.5`) makes it an identifier that only looks
 * numeric, such as a ZIP code, not a number: NaN, as DuckDB's and pandas' readers keep such
 * columns as text.
 */
export function decimalValue(value: string, read: { fraction: boolean }): number {
  const n = value.length;
  let i = 0;
  let c = value.charCodeAt(0);
  const negative = c === 45;
  if (c === 43 || c === 45) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  const wholeStart = i;
  for (; i < n; i++) {
    c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    mantissa = mantissa * 10 + c;
    digits++;
  }
  if (digits > 1 && value.charCodeAt(wholeStart) === 48) return Number.NaN;
  read.fraction = false;
  if (i < n && value.charCodeAt(i) === 46) {
    read.fraction = true;
    for (i++; i < n; i++) {
      c = value.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      mantissa = mantissa * 10 + c;
      digits++;
      scale++;
    }
  }
  if (digits === 0) return Number.NaN;
  if (i < n) {
    if ((value.charCodeAt(i) | 32) !== 101) return Number.NaN; // e or E
    read.fraction = true;
    c = value.charCodeAt(++i);
    if (c === 43 || c === 45) i++;
    const start = i;
    while (i < n && isDigit(value.charCodeAt(i))) i++;
    return i === start || i !== n ? Number.NaN : Number(value);
  }
  if (digits > 15) return Number(value);
  const x = scale === 0 ? mantissa : mantissa / (POWERS_OF_TEN[scale] as number);
  return negative ? -x : x;
}

/** `true` or `false`, any case. */
export function isBoolean(value: string): boolean {
  const n = value.length;
  if (n === 4) {
    return (
      (value.charCodeAt(0) | 32) === 116 && // t
      (value.charCodeAt(1) | 32) === 114 && // r
      (value.charCodeAt(2) | 32) === 117 && // u
      (value.charCodeAt(3) | 32) === 101 // e
    );
  }
  return (
    n === 5 &&
    (value.charCodeAt(0) | 32) === 102 && // f
    (value.charCodeAt(1) | 32) === 97 && // a
    (value.charCodeAt(2) | 32) === 108 && // l
    (value.charCodeAt(3) | 32) === 115 && // s
    (value.charCodeAt(4) | 32) === 101 // e
  );
}

export function isDate(value: string): boolean {
  // Cheap shape check first: most non-dates fail on length or the '-' positions.
  const n = value.length;
  if (n < 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (n === 10) return true;
  const time = TIME.exec(value.slice(10));
  return time !== null && Number(time[1]) <= 23 && Number(time[2]) <= 59 && Number(time[3] ?? 0) <= 60;
}

/** The decimal number in value[start, start + count), or -1 if those are not all digits. */
function digits(value: string, start: number, count: number): number {
  let result = 0;
  for (let i = start; i < start + count; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    result = result * 10 + d;
  }
  return result;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
