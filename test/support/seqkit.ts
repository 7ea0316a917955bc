import { execFileSync } from 'node:child_process';

/** `seqkit stats -a -T FILE` as column → value. */
export function seqkitStats(file: string): Record<string, string> {
  const [header, row] = execFileSync('seqkit', ['stats', '-a', '-T', file], { encoding: 'utf8' })
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'));
  if (header === undefined || row === undefined) throw new Error('seqkit printed no statistics');
  return Object.fromEntries(header.map((column, i) => [column, row[i] as string]));
}

/** seqkit's version, or undefined when it is not installed. */
export function seqkitVersion(): string | undefined {
  try {
    return execFileSync('seqkit', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
