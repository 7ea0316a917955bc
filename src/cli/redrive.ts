import { dispatcherSubmitter } from '../runtime/aws/dispatcher-invoke.js';
import { onFailureQueue } from '../runtime/aws/on-failure-queue.js';
import { resubmitOnFailure, type ResubmitReport } from '../runtime/on-failure.js';
import { CommandError, ExitCode, runCommand, TARGET_OPTIONS, TARGET_USAGE } from './command.js';
import { connectTarget } from './target.js';

const USAGE = `usage: pipeline redrive [--stack NAME] [--region R]

Gives the events in the dispatcher's on-failure queue (its invocations failed every retry)
another run: each record's original S3 event is handed to the dispatcher again as an
asynchronous invocation, and its message is deleted once Lambda has accepted it. Messages that
hold no S3 event, or whose event was not accepted, stay in the queue. Fix the cause first
(\`pipeline jobs\` and the dispatcher's logs say what failed); a job that has since finished is
left as it is (the dispatcher counts the event as a repeat).

${TARGET_USAGE}`;

export function runRedrive(args: string[]): Promise<number> {
  return runCommand(args, USAGE, TARGET_OPTIONS, async ({ values }) => {
    const target = await connectTarget({ stack: values.stack, region: values.region });
    try {
      const { dispatcher, onFailure } = target;
      if (!dispatcher || !onFailure) {
        throw new CommandError(`${target.description} does not name its dispatcher and its on-failure queue`);
      }
      const report = await resubmitOnFailure({
        ...onFailureQueue(onFailure.sqs, onFailure.queueUrl),
        submit: dispatcherSubmitter(dispatcher.lambda, dispatcher.functionName),
      });
      process.stdout.write(describeRedrive(report, target.description));
      return report.failed > 0 ? ExitCode.FAILED : ExitCode.OK;
    } finally {
      target.destroy();
    }
  });
}

/** What a redrive did, message by message, then the counts. */
export function describeRedrive(report: ResubmitReport, where: string): string {
  const lines = report.messages.map((m) => {
    if (m.outcome === 'skipped') return `  skipped (left in the queue): ${m.reason}`;
    if (m.outcome === 'failed')
      return `  not accepted (left in the queue): ${m.keys.join(', ')}: ${m.reason}`;
    return `  resubmitted: ${m.keys.join(', ')}${m.error ? ` (it had failed with ${m.error})` : ''}`;
  });
  return [
    `${where}: on-failure queue`,
    ...lines,
    `${report.resubmitted} resubmitted, ${report.skipped} skipped, ${report.failed} not accepted`,
    '',
  ].join('\n');
}
