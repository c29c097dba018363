// Spark's size strings ("512m", "1g", "384") as MiB, the way Spark's JavaUtils.byteStringAs does it.

const UNITS: Readonly<Record<string, number>> = {
  b: 1 / (1024 * 1024),
  k: 1 / 1024,
  kb: 1 / 1024,
  m: 1,
  mb: 1,
  g: 1024,
  gb: 1024,
  t: 1024 * 1024,
  tb: 1024 * 1024,
  p: 1024 * 1024 * 1024,
  pb: 1024 * 1024 * 1024,
};

/** MiB of a Spark size string; a bare number is MiB (the default unit of spark.driver.memory and friends). */
export function sizeToMiB(value: string, field: string): number {
  const match = /^\s*([0-9]+)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : UNITS[unit];
  if (!match || factor === undefined) {
    throw new SparkConfError(field, `"${value}" is not a size such as 512m, 2g or 1024 (MiB)`);
  }
  return Math.floor(Number(match[1]) * factor);
}

/** A Spark double ("0.1", "1"). */
export function parseFactor(value: string, field: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new SparkConfError(field, `"${value}" is not a positive number`);
  }
  return n;
}

/** A bad value in the application or its Spark configuration; names the field. */
export class SparkConfError extends Error {
  override readonly name = 'SparkConfError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}
