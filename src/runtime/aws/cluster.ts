import { paginateListTasks, type ECSClient } from '@aws-sdk/client-ecs';

/**
 * Tasks of the cluster that hold or will soon hold Fargate capacity (desired status RUNNING:
 * pending and running), counted up to `upTo`: the launcher only needs to know whether the cap is
 * reached, so it reads no more pages than that. (DescribeClusters has the counts in one call on
 * AWS, but an emulator may not keep them: moto's stay 0.)
 */
export async function activeTaskCount(ecs: ECSClient, clusterArn: string, upTo: number): Promise<number> {
  let count = 0;
  const pages = paginateListTasks(
    { client: ecs, pageSize: 100 },
    { cluster: clusterArn, desiredStatus: 'RUNNING' },
  );
  for await (const page of pages) {
    count += page.taskArns?.length ?? 0;
    if (count >= upTo) break;
  }
  return count;
}
