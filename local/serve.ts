/**
 * `npm run local [-- --emulator moto|localstack]`: keeps a local cloud running until Ctrl-C. Any
 * S3 client pointed at the endpoint can upload to `incoming/`; results appear under `results/`
 * and in `.local/efs/results/`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { INCOMING_PREFIX } from '../contract/names.js';
import { describeChaos } from './chaos.js';
import { invocationLines, taskLine } from './console-lines.js';
import { localOutputsFile } from '../src/cli/local-cloud.js';
import { chaosFor, ensureEmulatorInstalled, parseEmulator, startEmulated } from './emulators.js';

import type { InvocationReport, TaskReport, TaskStart } from './runner.js';

export type { LocalOutputs } from './emulators.js';

// The SDK's notice that its 2027 releases need Node 22 is not for this command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  // Everything given is checked before anything starts.
  const { values: args } = parseArgs({ options: { emulator: { type: 'string' } } });
  const emulator = parseEmulator(args.emulator ?? process.env.LOCAL_EMULATOR);
  const chaos = chaosFor(emulator, process.env);
  ensureEmulatorInstalled(emulator);
  const port = Number(process.env.LOCAL_PORT ?? 4566);
  if (emulator === 'localstack')
    console.log('starting LocalStack and deploying the stack into it (about a minute)…');
  if (chaos) console.log(describeChaos(chaos));
  // Ctrl-C (SIGINT to the terminal's whole process group), kill, or a closed terminal: stop in
  // order once started. The emulator and the functions are in process groups of their own, so
  // they are still there for the runner to finish with. A repeated signal changes nothing: npm
  // and tsx pass on the SIGINT this process got from the terminal already.
  const stopSignal = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve());
  });
  const local = await startEmulated(emulator, {
    port,
    stateDir: process.env.LOCAL_STATE_DIR,
    chaos: chaos?.chaos,
  });
  const { outputs } = local;
  const outputsFile = localOutputsFile({ stateDir: local.stateDir });
  await writeFile(outputsFile, JSON.stringify(outputs, null, 2) + '\n');

  const time = () => new Date().toISOString().slice(11, 19);
  const print = (lines: string[]) => lines.forEach((line) => console.log(`${time()} ${line}`));
  local.tasks.on('task-started', (t: TaskStart) => print([taskLine(t)]));
  local.tasks.on('task-stopped', (t: TaskReport) => print([taskLine(t)]));
  local.tasks.on('invocation', (r: InvocationReport) => print(invocationLines(r)));

  console.log(`local cloud running: ${local.describe().join('\n')}`);
  console.log(`endpoint ${outputs.endpoint}, region ${outputs.region}, bucket ${outputs.bucket}`);
  console.log(
    `outputs written to ${path.relative(process.cwd(), outputsFile)}; logs in ${path.relative(process.cwd(), path.join(local.stateDir, 'logs'))}`,
  );
  console.log('try:');
  console.log(
    `  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=${outputs.region}`,
  );
  console.log(
    `  aws --endpoint-url ${outputs.endpoint} s3 cp reads.fastq.gz s3://${outputs.bucket}/${INCOMING_PREFIX}reads.fastq.gz`,
  );
  console.log(
    `  aws --endpoint-url ${outputs.endpoint} s3 cp s3://${outputs.bucket}/results/reads.fastq.gz.json -`,
  );
  console.log('Ctrl-C to stop');

  await stopSignal;
  console.log('\nstopping…');
  await local.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`local cloud failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
