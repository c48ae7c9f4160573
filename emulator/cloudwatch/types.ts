/** The in-memory CloudWatch store the runtime and gateway write to, and the endpoint reads. */

export interface MetricDatum {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
  unit?: string;
  /** epoch ms */
  timestamp: number;
}

export interface LogEvent {
  /** epoch ms */
  timestamp: number;
  message: string;
}

export interface MetricSink {
  put(datum: MetricDatum): void;
}

export interface LogSink {
  /** e.g. group "/aws/lambda/fanout-send-message", stream "2026/11/21/[$LATEST]<envId>" */
  append(group: string, stream: string, event: LogEvent): void;
}
