import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Entry, THREADS, WORKER_BUNDLE } from '../../contract/names.js';
import { bundleFunction, bundleWorker } from '../../lib/bundling.js';

describe('bundleWorker', () => {
  let root: string;
  let bundle: string;
  let code: string;

  beforeAll(() => {
    // A repository in miniature: the worker entry, a local module and a CommonJS dependency.
    root = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('node_modules/legacy-dep/package.json', JSON.stringify({ name: 'legacy-dep', main: 'index.js' }));
    write(
      'node_modules/legacy-dep/index.js',
      "module.exports = { greet: () => require('node:os').platform() };",
    );
    write('src/core.ts', 'export const answer = (n: number): number => n * 2;');
    for (const [name, { entry }] of Object.entries(THREADS)) {
      const core = relative(dirname(join(root, entry)), join(root, 'src/core.js'));
      write(entry, `import { answer } from './${core}';\nconsole.log('${name}', answer(1));\n`);
    }
    write(
      Entry.worker,
      "import { greet } from 'legacy-dep';\nimport { answer } from '../../src/core.js';\nconsole.log(greet(), answer(21));\n",
    );
    bundle = bundleWorker(root);
    code = readFileSync(bundle, 'utf8');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes the files the Dockerfile copies: the worker and, beside it, the threads' bundles", () => {
    expect(bundle).toBe(join(root, WORKER_BUNDLE));
    expect(code.length).toBeGreaterThan(0);
    for (const [name, { bundle: file }] of Object.entries(THREADS)) {
      const thread = join(dirname(bundle), file);
      expect(existsSync(thread)).toBe(true);
      expect(execFileSync(process.execPath, [thread], { encoding: 'utf8' }).trim()).toBe(`${name} 2`);
    }
  });

  it('inlines every import, local and from node_modules, leaving only Node built-ins', () => {
    expect(code).not.toMatch(/from\s*["'](?!node:)[^"']+["']/);
    expect(code).not.toContain('legacy-dep');
  });

  it('is an ES module that gives bundled CommonJS a working require', () => {
    expect(code.startsWith('import')).toBe(true);
    expect(code).toMatch(/createRequire/);
    expect(code).not.toMatch(/sourceMappingURL/);
  });

  it('runs with plain node', () => {
    expect(execFileSync(process.execPath, [bundle], { encoding: 'utf8' }).trim()).toBe(
      `${process.platform} 42`,
    );
  });
});

describe('bundleFunction', () => {
  it('inlines the AWS SDK as every other package, as `cdk deploy` does (bundleAwsSDK)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'function-bundle-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write(
        'node_modules/@aws-sdk/client-fake/package.json',
        JSON.stringify({ name: '@aws-sdk/client-fake', module: 'index.mjs', main: 'index.js' }),
      );
      write('node_modules/@aws-sdk/client-fake/index.mjs', "export const region = () => 'from-es-module';");
      write(
        'node_modules/@aws-sdk/client-fake/index.js',
        "module.exports = { region: () => 'from-commonjs' };",
      );
      write('src/handler.ts', "import { region } from '@aws-sdk/client-fake';\nconsole.log(region());\n");
      const outfile = await bundleFunction(root, 'src/handler.ts', join(root, 'out/handler.mjs'));
      const code = readFileSync(outfile, 'utf8');
      expect(code).not.toMatch(/from\s*["']@aws-sdk/);
      // The SDK's ES modules, which esbuild can shake, not its CommonJS.
      expect(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }).trim()).toBe('from-es-module');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
