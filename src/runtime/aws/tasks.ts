import { RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { Env } from '../../../lib/contract.js';
import type { Job } from '../job.js';

export interface WorkerTaskSettings {
  clusterArn: string;
  taskDefinitionArn: string;
  containerName: string;
  subnets: string[];
  securityGroups: string[];
}

/** RunTask refused to place the task (capacity, throttling inside ECS): worth another try later. */
export class TaskPlacementError extends Error {
  override readonly name = 'TaskPlacementError';
}

/** Starts worker tasks on Fargate: private subnets, no public IP, the job passed as overrides. */
export class WorkerTasks {
  constructor(
    private readonly ecs: ECSClient,
    private readonly settings: WorkerTaskSettings,
  ) {}

  async start(job: Pick<Job, 'jobId' | 'bucket' | 'key' | 'versionId'>): Promise<string> {
    const s = this.settings;
    const out = await this.ecs.send(
      new RunTaskCommand({
        cluster: s.clusterArn,
        taskDefinition: s.taskDefinitionArn,
        launchType: 'FARGATE',
        count: 1,
        startedBy: `job/${job.jobId}`.slice(0, 36),
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: s.subnets,
            securityGroups: s.securityGroups,
            assignPublicIp: 'DISABLED',
          },
        },
        overrides: {
          containerOverrides: [
            {
              name: s.containerName,
              environment: [
                { name: Env.JOB_ID, value: job.jobId },
                { name: Env.JOB_BUCKET, value: job.bucket },
                { name: Env.JOB_KEY, value: job.key },
                { name: Env.JOB_VERSION_ID, value: job.versionId ?? '' },
              ],
            },
          ],
        },
      }),
    );
    const failure = out.failures?.[0];
    const taskArn = out.tasks?.[0]?.taskArn;
    if (failure || !taskArn) {
      throw new TaskPlacementError(
        `RunTask placed no task: ${failure?.reason ?? 'no reason given'} ${failure?.detail ?? ''}`.trim(),
      );
    }
    return taskArn;
  }
}
