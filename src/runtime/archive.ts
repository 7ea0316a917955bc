/**
 * Whether S3 can serve an input's bytes now, from what HeadObject says of its storage class, and
 * the failure a job gets when it cannot. Plain logic: the S3 adapter passes the header values in.
 */
import { InputError } from '../core/api.js';

/** The error code of a job whose input sits in an archive class and must be restored first. */
export const INPUT_ARCHIVED = 'INPUT_ARCHIVED';

/** What HeadObject reports of an object version's storage (`StorageClass`, `ArchiveStatus`, `Restore`). */
export interface StorageFacts {
  /** Absent for STANDARD. */
  storageClass?: string;
  /** Intelligent-Tiering only: `ARCHIVE_ACCESS` or `DEEP_ARCHIVE_ACCESS` once moved to an archive tier. */
  archiveStatus?: string;
  /** The `x-amz-restore` header: `ongoing-request="true"`, or `"false"` with the copy's expiry date. */
  restore?: string;
}

/**
 * `readable`: served as it is. `restored`: archived, with a readable restored copy. `restoring`:
 * a restore is under way. `archived`: GetObject answers InvalidObjectState until it is restored.
 */
export type ArchiveState = 'readable' | 'restored' | 'restoring' | 'archived';

/** The classes GetObject refuses until a restore (Glacier Instant Retrieval is read directly). */
const RESTORE_CLASSES = ['GLACIER', 'DEEP_ARCHIVE'];
/** Intelligent-Tiering's opt-in archive tiers, which need a restore too. */
const RESTORE_TIERS = ['ARCHIVE_ACCESS', 'DEEP_ARCHIVE_ACCESS'];

export function archiveState(facts: StorageFacts): ArchiveState {
  const ongoing = /ongoing-request="(true|false)"/.exec(facts.restore ?? '')?.[1];
  if (ongoing === 'false') return 'restored';
  if (ongoing === 'true') return 'restoring';
  const archived =
    RESTORE_CLASSES.includes(facts.storageClass ?? '') ||
    (facts.storageClass === 'INTELLIGENT_TIERING' && RESTORE_TIERS.includes(facts.archiveStatus ?? ''));
  return archived ? 'archived' : 'readable';
}

export function isReadable(state: ArchiveState): boolean {
  return state === 'readable' || state === 'restored';
}

/** When a restored copy goes away again (the `expiry-date` of the Restore header), if it says. */
export function restoredUntil(restore: string | undefined): string | undefined {
  return /expiry-date="([^"]+)"/.exec(restore ?? '')?.[1];
}

/** Where the object sits, in words: its class, or its Intelligent-Tiering archive tier. */
export function describeStorage(facts: StorageFacts): string {
  if (facts.storageClass === 'INTELLIGENT_TIERING' && facts.archiveStatus) {
    return `the ${facts.archiveStatus} tier of INTELLIGENT_TIERING`;
  }
  return facts.storageClass ?? 'STANDARD';
}

/** The console command that restores one object version, quoted for a POSIX shell. */
export function restoreCommand(key: string, versionId: string | null): string {
  const quoted = /^[\w./+=@%-]+$/.test(key) ? key : `'${key.replace(/'/g, `'\\''`)}'`;
  return `pipeline restore ${quoted}${versionId ? ` --version-id ${versionId}` : ''}`;
}

/**
 * The failure of a job whose input cannot be read until it is restored: permanent for this
 * attempt (no retry helps), and the message says what to run. The job runs again by itself when
 * S3 reports the restore completed (see dispatch.ts).
 */
export function archivedInputError(
  key: string,
  versionId: string | null,
  facts: StorageFacts,
  state: ArchiveState,
): InputError {
  const where = describeStorage(facts);
  const message =
    state === 'restoring'
      ? `the input is in ${where} and its restore is under way: the job runs again when the restore completes`
      : `the input is in ${where} and cannot be read until it is restored: run \`${restoreCommand(key, versionId)}\`; the job runs again when the restore completes`;
  return new InputError(message, INPUT_ARCHIVED);
}
