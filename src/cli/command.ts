import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The options of a command, as `parseArgs` takes them. */
type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

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

/** The value of `--name`, which must be one of `allowed`; `fallback` when it is not given. */
export function choiceOption<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
): T | undefined;
export function choiceOption<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T;
export function choiceOption<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T | undefined {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  }
  return value as T;
}

/** How the commands that print rows can print them (`--format`). */
export const TABLE_FORMATS = ['table', 'tsv', 'json'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** The value of `--format` for a command that prints rows: `table` when it is not given. */
export function tableFormat(value: string | undefined): TableFormat {
  return choiceOption(value, 'format', TABLE_FORMATS, 'table');
}

/** Options every console command takes to say which pipeline it talks to. */
export const TARGET_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
} as const satisfies OptionsConfig;

export const TARGET_USAGE = `Talks to the local cloud \`npm run local\` runs (found by .local/outputs.json), or with
--stack NAME [--region R] to a deployed stack (credentials and region as the AWS CLI finds them).`;

/**
 * Runs a console command: `--help` prints its usage, a command-line mistake prints the error and
 * the usage (exit 2), and `body`'s known failures print one line (exit 1) instead of a stack trace.
 */
export async function runCommand<T extends OptionsConfig>(
  args: string[],
  usage: string,
  options: T,
  body: (parsed: ParsedArgs<T>) => Promise<number>,
): Promise<number> {
  let parsed: ParsedArgs<T>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    }) as unknown as ParsedArgs<T>;
  } catch (error) {
    return usageError((error as Error).message, usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return ExitCode.OK;
  }
  try {
    return await body(parsed);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message, usage);
    if (error instanceof CommandError) {
      process.stderr.write(`error: ${error.message}\n`);
      return ExitCode.FAILED;
    }
    throw error;
  }
}

function usageError(message: string, usage: string): number {
  process.stderr.write(`error: ${message}\n\n${usage}\n`);
  return ExitCode.USAGE;
}

/** A failure the user can act on: printed as one line, exit code 1. */
export class CommandError extends Error {
  override readonly name: string = 'CommandError';
}

type ParsedArgs<T extends OptionsConfig> = {
  values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
};
