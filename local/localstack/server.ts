import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, REPO_ROOT, startService } from '../emulator.js';

/** The LocalStack release the project runs: the last that starts without an auth token. */
const LOCALSTACK_VERSION = '4.14.0';
const LOCALSTACK_IMAGE = `localstack/localstack:${LOCALSTACK_VERSION}`;

export type LocalStackMode = 'host' | 'container';

export interface LocalStackServer {
  endpoint: string;
  mode: LocalStackMode;
  startMs: number;
  stop(): Promise<void>;
}

export interface LocalStackServerOptions {
  /** @default 4566; 0 picks a free one */
  port?: number;
  /** LocalStack's own files (FILESYSTEM_ROOT in host mode). */
  stateDir: string;
  logFile: string;
  /** What the project's plugin needs to run functions (see plugin/s3_pipeline_localstack/executor.py). */
  pluginEnv: Record<string, string>;
}

/**
 * LocalStack as the project configures it, in either mode: its gateway on loopback, no analytics,
 * queue URLs that name this endpoint, and the project's plugin chosen for Lambda (the process
 * executor) and for the APIs its free tier lacks (DynamoDB, ECS, EFS, Glue and Athena from the embedded moto).
 */
function settings(host?: string): Record<string, string> {
  return {
    DISABLE_EVENTS: '1',
    ...(host ? { LOCALSTACK_HOST: host } : {}),
    SQS_ENDPOINT_STRATEGY: 'path',
    PROVIDER_OVERRIDE_DYNAMODB: 'moto',
    PROVIDER_OVERRIDE_ECS: 'moto',
    PROVIDER_OVERRIDE_EFS: 'moto',
    PROVIDER_OVERRIDE_GLUE: 'moto',
    PROVIDER_OVERRIDE_ATHENA: 'moto',
  };
}

/**
 * LocalStack's host mode: `python -m localstack.runtime.main` from `.venv/localstack` (installed,
 * with the project's plugin, by `scripts/setup-python.sh localstack`), no Docker anywhere.
 */
export async function startLocalStackHost(options: LocalStackServerOptions): Promise<LocalStackServer> {
  const python = path.join(REPO_ROOT, '.venv', 'localstack', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(
      `${python} is missing: run \`bash scripts/setup-python.sh localstack\` (needs CPython 3.13)`,
    );
  }
  const port = options.port === 0 ? await freePort() : (options.port ?? 4566);
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const stop = await startService({
    name: 'LocalStack',
    command: python,
    args: ['-m', 'localstack.runtime.main'],
    env: {
      ...process.env,
      ...settings(`127.0.0.1:${port}`),
      ...options.pluginEnv,
      GATEWAY_LISTEN: `127.0.0.1:${port}`,
      FILESYSTEM_ROOT: options.stateDir,
      LAMBDA_RUNTIME_EXECUTOR: 'process',
    },
    readyUrl: `${endpoint}/_localstack/health`,
    readyTimeoutMs: 120_000,
    logFile: options.logFile,
  });
  return { endpoint, mode: 'host', startMs: Date.now() - started, stop };
}

/**
 * LocalStack's image in a container (testcontainers), for machines with Docker. Lambda runs in
 * containers there (LocalStack's own executor, through the Docker socket); the project's plugin
 * is installed into the container at boot for the rest, so every step after this one is shared
 * with the host mode.
 */
export async function startLocalStackContainer(options: LocalStackServerOptions): Promise<LocalStackServer> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(
      `LocalStack's container mode needs Docker, and none was found: ${(error as Error).message}`,
    );
  }
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const started = Date.now();
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  const container = await new LocalstackContainer(process.env.LOCALSTACK_IMAGE ?? LOCALSTACK_IMAGE)
    .withEnvironment({ ...settings(), ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}) })
    .withBindMounts([
      { source: '/var/run/docker.sock', target: '/var/run/docker.sock' },
      {
        source: path.join(REPO_ROOT, 'local', 'localstack', 'plugin'),
        target: '/opt/s3-pipeline-plugin',
        mode: 'ro',
      },
      {
        source: path.join(REPO_ROOT, 'local', 'localstack', 'install-plugin.sh'),
        target: '/etc/localstack/init/boot.d/install-plugin.sh',
        mode: 'ro',
      },
    ])
    .withLogConsumer((stream) => stream.pipe(createWriteStream(options.logFile, { flags: 'a' })))
    .start();
  const endpoint = container.getConnectionUri();
  return {
    endpoint,
    mode: 'container',
    startMs: Date.now() - started,
    async stop() {
      await container.stop();
    },
  };
}
