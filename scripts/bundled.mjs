/**
 * Runs a TypeScript entry point from an esbuild bundle cached in node_modules/.cache/s3-pipeline,
 * rebuilt when any of its sources has changed since:
 *
 *   node scripts/bundled.mjs bin/pipeline.ts stats reads.fq
 *
 * Node starts a bundle in about 60 ms where compiling on the fly with tsx takes about 270 ms, and
 * without tsx's 30 MiB: start-up and memory as the deployed bundles have them. `npm run pipeline`
 * and the benchmark's runners start this way.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PARSE_THREAD_ENTRY = 'src/core/parse-thread-entry.ts';
const [entryArgument, ...args] = process.argv.slice(2);
if (entryArgument === undefined) {
  process.stderr.write('usage: node scripts/bundled.mjs ENTRY.ts [args]\n');
  process.exit(2);
}
const entry = path.relative(root, path.resolve(entryArgument));
const cacheDir = path.join(root, 'node_modules', '.cache', 's3-pipeline');
// bin/pipeline.ts → bin__pipeline.mjs
const cacheName = entry.replace(/\.[cm]?ts$/, '').replaceAll(path.sep, '__');
const bundle = path.join(cacheDir, `${cacheName}.mjs`);
const manifest = path.join(cacheDir, `${cacheName}.inputs.json`);

/** The sources the cached bundle was built from, with their modification times. */
function isFresh() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(manifest, 'utf8'));
    statSync(bundle);
    statSync(path.join(cacheDir, 'parse-thread.mjs'));
  } catch {
    return false;
  }
  return Object.entries(inputs).every(([file, mtimeMs]) => {
    try {
      return statSync(path.join(root, file)).mtimeMs === mtimeMs;
    } catch {
      return false;
    }
  });
}

async function rebuild() {
  const { build } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  // Two runs may rebuild at once: each writes its own files and renames them into place.
  const temporary = path.join(cacheDir, `.build-${process.pid}`);
  const result = await build({
    // The job core starts its parse thread from the bundle beside it (Entry.parseThread and
    // PARSE_THREAD_BUNDLE in contract/names.ts; test/unit/local/bundles.test.ts checks the names).
    entryPoints: [
      { in: path.join(root, entry), out: cacheName },
      { in: path.join(root, PARSE_THREAD_ENTRY), out: 'parse-thread' },
    ],
    outdir: temporary,
    outExtension: { '.js': '.mjs' },
    absWorkingDir: root,
    bundle: true,
    // Dependencies load from node_modules as they would under tsx.
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((file) => [file, statSync(path.join(root, file)).mtimeMs]),
  );
  writeFileSync(`${manifest}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(path.join(temporary, 'parse-thread.mjs'), path.join(cacheDir, 'parse-thread.mjs'));
  renameSync(path.join(temporary, `${cacheName}.mjs`), bundle);
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
  rmSync(temporary, { recursive: true, force: true });
}

if (!isFresh()) await rebuild();
// The entry reads its arguments from process.argv, as it would under tsx.
process.argv = [process.argv[0], path.join(root, entry), ...args];
await import(pathToFileURL(bundle).href);
