import { existsSync } from 'node:fs';
import path from 'node:path';

/** `index.handler` → the first of `index.mjs`, `index.js`, `index.cjs` in the task root, and `handler`. */
export function resolveHandler(taskRoot: string, spec: string): { file: string; exportName: string } {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new Error(`_HANDLER ${spec} is not MODULE.EXPORT`);
  const base = path.join(taskRoot, spec.slice(0, dot));
  const file = ['.mjs', '.js', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new Error(`_HANDLER ${spec}: no ${spec.slice(0, dot)}.mjs, .js or .cjs in ${taskRoot}`);
  return { file, exportName: spec.slice(dot + 1) };
}
