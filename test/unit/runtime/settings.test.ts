import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hasSecondCpu } from '../../../src/runtime/settings.js';

describe('hasSecondCpu', () => {
  it('counts a second vCPU on Lambda only from 3,538 MB, whatever the machine reports', () => {
    expect(hasSecondCpu({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' })).toBe(false);
    expect(hasSecondCpu({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1769' })).toBe(false);
    expect(hasSecondCpu({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3537' })).toBe(false);
    expect(hasSecondCpu({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3538' })).toBe(true);
    expect(hasSecondCpu({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '10240' })).toBe(true);
  });

  it("takes a worker task's vCPUs from its environment, not from the machine it runs on", () => {
    expect(hasSecondCpu({ TASK_VCPUS: '0.5' })).toBe(false);
    expect(hasSecondCpu({ TASK_VCPUS: '1' })).toBe(false);
    expect(hasSecondCpu({ TASK_VCPUS: '2' })).toBe(true);
    expect(hasSecondCpu({ TASK_VCPUS: '4' })).toBe(true);
  });

  it('asks the machine everywhere else (the CLI, a laptop)', () => {
    expect(hasSecondCpu({})).toBe(availableParallelism() > 1);
  });
});
