/** A CLI subcommand: `run` returns the process exit code. */
export interface Command {
  /** One line for `--help`. */
  summary: string;
  run(args: string[]): Promise<number>;
}

/** Exit codes shared by all subcommands. */
export const ExitCode = {
  OK: 0,
  /** The input (or another runtime condition) is at fault. */
  FAILED: 1,
  /** The command line is wrong. */
  USAGE: 2,
} as const;

/** A command-line mistake: the message is printed with the usage and the exit code is 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
