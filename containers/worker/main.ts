import { createTelemetry } from '../../src/runtime/telemetry.js';
import { executeDepsFromEnv } from '../../src/runtime/wiring.js';
import { runWorker, WorkerExit } from '../../src/runtime/worker.js';

/** Entry point of the Fargate worker task: runs one job, then exits with its outcome. */
const telemetry = createTelemetry('worker');
try {
  process.exitCode = await runWorker(process.env, executeDepsFromEnv(process.env, telemetry));
} catch (error) {
  telemetry.logger.error('worker failed', error as Error);
  process.exitCode = WorkerExit.error;
}
