/**
 * A Node.js execution environment for LocalStack's process executor (the project's LocalStack
 * plugin, `plugin/s3_pipeline_localstack/executor.py`), in LocalStack's executor protocol: it
 * serves `POST /invoke` on `LOCALSTACK_RUNTIME_PORT`, tells LocalStack it is ready, and posts each
 * result to `LOCALSTACK_RUNTIME_ENDPOINT/invocations/<request id>/response|error`.
 *
 * The handler (`_HANDLER` in `LAMBDA_TASK_ROOT`, the code LocalStack unpacked) runs in a child
 * process (`local/lambda-host.ts`), warm between invocations; a timed-out or crashed one is
 * replaced by a cold one at the next invocation, as on Lambda.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExecutionEnvironment } from '../lambda-environment.js';
import { resolveHandler } from './handler.js';

interface LocalStackInvocation {
  'invoke-id': string;
  'invoked-function-arn': string;
  payload: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this runtime is started by LocalStack's process executor`);
  return value;
}

const endpoint = required('LOCALSTACK_RUNTIME_ENDPOINT');
const runtimeId = required('LOCALSTACK_RUNTIME_ID');
const timeoutMs = Number(required('AWS_LAMBDA_FUNCTION_TIMEOUT')) * 1000;
const functionName = required('AWS_LAMBDA_FUNCTION_NAME');
const memoryMb = Number(required('AWS_LAMBDA_FUNCTION_MEMORY_SIZE'));
const handler = resolveHandler(required('LAMBDA_TASK_ROOT'), required('_HANDLER'));
const hostBundle = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lambda-host.mjs');

let environment: ExecutionEnvironment | undefined;
let queue: Promise<void> = Promise.resolve();

async function post(pathname: string, body: unknown): Promise<void> {
  const res = await fetch(`${endpoint}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.body?.cancel();
}

async function run(invocation: LocalStackInvocation): Promise<void> {
  if (!environment?.alive) {
    environment = new ExecutionEnvironment({
      hostBundle,
      handlerFile: handler.file,
      handlerExport: handler.exportName,
      env: process.env as Record<string, string>,
      execArgv: process.execArgv,
    });
  }
  const requestId = invocation['invoke-id'];
  // The lines Lambda writes around each invocation in the function's log.
  console.log(`START RequestId: ${requestId} Version: $LATEST`);
  const outcome = await environment.invoke({
    event: JSON.parse(invocation.payload || 'null'),
    timeoutMs,
    functionName,
    memoryMb,
    requestId,
    invokedFunctionArn: invocation['invoked-function-arn'],
  });
  console.log(`END RequestId: ${requestId}`);
  console.log(
    `REPORT RequestId: ${requestId}\tDuration: ${outcome.durationMs} ms\tMemory Size: ${memoryMb} MB`,
  );
  if (outcome.ok) {
    await post(`/invocations/${requestId}/response`, outcome.result ?? null);
  } else {
    const error = outcome.error!;
    console.error(`${requestId} ${error.type}: ${error.message}`);
    await post(`/invocations/${requestId}/error`, {
      errorType: error.type,
      errorMessage: error.message,
      stackTrace: error.stack?.split('\n') ?? [],
    });
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/invoke') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(202).end();
    const invocation = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LocalStackInvocation;
    // One invocation at a time per environment, as on Lambda.
    queue = queue.then(() => run(invocation)).catch((error: unknown) => console.error(error));
  });
});

server.listen(Number(required('LOCALSTACK_RUNTIME_PORT')), '127.0.0.1', () => {
  void post(`/status/${runtimeId}/ready`, {});
});

// An environment never outlives the LocalStack that started it, however LocalStack ends.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    environment?.kill();
    process.exit(1);
  }
}, 1000).unref();
