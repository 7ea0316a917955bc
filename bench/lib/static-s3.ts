/**
 * A stand-in for S3's serving side: nginx serving the bench's files in the path-style layout the
 * SDK asks for (`/bucket/key`), from the page cache with `sendfile`.
 *
 * S3 serves from other machines. The emulator serves from this machine's two cores, about a
 * CPU-second per GiB, while the reader and the parser need both: a ratio against the emulator
 * measures the emulator as much as the reader. The kernel's `sendfile` costs this machine little
 * (curl takes a 1 GiB GET from it in about 0.4 s, 0.3 s of it in the kernel), so what the reader
 * does shows. The runner needs HEAD and GET of whole objects, which nginx answers with the
 * headers the SDK reads (length, ETag, Last-Modified); it ignores the signature and the query.
 * nginx serves as fast as this machine copies memory; S3 serves each request at its own rate,
 * after a wait for its first byte, which the paced server (paced-s3-server.py, the same layout
 * and headers) plays.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { freePort, startService } from '../../local/emulator.js';
import { onPath } from './measure.js';

/** Debian installs it outside a user's PATH. */
const NGINX_PATHS = ['/usr/sbin/nginx'];

export function nginxBinary(): string | undefined {
  if (onPath('nginx')) return 'nginx';
  return NGINX_PATHS.find((candidate) => existsSync(candidate));
}

/**
 * What one S3 request delivers: AWS advises one concurrent request for each 85–90 MB/s of
 * throughput wanted (Best Practices Design Patterns: Optimizing Amazon S3 Performance,
 * "Horizontal Scaling and Request Parallelization"). The lower end.
 */
export const S3_BYTES_PER_SECOND_PER_REQUEST = 85e6;

/**
 * S3's wait before a GET's first byte, where the bench plays it: AWS's performance guidance puts
 * S3's latency at 100–200 ms, users in the same region measure tens of milliseconds with a long
 * tail. The lower end of AWS's figure: a read that pays it per request shows it.
 */
export const S3_FIRST_BYTE_SECONDS = 0.1;

export interface StaticS3 {
  endpoint: string;
  bucket: string;
}

export interface StaticS3Options {
  /** @default 'bench' */
  bucket?: string;
  /**
   * Bytes per second each connection is paced at, as S3 serves a request; unlimited without it.
   * Paced by the kernel (paced-s3-server.py): nginx's `limit_rate` lets a second's worth through
   * at once, so a 4 MiB ranged GET would not be limited at all.
   */
  bytesPerSecondPerRequest?: number;
  /**
   * Seconds each GET waits before it answers, as S3 waits before a request's first byte; only
   * with `bytesPerSecondPerRequest` (the paced server plays it).
   * @default 0
   */
  firstByteSeconds?: number;
}

/** Whether the paced server can run: it asks Linux to pace its sockets. */
export function pacedServerAvailable(): boolean {
  return process.platform === 'linux';
}

/** The Python server that paces its connections (stdlib only; Linux). */
const PACED_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'paced-s3-server.py');

/**
 * Serves each `objects` entry (key → local file, linked, not copied) under `bucket` while `use`
 * runs: one nginx process (no master, no daemon), or the paced server where a rate is given, its
 * files in a temporary folder.
 */
export async function withStaticS3<T>(
  objects: Record<string, string>,
  use: (server: StaticS3) => Promise<T>,
  options: StaticS3Options = {},
): Promise<T> {
  const { bucket = 'bench', bytesPerSecondPerRequest: rate, firstByteSeconds = 0 } = options;
  if (firstByteSeconds > 0 && rate === undefined)
    throw new Error('a first-byte wait is played by the paced server: give bytesPerSecondPerRequest too');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-s3-'));
  try {
    const root = path.join(dir, 'root');
    mkdirSync(root);
    for (const [key, file] of Object.entries(objects)) {
      const link = path.join(root, bucket, key);
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.resolve(file), link);
    }
    // What the start-up check asks for, instead of a large object.
    writeFileSync(path.join(root, 'ready'), 'ok\n');
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const server =
      rate === undefined
        ? nginxServer(dir, root, port)
        : {
            name: 'paced S3 server',
            command: 'python3',
            args: [PACED_SERVER, root, String(port), String(Math.round(rate)), String(firstByteSeconds)],
          };
    const stop = await startService({
      ...server,
      env: process.env,
      readyUrl: `${endpoint}/ready`,
    });
    try {
      return await use({ endpoint, bucket });
    } finally {
      await stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** nginx serving `root` on `port`, its configuration and files in `dir`. */
function nginxServer(dir: string, root: string, port: number) {
  const nginx = nginxBinary();
  if (nginx === undefined) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const config = path.join(dir, 'nginx.conf');
  writeFileSync(
    config,
    [
      'daemon off;',
      'master_process off;',
      `error_log ${path.join(dir, 'error.log')};`,
      `pid ${path.join(dir, 'nginx.pid')};`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  tcp_nopush on;',
      '  default_type application/octet-stream;',
      `  client_body_temp_path ${path.join(dir, 'body')};`,
      `  server { listen 127.0.0.1:${port}; root ${root}; }`,
      '}',
      '',
    ].join('\n'),
  );
  return { name: 'nginx', command: nginx, args: ['-p', dir, '-c', config] };
}
