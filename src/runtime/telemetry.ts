import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { JobMetric, METRICS_NAMESPACE, SERVICE_NAME } from '../../contract/names.js';
import type { Route } from '../../contract/routing.js';

/** Logs and job metrics, the same in the Lambda and in the worker (EMF lines on stdout). */
export interface Telemetry {
  logger: Logger;
  jobStarted(route: Route): void;
  /** `durationMs` is left out when the job never ran (refused input, a task that died). */
  jobFinished(route: Route, outcome: 'SUCCEEDED' | 'FAILED', durationMs?: number): void;
}

export function createTelemetry(component: string): Telemetry {
  const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { component } });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  // A single metric is published at once with its own dimensions, so routes never mix.
  const emit = (
    name: string,
    route: Route,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
  ) => {
    const single = metrics.singleMetric();
    single.addDimension('route', route);
    single.addMetric(name, unit, value);
  };
  return {
    logger,
    jobStarted: (route) => emit(JobMetric.STARTED, route, MetricUnit.Count, 1),
    jobFinished: (route, outcome, durationMs) => {
      emit(outcome === 'SUCCEEDED' ? JobMetric.SUCCEEDED : JobMetric.FAILED, route, MetricUnit.Count, 1);
      if (durationMs !== undefined) emit(JobMetric.DURATION, route, MetricUnit.Milliseconds, durationMs);
    },
  };
}
