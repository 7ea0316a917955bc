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
  const endpoint = `http://${host}:${port}`;
  const stop = await startService({
    name: 'the emulator',
    command: binary,
    args: ['-H', host, '-p', String(port)],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
    readyUrl: `${endpoint}/moto-api/`,
    logFile: options.logFile,
  });
  return { endpoint, port, stop };
}

export interface ServiceOptions {
  /** How errors name it, e.g. 'the emulator'. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Answers 2xx once the service is ready. */
  readyUrl: string;
  /** @default 30 s */
  readyTimeoutMs?: number;
  /** Where its output goes. @default ignored */
  logFile?: string;
}

/** Runs a server until this process is gone, however it ends (see the file). */
const LIFELINE = path.join(REPO_ROOT, 'local', 'lifeline.py');

/**
 * Starts a local server process and waits until it answers; returns how to stop it. It runs in a
 * process group of its own, so a terminal's Ctrl-C, which signals the whole foreground group,
 * leaves it to us to stop after what uses it; and it never outlives this process, however that
 * ends (Ctrl-C, kill -9, a crash), through `lifeline.py`.
 */
export async function startService(options: ServiceOptions): Promise<() => Promise<void>> {
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn('python3', [LIFELINE, options.command, ...options.args], {
    stdio: ['pipe', out, out],
    env: options.env,
    detached: true,
  });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', killGroup);
      child.stdin!.destroy();
      resolve(code);
    }),
  );
  try {
    await waitUntilUp(options, exited);
  } catch (error) {
    killGroup();
    throw error;
  }
  return () => stopChild(child, exited, killGroup);
}

async function waitUntilUp(options: ServiceOptions, exited: Promise<number | null>): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (gone !== undefined)
      throw new Error(`${options.name} exited with code ${gone} before it answered (port in use?)`);
    try {
      const res = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${options.name} did not answer at ${options.readyUrl} within ${timeoutMs / 1000} s`);
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  killGroup: () => void,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(killGroup, 10_000);
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
