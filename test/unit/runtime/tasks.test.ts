import {
  ClientException,
  ECSServiceException,
  InvalidParameterException,
  RunTaskCommand,
  ServerException,
  type ECSClient,
  type RunTaskCommandOutput,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import {
  classifyRunTaskRefusal,
  launchClientToken,
  TaskLaunchRefused,
  TaskPlacementError,
  WorkerTasks,
} from '../../../src/runtime/aws/tasks.js';

const $metadata = { httpStatusCode: 400 };

function serviceError(name: string, message: string, httpStatusCode = 400): ECSServiceException {
  return new ECSServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

describe('classifyRunTaskRefusal', () => {
  it.each([
    ['ThrottlingException', serviceError('ThrottlingException', 'Rate exceeded'), 'throttled'],
    ['HTTP 429', serviceError('TooManyRequests', 'slow down', 429), 'throttled'],
    [
      'InvalidParameterException "Rate exceeded"',
      new InvalidParameterException({ message: 'Rate exceeded', $metadata }),
      'throttled',
    ],
    [
      'ClientException "Rate exceeded."',
      new ClientException({ message: 'Rate exceeded.', $metadata }),
      'throttled',
    ],
    [
      "EC2's throttling wrapped in InvalidParameterException",
      new InvalidParameterException({
        message:
          'Error retrieving security group information for [sg-0123]: Request limit exceeded. (ErrorCode: RequestLimitExceeded)',
        $metadata,
      }),
      'throttled',
    ],
    ['ServerException', new ServerException({ message: 'Service Unavailable', $metadata }), 'unavailable'],
    ['an HTTP 503', serviceError('ServiceUnavailable', 'try later', 503), 'unavailable'],
    ['a connection reset (no answer)', connectionReset(), 'unavailable'],
    ['a timeout (no answer)', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'unavailable'],
    [
      'InvalidParameterException about the request',
      new InvalidParameterException({
        message: 'No Container Instances were found in your cluster.',
        $metadata,
      }),
      'permanent',
    ],
    [
      'AccessDeniedException',
      serviceError('AccessDeniedException', 'not authorized to perform ecs:RunTask'),
      'permanent',
    ],
    [
      'ConflictException (token reused)',
      serviceError('ConflictException', 'clientToken in use'),
      'permanent',
    ],
  ])('classifies %s', (_label, error, kind) => {
    const refusal = classifyRunTaskRefusal(error);
    expect(refusal.kind).toBe(kind);
    expect(refusal.reason).toContain(error.message);
  });

  it('names the error in the reason', () => {
    expect(classifyRunTaskRefusal(serviceError('ThrottlingException', 'Rate exceeded')).reason).toBe(
      'ThrottlingException: Rate exceeded',
    );
    expect(classifyRunTaskRefusal(connectionReset()).reason).toBe('ECONNRESET: socket hang up');
  });

  it.each([
    ["You've reached the limit on the number of tasks you can run concurrently", 'capacity'],
    [
      "You've reached the limit on the number of tasks you can run concurrently. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
      'capacity',
    ],
    ['You’ve reached the limit on the number of vCPUs you can run concurrently', 'capacity'],
    [
      'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      'capacity',
    ],
    ['RESOURCE:MEMORY', 'capacity'],
    ['RESOURCE:CPU', 'capacity'],
    ['RESOURCE:ENI', 'capacity'],
    ['AGENT', 'capacity'],
    ['MISSING', 'permanent'],
    ['The requested CPU configuration is above your limit', 'permanent'],
    ['ATTRIBUTE', 'permanent'],
  ])('classifies the failure "%s" as %s', (reason, kind) => {
    expect(classifyRunTaskRefusal({ arn: 'arn:aws:ecs:…', reason })).toEqual({ kind, reason });
  });

  it('adds the detail to a failure reason, and names a failure without one', () => {
    expect(classifyRunTaskRefusal({ reason: 'AGENT', detail: 'agent disconnected' }).reason).toBe(
      'AGENT agent disconnected',
    );
    expect(classifyRunTaskRefusal({})).toEqual({ kind: 'permanent', reason: 'no task and no reason given' });
  });
});

describe('launchClientToken', () => {
  it("is the job's id and the attempt, within ECS's 64 characters", () => {
    const jobId = 'a'.repeat(32);
    expect(launchClientToken(jobId, 2)).toBe(`${jobId}-2`);
  });

  it.each([
    ['too long', 'a'.repeat(64)],
    ['with a space', 'job 1'],
    ['non-ASCII', 'jöb'],
  ])('rejects a token %s', (_label, jobId) => {
    expect(() => launchClientToken(jobId, 1)).toThrow(/not 1–64 ASCII characters 33–126/);
  });
});

/** An ECS client whose RunTask answers come from a script, and which records each request. */
function scriptedEcs(answers: (() => Partial<RunTaskCommandOutput>)[]) {
  const requests: RunTaskCommand['input'][] = [];
  const ecs = {
    send: async (command: RunTaskCommand) => {
      requests.push(command.input);
      const answer = answers.shift();
      if (!answer) throw new Error('no more answers');
      return answer();
    },
  } as unknown as ECSClient;
  return { ecs, requests };
}

const settings = {
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/w:1',
  containerName: 'worker',
  subnets: ['subnet-1'],
  securityGroups: ['sg-1'],
};
const job = { jobId: 'f'.repeat(32), bucket: 'b', key: 'incoming/x.fq', versionId: 'v1' };
const started = () => ({ tasks: [{ taskArn: 'arn:task/1' }], failures: [] });

describe('WorkerTasks.launch', () => {
  it('makes one RunTask with the clientToken of the attempt', async () => {
    const { ecs, requests } = scriptedEcs([started]);
    await expect(new WorkerTasks(ecs, settings).launch(job, 3)).resolves.toEqual({ taskArn: 'arn:task/1' });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ clientToken: `${job.jobId}-3`, count: 1, launchType: 'FARGATE' });
  });

  it('repeats a RunTask whose answer was lost, with the same clientToken', async () => {
    const { ecs, requests } = scriptedEcs([
      () => {
        throw connectionReset();
      },
      started,
    ]);
    await expect(new WorkerTasks(ecs, settings).launch(job, 1)).resolves.toEqual({ taskArn: 'arn:task/1' });
    expect(requests.map((r) => r.clientToken)).toEqual([`${job.jobId}-1`, `${job.jobId}-1`]);
  });

  it('throws the refusal classified, without retrying it', async () => {
    const { ecs, requests } = scriptedEcs([
      () => ({
        tasks: [],
        failures: [{ reason: "You've reached the limit on the number of tasks you can run concurrently" }],
      }),
    ]);
    const refused = await new WorkerTasks(ecs, settings).launch(job, 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TaskLaunchRefused);
    expect((refused as TaskLaunchRefused).refusal.kind).toBe('capacity');
    expect((refused as TaskLaunchRefused).transient).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('keeps the thrown error as the cause', async () => {
    const error = new InvalidParameterException({ message: 'Rate exceeded', $metadata });
    const { ecs } = scriptedEcs([
      () => {
        throw error;
      },
    ]);
    const refused = (await new WorkerTasks(ecs, settings).launch(job, 1).catch((e: unknown) => e)) as Error;
    expect(refused).toMatchObject({ refusal: { kind: 'throttled' }, cause: error });
  });
});

describe('WorkerTasks.start', () => {
  const quick = { baseMs: 1 };

  it('retries transient refusals with the same clientToken, then gives up with the last reason', async () => {
    const throttled = () => {
      throw serviceError('ThrottlingException', 'Rate exceeded');
    };
    const { ecs, requests } = scriptedEcs([throttled, throttled, throttled]);
    const tasks = new WorkerTasks(ecs, settings, { ...quick, attempts: 3 });
    await expect(tasks.start({ ...job, attempts: 2 })).rejects.toThrow(TaskPlacementError);
    expect(requests.map((r) => r.clientToken)).toEqual(Array(3).fill(`${job.jobId}-2`));
  });

  it('fails at once on a permanent refusal', async () => {
    const { ecs, requests } = scriptedEcs([() => ({ tasks: [], failures: [{ reason: 'MISSING' }] })]);
    const tasks = new WorkerTasks(ecs, settings, quick);
    await expect(tasks.start(job)).rejects.toThrow(/RunTask refused \(permanent\): MISSING/);
    expect(requests).toHaveLength(1);
  });
});
