/**
 * Starts a thread whose entry is TypeScript, when the code runs from source (tests, `tsx`):
 * registers tsx's loader in this thread, then imports the entry given as the thread's argument.
 * Bundles never come here: a bundle's threads are bundles too (lib/bundling.ts).
 */
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
