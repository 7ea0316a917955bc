import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository, wherever the app is started from (entries and assets are relative to it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a repository-relative file such as `Entry.dispatcher`. */
export function repoPath(relative: string): string {
  return resolve(REPO_ROOT, relative);
}
