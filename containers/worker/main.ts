import { createTelemetry } from '../../src/runtime/telemetry.js';
import { executeDepsFromEnv } from '../../src/runtime/wiring.js';
import { runWorker, WorkerExit } from '../../src/runtime/worker.js';

/** Entry point of the Fargate worker task: runs one job, then exits with its outcome. */
const telemetry = createTelemetry('worker');
// ECS sends SIGTERM on StopTask, a Spot reclaim or a scale-in, and SIGKILL `stopTimeout` later:
// the job is aborted and put back within that time, so it runs again at once elsewhere.
const stop = new AbortController();
process.once('SIGTERM', () => {
  telemetry.logger.warn('SIGTERM: stopping the job and putting it back');
  stop.abort(new Error('SIGTERM'));
});
try {
  process.exitCode = await runWorker(process.env, executeDepsFromEnv(process.env, telemetry), {
    stop: stop.signal,
  });
} catch (error) {
  telemetry.logger.error('worker failed', error as Error);
  process.exitCode = WorkerExit.error;
}
