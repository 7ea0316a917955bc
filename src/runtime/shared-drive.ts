import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resultDocumentText, type ResultDocument } from './job.js';

/**
 * Written to a temporary name and renamed, so a reader never sees half a report; a report of a
 * newer input version already there is kept (the bucket's conditional write decided the same).
 */
export async function writeSharedResult(file: string, document: ResultDocument): Promise<void> {
  const existing = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as ResultDocument,
    () => undefined,
  );
  if (existing && existing.job.sourceLastModified > document.job.sourceLastModified) return;
  await mkdir(path.dirname(file), { recursive: true });
  // Not the pid: it is 1 in every container, and two tasks may write results for one key at once.
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, resultDocumentText(document));
  await rename(temporary, file);
}
