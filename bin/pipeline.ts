/**
 * The project's command line: `npm run pipeline -- <command> [args]`.
 * Each subcommand lives in src/cli/; add one by adding a line to `commands`. Its module is
 * imported only when it runs, so one command's dependencies (the AWS SDK, say) do not slow
 * down another's start.
 */
import { ExitCode, type Command } from '../src/cli/command.js';

// The SDK's notice that its 2027 releases need Node 22 is for this project's maintainers (see the
// README), not for the output of every console command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const commands: Record<string, Command> = {
  stats: {
    summary: 'print the JSON report of a FASTQ or CSV file or standard input (plain or gzip)',
    run: async (args) => (await import('../src/cli/stats.js')).runStats(args),
  },
  submit: {
    summary: 'upload files or folders under incoming/ (progress bars); --watch waits for the results',
    run: async (args) => (await import('../src/cli/submit.js')).runSubmit(args),
  },
  jobs: {
    summary: 'list jobs: file, status, route, attempts, duration, error; --watch until none is open',
    run: async (args) => (await import('../src/cli/jobs.js')).runJobs(args),
  },
  results: {
    summary: 'print results as a table, as seqkit stats -a -T columns (tsv) or as JSON',
    run: async (args) => (await import('../src/cli/results.js')).runResults(args),
  },
  query: {
    summary: "run SQL over the results (DuckDB locally, standing in for the stack's Athena table)",
    run: async (args) => (await import('../src/cli/query.js')).runQuery(args),
  },
  report: {
    summary: 'download results and write an offline HTML summary and a table MultiQC reads',
    run: async (args) => (await import('../src/cli/report.js')).runReport(args),
  },
  reconcile: {
    summary: 'hand every upload that has no job (its event was lost) to the dispatcher',
    run: async (args) => (await import('../src/cli/reconcile.js')).runReconcile(args),
  },
  restore: {
    summary: 'restore an archived upload (DEEP_ARCHIVE, GLACIER) so its job runs again',
    run: async (args) => (await import('../src/cli/restore.js')).runRestore(args),
  },
  redrive: {
    summary: "resubmit the events in the dispatcher's on-failure queue to the dispatcher",
    run: async (args) => (await import('../src/cli/redrive.js')).runRedrive(args),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return `usage: pipeline <command> [args]   (pipeline <command> --help for details)\n\ncommands:\n${lines.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(`${usage()}\n`);
    return ExitCode.USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return ExitCode.OK;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`error: unknown command "${name}"\n\n${usage()}\n`);
    return ExitCode.USAGE;
  }
  return command.run(args);
}

process.exitCode = await main(process.argv.slice(2));
