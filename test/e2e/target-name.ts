/** Where the end-to-end suite runs, from `E2E_TARGET`; read by the suite and by vitest.config.ts. */
export type TargetName = 'local' | 'localstack' | 'aws';

export function targetName(): TargetName {
  const name = (process.env.E2E_TARGET ?? 'local') as TargetName;
  if (!['local', 'localstack', 'aws'].includes(name))
    throw new Error(`E2E_TARGET must be local, localstack or aws, not ${name}`);
  return name;
}

/** For a file only the local cloud can run: why it skips here, or undefined on the local target. */
export function localTargetOnly(why: string): string | undefined {
  return targetName() === 'local' ? undefined : `${why}; local target only`;
}
