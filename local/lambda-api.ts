import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The part of Lambda's API the pipeline calls, for the local runner that plays Lambda: an
 * asynchronous `Invoke` (`X-Amz-Invocation-Type: Event`) of a function by name. The SDK reaches
 * it through `AWS_ENDPOINT_URL_LAMBDA`, so code that invokes the dispatcher runs unchanged here.
 */
export interface LocalLambdaApi {
  endpoint: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** `accept` queues the event for the function and returns false when there is no such function. */
export async function startLambdaApi(
  accept: (functionName: string, event: unknown) => boolean,
): Promise<LocalLambdaApi> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = INVOKE_PATH.exec(req.url?.split('?')[0] ?? '');
      const reply = (status: number, body?: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body ? JSON.stringify(body) : '');
      };
      if (req.method !== 'POST' || !match) return reply(404, { message: 'not a Lambda Invoke request' });
      if (req.headers['x-amz-invocation-type'] !== 'Event') {
        return reply(400, { message: 'the local Lambda API takes asynchronous invocations only' });
      }
      let event: unknown;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return reply(400, { Type: 'User', message: 'the payload is not JSON' });
      }
      const name = decodeURIComponent(match[1]!).split(':').at(-1)!;
      if (!accept(name, event)) {
        res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
        return reply(404, { Type: 'User', message: `Function not found: ${name}` });
      }
      reply(202);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
