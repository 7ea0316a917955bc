/**
 * The two Docker-less clouds `npm run local` and `npm run demo` can start, behind one shape:
 * - `moto` (default): moto's server for the APIs, the stack's resources created by
 *   `local/resources.ts`, and the runner playing Lambda and Fargate. Starts in seconds.
 * - `localstack`: LocalStack in host mode with the stack deployed from its template by cdklocal,
 *   functions run by LocalStack itself (the project's process executor). About half a minute.
 */
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { Env } from '../contract/names.js';
import { lambdaMaxBytes, parseRoutingPolicy, type RoutingPolicy } from '../contract/routing.js';
import { chaosFromEnv, type Chaos, type ChaosSettings } from './chaos.js';
import { EMULATORS, type EmulatorName, type LocalOutputs } from '../src/cli/local-cloud.js';
import { startLocalCloud, type RunningLocalCloud } from './cloud.js';
import { REPO_ROOT } from './emulator.js';
import { LOCAL_DISPATCHER_FUNCTION, localClientConfig } from './resources.js';
import { startLocalStackCloud } from './localstack/cloud.js';

export { type EmulatorName, type LocalOutputs };

export interface RunningEmulator {
  outputs: LocalOutputs;
  stateDir: string;
  /** Emits `task-started` ({taskArn, jobId}) and `task-stopped` (TaskReport) for worker tasks. */
  tasks: EventEmitter;
  /** LocalStack only: how long its start, the bootstrap and the deploy took. */
  timings?: { startMs: number; bootstrapMs: number; deployMs: number };
  /** Lines that say what is running, for the console. */
  describe(): string[];
  stop(): Promise<void>;
}

export function parseEmulator(value: string | undefined): EmulatorName {
  const name = value ?? 'moto';
  if (!(EMULATORS as readonly string[]).includes(name)) {
    throw new Error(`--emulator must be one of ${EMULATORS.join(', ')}; got '${name}'`);
  }
  return name as EmulatorName;
}

/** LocalStack and the cloud's Node.js are installed on first use only: most runs need neither. */
export function ensureEmulatorInstalled(emulator: EmulatorName): void {
  if (emulator === 'localstack') {
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'setup.sh'), 'localstack'], { stdio: 'inherit' });
  }
}

/** Faults are injected by the runner that plays Lambda and Fargate, which LocalStack does without. */
const CHAOS_NEEDS_MOTO =
  "PIPELINE_CHAOS: faults are injected by the moto cloud's runner, and LocalStack runs the functions itself; unset PIPELINE_CHAOS or use --emulator moto";

/** The faults `PIPELINE_CHAOS` asks of this emulator's cloud, checked before anything starts. */
export function chaosFor(emulator: EmulatorName, env: NodeJS.ProcessEnv): ChaosSettings | undefined {
  const settings = chaosFromEnv(env);
  if (settings && emulator !== 'moto') throw new Error(CHAOS_NEEDS_MOTO);
  return settings;
}

export async function startEmulated(
  emulator: EmulatorName,
  options: {
    port?: number;
    stateDir?: string;
    /** Faults to inject (see chaos.ts), moto only. @default none */
    chaos?: Chaos;
  },
): Promise<RunningEmulator> {
  if (emulator === 'moto') {
    const local = await startLocalCloud(options);
    const { cloud } = local;
    return {
      outputs: motoOutputs(local),
      stateDir: local.stateDir,
      tasks: local.runner,
      describe: () => [
        `moto emulator ${cloud.endpoint}; the runner plays Lambda (${cloud.lambdaTimeoutSeconds} s timeout) and Fargate`,
      ],
      stop: () => local.stop(),
    };
  }
  if (options.chaos) throw new Error(CHAOS_NEEDS_MOTO);
  const ls = await startLocalStackCloud(options);
  const policy = await deployedRoutingPolicy(ls.endpoint, ls.region, ls.outputs.DispatcherFunctionName);
  return {
    outputs: {
      emulator,
      endpoint: ls.endpoint,
      region: ls.region,
      bucket: ls.outputs.DataBucketName,
      table: ls.outputs.JobsTableName,
      lambdaMaxBytes: lambdaMaxBytes({ format: 'fastq', gzip: true }, policy),
      sharedDir: ls.sharedDir!,
      stackName: ls.stackName,
      lambdaEndpoint: ls.endpoint,
      dispatcherFunction: ls.outputs.DispatcherFunctionName,
      onFailureQueueUrl: ls.outputs.OnFailureQueueUrl,
    },
    stateDir: ls.stateDir,
    tasks: ls.tasks,
    timings: ls.timings,
    describe: () => [
      `LocalStack ${ls.endpoint} (${ls.mode} mode): stack ${ls.stackName} deployed from its template`,
      `  started in ${s(ls.timings.startMs)}, bootstrapped in ${s(ls.timings.bootstrapMs)}, deployed in ${s(ls.timings.deployMs)}`,
    ],
    stop: () => ls.stop(),
  };
}

/** What the console needs to find the moto cloud's pieces (written to `.local/outputs.json`). */
export function motoOutputs(local: RunningLocalCloud): LocalOutputs {
  const { cloud } = local;
  return {
    emulator: 'moto',
    endpoint: cloud.endpoint,
    region: cloud.region,
    bucket: cloud.bucket,
    table: cloud.table,
    lambdaMaxBytes: lambdaMaxBytes({ format: 'fastq', gzip: true }, cloud.policy),
    sharedDir: cloud.sharedDir,
    lambdaEndpoint: local.runner.lambdaEndpoint,
    dispatcherFunction: LOCAL_DISPATCHER_FUNCTION,
    onFailureQueueUrl: cloud.onFailureQueueUrl,
  };
}

/** The routing policy the deployed dispatcher was given, from its own configuration. */
async function deployedRoutingPolicy(
  endpoint: string,
  region: string,
  functionName: string,
): Promise<RoutingPolicy> {
  const lambda = new LambdaClient(localClientConfig(endpoint, region));
  try {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    const json = config.Environment?.Variables?.[Env.ROUTING_POLICY];
    if (!json) throw new Error(`the deployed dispatcher ${functionName} has no ${Env.ROUTING_POLICY}`);
    return parseRoutingPolicy(json);
  } finally {
    lambda.destroy();
  }
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
