import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever the caller runs from. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Emulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** @default 4566; 0 picks a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Where the emulator's own log goes. @default ignored */
  logFile?: string;
}

/**
 * Starts moto's server from the project's virtual environment (installed by
 * scripts/setup-python.sh) and waits until it answers. Everything it emulates lives in its memory
 * and is gone when it stops.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 ? await freePort(host) : (options.port ?? 4566);
  const binary = path.join(REPO_ROOT, '.venv', 'bin', 'moto_server');
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run \`bash scripts/setup-python.sh\` (needs Python 3)`);
  }
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(binary, ['-H', host, '-p', String(port)], {
    stdio: ['ignore', out, out],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  const endpoint = `http://${host}:${port}`;
  // The emulator never outlives this process, however it ends (Ctrl-C, a closed pipe, a crash).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );
  try {
    await waitUntilUp(endpoint, exited);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { endpoint, port, stop: () => stopChild(child, exited) };
}

async function waitUntilUp(endpoint: string, exited: Promise<number | null>): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (gone !== undefined)
      throw new Error(`the emulator exited with code ${gone} before it answered (port in use?)`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the emulator did not answer at ${endpoint} within 30 s`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
