/**
 * The arrows point down: the infrastructure (lib/) and the runtime (src/, lambda/, containers/)
 * share only contract/, which imports nothing of the project's but itself; within src/, the job
 * core imports neither the runtime nor the CLI, and the runtime not the CLI; nothing but tests
 * imports test/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../local/emulator.js';

/** Every relative import (static, dynamic or for its effects) of every .ts file under `dir`, as repository paths. */
function importsUnder(dir: string): { file: string; target: string }[] {
  const found: { file: string; target: string }[] = [];
  for (const entry of readdirSync(path.join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const full = path.join(entry.parentPath, entry.name);
    const source = readFileSync(full, 'utf8');
    for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      found.push({
        file: path.relative(REPO_ROOT, full),
        target: path.relative(REPO_ROOT, path.resolve(path.dirname(full), m[1]!)),
      });
    }
  }
  return found;
}

const outside = (imports: { file: string; target: string }[], allowed: string[]) =>
  imports.filter(({ target }) => !allowed.some((dir) => target === dir || target.startsWith(`${dir}/`)));

describe('module boundaries', () => {
  it('contract/ imports nothing of the project but itself', () => {
    expect(outside(importsUnder('contract'), ['contract'])).toEqual([]);
  });

  it('lib/ imports only itself and contract/', () => {
    expect(outside(importsUnder('lib'), ['lib', 'contract'])).toEqual([]);
  });

  it('the runtime imports only itself and contract/', () => {
    const runtime = ['src', 'lambda', 'containers'];
    expect(outside(runtime.flatMap(importsUnder), [...runtime, 'contract'])).toEqual([]);
  });

  it('the job core imports only itself and contract/', () => {
    expect(outside(importsUnder('src/core'), ['src/core', 'contract'])).toEqual([]);
  });

  it('the runtime does not import the CLI', () => {
    expect(importsUnder('src/runtime').filter(({ target }) => target.startsWith('src/cli/'))).toEqual([]);
  });

  it('only tests import test/', () => {
    const product = ['contract', 'lib', 'src', 'lambda', 'containers', 'bin'];
    const tools = ['local', 'bench', 'scripts'];
    const imports = [...product, ...tools].flatMap(importsUnder);
    expect(imports.filter(({ target }) => target.startsWith('test/'))).toEqual([]);
  });
});
