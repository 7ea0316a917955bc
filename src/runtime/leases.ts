/**
 * How long each kind of claim on a job lasts before the sweeper may consider the job abandoned.
 * A running worker renews its lease with a heartbeat, so a long job never looks abandoned while
 * its worker is alive, and a dead worker is noticed within minutes.
 */

/**
 * A job in the launch queue waits for a task at most this long past its next delivery; the
 * launcher extends it each time it puts the request back, so only a launcher that stopped
 * altogether lets it run out.
 */
export const LAUNCH_WAIT_LEASE_SECONDS = 15 * 60;

/** A job handed to ECS waits for Fargate to place the task and pull the image. */
export const QUEUED_ON_ECS_LEASE_SECONDS = 15 * 60;

/** A running worker writes a heartbeat this often… */
export const HEARTBEAT_SECONDS = 60;

/** …and each heartbeat extends its lease this far. */
export const RUNNING_LEASE_SECONDS = 5 * 60;

/** A job run inside the dispatcher is abandoned when its invocation has ended plus this margin. */
export const LAMBDA_LEASE_MARGIN_SECONDS = 30;

/** Exponential backoff with jitter: about base, 2×base, 4×base… */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** Math.max(0, attempt - 1) * (0.5 + random() / 2));
}
