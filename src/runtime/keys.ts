import { createHash } from 'node:crypto';
import path from 'node:path';
import { INCOMING_PREFIX, RESULTS_PREFIX, SHARED_RESULTS_DIR } from '../../contract/names.js';

/**
 * Object keys arrive in S3 event notifications URL-encoded, with spaces as `+`. Decode once, at
 * the edge, and use the real key everywhere else.
 */
export function decodeEventKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

export function isIncomingKey(key: string): boolean {
  return key.startsWith(INCOMING_PREFIX) && key.length > INCOMING_PREFIX.length && !key.endsWith('/');
}

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** `incoming/a/b.fastq.gz` → `results/a/b.fastq.gz.json`. */
export function resultKeyFor(incomingKey: string): string {
  if (!isIncomingKey(incomingKey)) throw new Error(`not an incoming key: ${incomingKey}`);
  return `${RESULTS_PREFIX}${incomingKey.slice(INCOMING_PREFIX.length)}.json`;
}

/**
 * Where a job's report is written on the shared file system. Keys are attacker-controlled, so each
 * segment is escaped: `%`, `~`, `\\` and NUL are percent-encoded, an empty segment becomes `%`, a
 * dots-only segment has its dots encoded, and a name too long for the file system is shortened
 * to a prefix and a hash. The mapping is one-to-one and cannot leave `<mount>/results/`.
 */
export function sharedResultPath(mountPath: string, incomingKey: string): string {
  const relative = resultKeyFor(incomingKey).slice(RESULTS_PREFIX.length);
  const root = path.join(mountPath, SHARED_RESULTS_DIR);
  const full = path.join(root, ...relative.split('/').map(safeSegment));
  if (!full.startsWith(root + path.sep))
    throw new Error(`refusing a shared path outside ${root}: ${incomingKey}`);
  return full;
}

/** File names longer than this (in UTF-8 bytes) are shortened: EFS, like most file systems, allows 255. */
const MAX_NAME_BYTES = 200;

function safeSegment(segment: string): string {
  const escaped = segment.replace(
    /[%~\\\0]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`,
  );
  if (escaped === '') return '%';
  if (/^\.+$/.test(escaped)) return escaped.replace(/\./g, '%2E');
  if (Buffer.byteLength(escaped) <= MAX_NAME_BYTES) return escaped;
  // Too long for a file name: a readable prefix and a hash of the whole (`~` is escaped above,
  // so a shortened name cannot equal an escaped one).
  const prefix = Buffer.from(escaped)
    .subarray(0, MAX_NAME_BYTES - 40)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return `${prefix}~${createHash('sha256').update(segment).digest('hex').slice(0, 32)}`;
}
