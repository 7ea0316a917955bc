/**
 * Runs a TypeScript entry point from an esbuild bundle cached in node_modules/.cache/s3-pipeline,
 * rebuilt when any of its sources has changed since:
 *
 *   node scripts/bundled.mjs bin/pipeline.ts stats reads.fq
 *
 * Node starts a bundle in about 60 ms where compiling on the fly with tsx takes about 270 ms, and
 * without tsx's 30 MiB: start-up and memory as the deployed bundles have them. The bundle is split
 * at dynamic imports, so each command loads only its own modules and packages. `npm run pipeline`
 * and the benchmark's runners start this way.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

/**
 * Whether the cached bundle is there with the threads' bundles beside it (the manifest's
 * `outputs`), and none of the sources it was built from (`inputs`, with their modification
 * times) has changed since.
 */
function isFresh() {
  let inputs;
  try {
    const built = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const file of [bundle, ...built.outputs.map((name) => path.join(cacheDir, name))]) statSync(file);
    inputs = built.inputs;
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

/** A TypeScript module of the repo that imports nothing but types, loaded as it is. */
async function importTypeScript(file) {
  const { transform } = await import('esbuild');
  const { code } = await transform(readFileSync(path.join(root, file), 'utf8'), {
    loader: 'ts',
    format: 'esm',
  });
  return import(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * What loads from node_modules, as it would under tsx: every package but the AWS SDK's, which is
 * bundled as in the deployed bundles (its share of start-up time and memory is most of ours).
 */
function externalPackages() {
  const { dependencies = {}, devDependencies = {} } = JSON.parse(
    readFileSync(path.join(root, 'package.json'), 'utf8'),
  );
  return Object.keys({ ...dependencies, ...devDependencies }).filter(
    (name) => !/^@(aws-sdk|smithy)\//.test(name),
  );
}

async function rebuild() {
  const { build } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  // Two runs may rebuild at once: each writes its own files and renames them into place.
  const temporary = path.join(cacheDir, `.build-${process.pid}`);
  // The job starts its threads from their bundles beside the one it runs in
  // (`THREADS` in contract/names.ts, which imports nothing).
  const { THREADS } = await importTypeScript('contract/names.ts');
  const { BUNDLE_OPTIONS } = await importTypeScript('lib/bundle-options.ts');
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [
      { in: path.join(root, entry), out: cacheName },
      ...Object.values(THREADS).map((thread) => ({
        in: path.join(root, thread.entry),
        out: thread.bundle.replace(/\.mjs$/, ''),
      })),
    ],
    outdir: temporary,
    outExtension: { '.js': '.mjs' },
    absWorkingDir: root,
    // A command's modules and the packages they import load when it runs, not at every start.
    splitting: true,
    // Beside the entry and the threads' bundles, which a chunk starts by a path relative to itself.
    chunkNames: '[name]-[hash]',
    external: externalPackages(),
    // Stack traces name our sources under `node --enable-source-maps`.
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
  });
  // Our sources by their own times, the bundled packages by the lock file's, and the settings.
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  const inputs = Object.fromEntries(
    [...sources, 'package-lock.json', 'lib/bundle-options.ts'].map((file) => [
      file,
      statSync(path.join(root, file)).mtimeMs,
    ]),
  );
  // The threads' bundles and the shared chunks, by their path under the cache.
  const outputs = Object.keys(result.metafile.outputs)
    .map((file) => path.relative(temporary, path.join(root, file)))
    .filter((name) => name !== `${cacheName}.mjs`);
  writeFileSync(`${manifest}.${process.pid}.tmp`, JSON.stringify({ inputs, outputs }));
  for (const name of outputs) {
    mkdirSync(path.dirname(path.join(cacheDir, name)), { recursive: true });
    renameSync(path.join(temporary, name), path.join(cacheDir, name));
  }
  renameSync(path.join(temporary, `${cacheName}.mjs`), bundle);
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
  rmSync(temporary, { recursive: true, force: true });
  removeUnusedChunks();
}

/**
 * Removes chunks that no cached bundle's manifest lists any more (left by earlier builds), once
 * they are an hour old: a build running at the same time may not have written its manifest yet.
 */
function removeUnusedChunks() {
  const files = readdirSync(cacheDir);
  const used = new Set(
    files
      .filter((name) => name.endsWith('.inputs.json'))
      .flatMap((name) => {
        try {
          return JSON.parse(readFileSync(path.join(cacheDir, name), 'utf8')).outputs;
        } catch {
          return [];
        }
      }),
  );
  for (const name of files) {
    const file = path.join(cacheDir, name);
    if (!/^[\w-]+-[A-Z0-9]{8}\.mjs(\.map)?$/.test(name) || used.has(name)) continue;
    const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 3_600_000) rmSync(file, { force: true });
  }
}

if (!isFresh()) await rebuild();
// The entry reads its arguments from process.argv, as it would under tsx.
process.argv = [process.argv[0], path.join(root, entry), ...args];
await import(pathToFileURL(bundle).href);
