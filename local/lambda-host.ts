/**
 * Runs one Lambda invocation in this (child) process, the way the Lambda runtime would: import the
 * bundled handler, call it with the event and a context whose remaining time counts down to the
 * function's timeout, and report the result to the parent over IPC. The parent enforces the
 * timeout by killing this process, as Lambda does.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

interface Invocation {
  event: unknown;
  timeoutMs: number;
  functionName: string;
  memoryMb: number;
  requestId?: string;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

process.once('message', async (message: Invocation) => {
  const started = Date.now();
  const requestId = message.requestId ?? randomUUID();
  const context = {
    functionName: message.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${message.functionName}`,
    memoryLimitInMB: String(message.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${message.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, message.timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const module = (await import(pathToFileURL(process.argv[2]!).href)) as { handler: Handler };
    const result = await module.handler(message.event, context);
    process.send!({ ok: true, result: result ?? null }, () => process.exit(0));
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send!({ ok: false, error: { name: e.name, message: e.message, stack: e.stack } }, () =>
      process.exit(1),
    );
  }
});
