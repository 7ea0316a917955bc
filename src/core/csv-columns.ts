import { decimalValue, isBoolean, isDate, isNullWord } from './csv-values.js';
import { DistinctCounter, hash53, type DistinctState } from './distinct.js';
import type { ColumnProfile, ColumnType } from './report.js';

/** What a `ColumnAccumulator` has seen, as it crosses threads (`state()`, `merge`). */
export interface ColumnState {
  nulls: number;
  present: number;
  maybeInteger: boolean;
  maybeNumber: boolean;
  maybeBoolean: boolean;
  maybeDate: boolean;
  min: number;
  max: number;
  sum: number;
  compensation: number;
  distinct: DistinctState;
}

/**
 * One column of a CSV profile, value by value: nulls, the narrowest type every value fits,
 * distinct values, and min, max and mean of numbers.
 */
export class ColumnAccumulator {
  private nulls = 0;
  private present = 0;
  private maybeInteger = true;
  private maybeNumber = true;
  private maybeBoolean = true;
  private maybeDate = true;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  // Neumaier-compensated sum, so the mean does not drift on long columns.
  private sum = 0;
  private compensation = 0;
  private readonly distinct: DistinctCounter;
  /** What `decimalValue` saw besides the value: whether it had a fraction or an exponent. */
  private readonly read = { fraction: false };

  constructor(distinctCap: number, sketchBits: number, table: Float64Array) {
    this.distinct = new DistinctCounter(distinctCap, sketchBits, table);
  }

  add(raw: string): void {
    let value = raw;
    const n = value.length;
    // Trim only when needed: most values have no surrounding whitespace.
    if (n !== 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(n - 1) <= 32)) value = value.trim();
    if (value.length === 0 || isNullWord(value)) {
      this.nulls++;
      return;
    }
    this.present++;
    this.distinct.addHash(hash53(value));
    if (this.maybeNumber) {
      const number = decimalValue(value, this.read);
      if (Number.isFinite(number)) {
        if (this.read.fraction) this.maybeInteger = false;
        this.addNumber(number);
      } else {
        this.maybeNumber = this.maybeInteger = false;
      }
    }
    if (this.maybeBoolean && !isBoolean(value)) this.maybeBoolean = false;
    if (this.maybeDate && !isDate(value)) this.maybeDate = false;
  }

  private addNumber(x: number): void {
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.addToSum(x);
  }

  private addToSum(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  state(): ColumnState {
    return {
      nulls: this.nulls,
      present: this.present,
      maybeInteger: this.maybeInteger,
      maybeNumber: this.maybeNumber,
      maybeBoolean: this.maybeBoolean,
      maybeDate: this.maybeDate,
      min: this.min,
      max: this.max,
      sum: this.sum,
      compensation: this.compensation,
      distinct: this.distinct.state(),
    };
  }

  /** Take in the values another accumulator of the same column saw (other rows of the table). */
  merge(other: ColumnState): void {
    this.nulls += other.nulls;
    this.present += other.present;
    this.maybeInteger &&= other.maybeInteger;
    this.maybeNumber &&= other.maybeNumber;
    this.maybeBoolean &&= other.maybeBoolean;
    this.maybeDate &&= other.maybeDate;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    // The other's sum goes in as two terms, each compensated: the mean comes out as a single
    // accumulator's would (both are within an ulp of the exact sum before the last rounding).
    this.addToSum(other.sum);
    this.addToSum(other.compensation);
    this.distinct.merge(other.distinct);
  }

  private type(): ColumnType {
    if (this.present === 0) return 'empty';
    if (this.maybeInteger) return 'integer';
    if (this.maybeNumber) return 'number';
    if (this.maybeBoolean) return 'boolean';
    if (this.maybeDate) return 'date';
    return 'string';
  }

  profile(name: string): ColumnProfile {
    const type = this.type();
    const { distinct, exact } = this.distinct.result();
    const profile: ColumnProfile = { name, type, nullCount: this.nulls, distinct, distinctExact: exact };
    if (type === 'integer' || type === 'number') {
      profile.min = this.min;
      profile.max = this.max;
      profile.mean = (this.sum + this.compensation) / this.present;
    }
    return profile;
  }
}
