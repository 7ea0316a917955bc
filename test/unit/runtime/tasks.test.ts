import {
  ClientException,
  ECSServiceException,
  InvalidParameterException,
  ServerException,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { classifyRunTaskRefusal, launchClientToken } from '../../../src/runtime/aws/tasks.js';

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
