import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { bundleFunction, bundleWorker } from '../../lib/bundling.js';
import { SHARED_MOUNT_PATH } from '../../contract/names.js';
import { REPO_ROOT } from '../emulator.js';
import { FargateTasks } from '../fargate-tasks.js';
import { cloudNode } from '../node24.js';
import { localAwsEnv, localClientConfig } from '../resources.js';
import { deployStack, type StackOutputs } from './deploy.js';
import { mapMounts } from './mounts.js';
import { startLocalStackContainer, startLocalStackHost, type LocalStackMode } from './server.js';

export interface StartLocalStackCloudOptions {
  /** LocalStack's port (host mode). @default 4566; 0 picks a free one */
  port?: number;
  /** Folder for the shared "EFS" folder, the logs and LocalStack's own files. @default `.local` */
  stateDir?: string;
  /** @default 'host' (no Docker); 'container' runs LocalStack's image with testcontainers */
  mode?: LocalStackMode;
}

export interface RunningLocalStackCloud {
  endpoint: string;
  region: string;
  mode: LocalStackMode;
  stackName: string;
  outputs: StackOutputs;
  /** The local folder that stands in for the EFS file system, where functions and tasks share it. */
  sharedDir?: string;
  tasks: FargateTasks;
  stateDir: string;
  /** Where the plugin writes each function execution environment's log (START lines included). */
  functionLogDir: string;
  /** How long each step took, for the record. */
  timings: { startMs: number; bootstrapMs: number; deployMs: number };
  stop(): Promise<void>;
}

const REGION = 'us-east-1';

/** What LocalStack's free tier leaves out and what stands in for it here (the README has the details). */
export const LOCALSTACK_BRIDGES: Readonly<Record<string, string>> = {
  lambda: 'functions run as local processes (the process executor plugin), not in containers',
  customResources: "CDK's custom resources run through the plugin's provider, a paid feature in LocalStack",
  dynamodb: "DynamoDB is the embedded moto's, not the vendor's DynamoDB Local",
  ecsAndEfs: "ECS and EFS APIs and resources are the embedded moto's, created by the plugin's providers",
  query: "Glue and Athena APIs and resources are the embedded moto's, created by the plugin's providers",
  tasks: 'each RunTask starts the worker bundle as a local process; its stop is put on the event bus',
  efs: 'a local folder stands for the EFS file system, at the mount path the stack gives',
  vpcDns: "the VPC's DNS attributes are applied from the template after the deploy",
  image: 'the worker image is deployed by name (workerImage) and never pulled',
};

/**
 * LocalStack with the stack deployed into it from the template, as `cdk deploy` sends it, and the
 * bridges for what LocalStack's free tier leaves out:
 * - functions run as local processes on the Node.js the cloud runs (the project's process
 *   executor plugin; host mode);
 * - DynamoDB, ECS and EFS are served by the moto LocalStack embeds, and the ECS and EFS resources
 *   of the template are created there (the plugin's CloudFormation providers);
 * - each task `RunTask` records is started as a worker process (`FargateTasks`), and its stop is
 *   put on the event bus as ECS would, for the stack's rule to deliver to the task-state function;
 * - one local folder is the EFS file system, mounted where the stack mounts it.
 */
export async function startLocalStackCloud(
  options: StartLocalStackCloudOptions = {},
): Promise<RunningLocalStackCloud> {
  const mode = options.mode ?? 'host';
  const stateDir = path.resolve(options.stateDir ?? path.join(REPO_ROOT, '.local'));
  const sharedDir = path.join(stateDir, 'efs');
  const logDir = path.join(stateDir, 'logs');
  const runtimeDir = path.join(stateDir, 'localstack', 'runtime');
  await rm(logDir, { recursive: true, force: true });
  await Promise.all([sharedDir, logDir, runtimeDir].map((dir) => mkdir(dir, { recursive: true })));
  const node = cloudNode();
  const [runtime] = await Promise.all([
    bundleFunction(
      REPO_ROOT,
      'local/localstack/lambda-runtime.ts',
      path.join(runtimeDir, 'lambda-runtime.mjs'),
    ),
    bundleFunction(REPO_ROOT, 'local/lambda-host.ts', path.join(runtimeDir, 'lambda-host.mjs')),
  ]);
  const workerBundle = bundleWorker(REPO_ROOT, path.join(runtimeDir, 'worker.mjs'));
  const mounts = { [SHARED_MOUNT_PATH]: sharedDir };

  const serverOptions = {
    port: options.port,
    stateDir: path.join(stateDir, 'localstack', 'filesystem'),
    logFile: path.join(logDir, 'localstack.log'),
    pluginEnv: {
      PIPELINE_LAMBDA_NODE: node,
      PIPELINE_LAMBDA_NODE_RUNTIME: runtime,
      PIPELINE_LAMBDA_SDK_MODULES: path.join(REPO_ROOT, 'node_modules'),
      PIPELINE_LAMBDA_MOUNTS: Object.entries(mounts)
        .map(([mount, folder]) => `${mount}=${folder}`)
        .join(','),
      PIPELINE_LAMBDA_LOG_DIR: logDir,
    },
  };
  const server =
    mode === 'host'
      ? await startLocalStackHost(serverOptions)
      : await startLocalStackContainer(serverOptions);
  try {
    const deployed = await deployStack({
      endpoint: server.endpoint,
      region: REGION,
      outDir: path.join(stateDir, 'localstack', 'cdk.out'),
      logFile: path.join(logDir, 'deploy.log'),
    });
    const clientConfig = localClientConfig(server.endpoint, REGION);
    const ecs = new ECSClient(clientConfig);
    const events = new EventBridgeClient(clientConfig);
    const tasks = new FargateTasks({
      ecs,
      clusterArn: deployed.outputs.ClusterArn,
      region: REGION,
      workerBundle,
      node,
      baseEnv: {
        PATH: process.env.PATH ?? '',
        ...localAwsEnv(server.endpoint, REGION),
        NODE_NO_WARNINGS: '1',
      },
      mapEnv: (env) => mapMounts(env, mounts),
      logDir,
      // ECS puts the event on the default bus; the stack's rule picks it up from there.
      async deliverStopped(event) {
        const out = await events.send(
          new PutEventsCommand({
            Entries: [
              {
                Source: event.source,
                DetailType: event['detail-type'],
                Detail: JSON.stringify(event.detail),
                Resources: event.resources,
              },
            ],
          }),
        );
        if (out.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
      },
    });
    tasks.start();
    return {
      endpoint: server.endpoint,
      region: REGION,
      mode,
      stackName: deployed.stackName,
      outputs: deployed.outputs,
      // In the container, functions run in containers of their own, which see no folder of this machine.
      sharedDir: mode === 'host' ? sharedDir : undefined,
      tasks,
      stateDir,
      functionLogDir: path.join(logDir, 'lambda'),
      timings: { startMs: server.startMs, bootstrapMs: deployed.bootstrapMs, deployMs: deployed.deployMs },
      async stop() {
        await tasks.stop();
        ecs.destroy();
        events.destroy();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
