import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/emulator.js';

async function answers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/moto-api/`, { signal: AbortSignal.timeout(1000) }).then(
    async (res) => (await res.body?.cancel(), true),
    () => false,
  );
}

describe('the emulator process', () => {
  it('does not outlive the process that started it, even one killed with SIGKILL', async () => {
    // Prepare: a process that starts the emulator, says its port, and stays.
    const owner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const { startEmulator } = await import('./local/emulator.ts');" +
          'const e = await startEmulator({ port: 0 }); console.log(e.port); setInterval(() => {}, 1000);',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(owner.stdout!, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    expect(await answers(port)).toBe(true);

    // Act: no handler of the owner runs.
    owner.kill('SIGKILL');

    // Assess
    const until = Date.now() + 15_000;
    while ((await answers(port)) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(await answers(port)).toBe(false);
  });
});
