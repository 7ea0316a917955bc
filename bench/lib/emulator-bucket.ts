/**
 * The local cloud's emulator with its data bucket, for the sections that read inputs from S3:
 * started on a free port, filled with the bench's inputs, stopped after.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../local/emulator.js';
import { localAwsEnv, provisionLocalCloud } from '../../local/resources.js';
import { REPO_ROOT } from './inputs.js';

export interface EmulatorBucket {
  endpoint: string;
  region: string;
  bucket: string;
  /** The environment a process needs to reach the emulator (endpoint, region, credentials). */
  env: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stores a local file under `key`, with a full-object CRC64NVME checksum if asked. */
  upload(key: string, file: string, options?: { crc64nvme?: boolean }): Promise<void>;
}

export function emulatorInstalled(): boolean {
  return existsSync(path.join(REPO_ROOT, '.venv', 'bin', 'moto_server'));
}

export async function withEmulatorBucket<T>(use: (bucket: EmulatorBucket) => Promise<T>): Promise<T> {
  const sharedDir = mkdtempSync(path.join(tmpdir(), 'bench-s3-'));
  const emulator = await startEmulator({ port: 0 });
  try {
    const cloud = await provisionLocalCloud({ endpoint: emulator.endpoint, sharedDir, name: 'bench' });
    const env = localAwsEnv(cloud.endpoint, cloud.region);
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
    // Checksums only when asked for: the SDK's default streaming checksum upload is very slow
    // against the emulator, and the upload is not what is measured. A Buffer body is sent whole.
    const s3 = new S3Client({
      endpoint: cloud.endpoint,
      region: cloud.region,
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    try {
      return await use({
        endpoint: cloud.endpoint,
        region: cloud.region,
        bucket: cloud.bucket,
        env,
        credentials,
        upload: async (key, file, options = {}) => {
          await s3.send(
            new PutObjectCommand({
              Bucket: cloud.bucket,
              Key: key,
              Body: readFileSync(file),
              ...(options.crc64nvme ? { ChecksumAlgorithm: 'CRC64NVME' } : {}),
            }),
          );
        },
      });
    } finally {
      s3.destroy();
    }
  } finally {
    await emulator.stop();
    rmSync(sharedDir, { recursive: true, force: true });
  }
}
