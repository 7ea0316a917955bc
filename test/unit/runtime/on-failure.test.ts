import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functionArn, invocationRecord } from '../../../local/async-invoke.js';
import {
  parseOnFailureMessage,
  resubmitOnFailure,
  type OnFailureMessage,
} from '../../../src/runtime/on-failure.js';
import { objectCreatedEvent } from '../../../src/runtime/reconcile.js';

const EVENT = objectCreatedEvent('data', 'us-east-1', {
  key: 'incoming/run 1/a.fq',
  versionId: 'v1',
  lastModified: new Date('2026-11-30T12:00:00Z'),
  size: 5,
});

/** A record as the AWS documentation shows one (invocation-async-retain-records). */
const AWS_RECORD = {
  version: '1.0',
  timestamp: '2019-11-14T18:16:05.568Z',
  requestContext: {
    requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
    functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: EVENT,
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorMessage: 'RequestId: e4b46cbf Process exited before completing request' },
};

describe('parseOnFailureMessage', () => {
  it("finds the S3 event in Lambda's invocation record", () => {
    const parsed = parseOnFailureMessage(JSON.stringify(AWS_RECORD));
    expect(parsed).toMatchObject({ ok: true, event: EVENT, error: AWS_RECORD.responsePayload.errorMessage });
  });

  it("reads the local runner's record the same way", () => {
    const record = invocationRecord(functionArn('dispatcher'), EVENT, 3, 'boom');
    expect(Object.keys(record).sort()).toEqual(Object.keys(AWS_RECORD).sort());
    expect(Object.keys(record.requestContext).sort()).toEqual(Object.keys(AWS_RECORD.requestContext).sort());
    expect(parseOnFailureMessage(JSON.stringify(record))).toMatchObject({
      ok: true,
      event: EVENT,
      error: 'Error: boom',
    });
  });

  it('refuses a record whose payload is not an S3 event', () => {
    const record = { ...AWS_RECORD, requestPayload: { source: 'aws.events' } };
    expect(parseOnFailureMessage(JSON.stringify(record))).toMatchObject({
      ok: false,
      reason: /not an S3 event/,
    });
  });

  it('refuses a message that is not an invocation record', () => {
    expect(parseOnFailureMessage('hello')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseOnFailureMessage('{"Records":[]}')).toMatchObject({ ok: false, reason: /no requestContext/ });
  });
});

describe('resubmitOnFailure', () => {
  function queue(bodies: string[], failSubmit = false) {
    const messages: OnFailureMessage[] = bodies.map((body, i) => ({
      id: `m${i}`,
      body,
      receiptHandle: `r${i}`,
    }));
    const deleted: string[] = [];
    const submitted: S3Event[] = [];
    return {
      deleted,
      submitted,
      deps: {
        // Like SQS: what is not deleted comes back on the next receive.
        async receive() {
          return messages.filter((m) => !deleted.includes(m.id));
        },
        async delete(m: OnFailureMessage) {
          deleted.push(m.id);
        },
        async submit(event: S3Event) {
          if (failSubmit) throw new Error('throttled');
          submitted.push(event);
        },
      },
    };
  }

  it('resubmits each S3 event and deletes its message, and leaves the rest queued', async () => {
    const q = queue([
      JSON.stringify(AWS_RECORD),
      '{"requestContext":{"functionArn":"sweeper"},"requestPayload":{}}',
    ]);
    const report = await resubmitOnFailure(q.deps);
    expect(report).toMatchObject({ resubmitted: 1, skipped: 1, failed: 0 });
    expect(report.messages[0]).toMatchObject({ outcome: 'resubmitted', keys: ['incoming/run 1/a.fq'] });
    expect(q.submitted).toEqual([EVENT]);
    expect(q.deleted).toEqual(['m0']);
  });

  it('keeps a message whose event the dispatcher did not accept', async () => {
    const q = queue([JSON.stringify(AWS_RECORD)], true);
    const report = await resubmitOnFailure(q.deps);
    expect(report).toMatchObject({ resubmitted: 0, failed: 1 });
    expect(q.deleted).toEqual([]);
  });
});
