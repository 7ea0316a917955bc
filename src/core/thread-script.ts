/**
 * Where the code of one of the job's threads (`THREADS` in contract/names.ts) is. A bundle has
 * each thread's own bundle beside it (lib/bundling.ts builds them together). From source (tests,
 * `tsx`), the entry is TypeScript, loaded through tsx (a devDependency: source runs are
 * development runs) by source-thread.mjs.
 */
import { THREADS } from '../../contract/names.js';

export function threadScript(thread: keyof typeof THREADS): { url: URL; argv: string[] } {
  const { entry, bundle } = THREADS[thread];
  if (import.meta.url.endsWith('.ts')) {
    return {
      url: new URL('./source-thread.mjs', import.meta.url),
      argv: [new URL(`../../${entry}`, import.meta.url).href],
    };
  }
  return { url: new URL(`./${bundle}`, import.meta.url), argv: [] };
}
