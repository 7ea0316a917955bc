/**
 * How a program reaches a running local cloud: the file `npm run local` writes to say where it is,
 * and the fixed credentials its emulators accept. The local cloud (local/) writes these; the
 * console reads them.
 */
import path from 'node:path';

export const EMULATORS = ['moto', 'localstack'] as const;
export type EmulatorName = (typeof EMULATORS)[number];

/** What `.local/outputs.json` holds, for the console, scripts and tests that drive the running cloud. */
export interface LocalOutputs {
  emulator: EmulatorName;
  endpoint: string;
  region: string;
  bucket: string;
  table: string;
  /** Size above which a gzipped FASTQ takes the ECS route. */
  lambdaMaxBytes: number;
  /** The local folder that is the shared EFS file system. */
  sharedDir: string;
  /** LocalStack only: the deployed stack's name and its outputs. */
  stackName?: string;
  /** Where Lambda's API answers (the moto cloud's runner plays it), for `Invoke` of the dispatcher. */
  lambdaEndpoint?: string;
  /** The dispatcher's function name. */
  dispatcherFunction?: string;
  /** The dispatcher's on-failure destination queue. */
  onFailureQueueUrl?: string;
}

/** The state folder's outputs file, where `npm run local` says what it started. */
export function localOutputsFile(options: { stateDir?: string } = {}, env = process.env): string {
  return path.join(options.stateDir ?? env.LOCAL_STATE_DIR ?? '.local', 'outputs.json');
}

/** An SDK client's configuration for the local cloud. */
export function localClientConfig(endpoint: string, region: string) {
  return { endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** Credentials and endpoint every SDK client and child process of the local cloud uses. */
export function localAwsEnv(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}
