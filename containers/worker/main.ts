import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import { commonSettings } from '../../src/runtime/settings.js';
import { createTelemetry } from '../../src/runtime/telemetry.js';
import { runWorker, WorkerExit } from '../../src/runtime/worker.js';

/** Entry point of the Fargate worker task: runs one job, then exits with its outcome. */
const telemetry = createTelemetry('worker');
try {
  const settings = commonSettings(process.env);
  const clients = createClients();
  process.exitCode = await runWorker(process.env, {
    jobs: new JobsTable(clients.ddb, settings.jobsTable),
    objects: new Objects(clients.s3),
    sharedMountPath: settings.sharedMountPath,
    telemetry,
  });
} catch (error) {
  telemetry.logger.error('worker failed', error as Error);
  process.exitCode = WorkerExit.error;
} finally {
  telemetry.flush();
}
