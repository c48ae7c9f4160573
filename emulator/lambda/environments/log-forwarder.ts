import { mayBeEmf, parseEmfLine } from '../../cloudwatch/emf.ts';
import type { LogSink, MetricSink } from '../../cloudwatch/types.ts';

/** CloudWatch Logs' maximum event size; longer lines are truncated, as Lambda does. */
const MAX_EVENT_CHARS = 256 * 1024;

/**
 * Turns an environment's output stream into log events: one event per line in the function's
 * log group and the environment's stream; lines that are EMF also become metric data points.
 */
export class LogForwarder {
  private rest = '';

  constructor(
    private readonly logs: LogSink,
    private readonly metrics: MetricSink,
    readonly group: string,
    readonly stream: string,
  ) {}

  /** A chunk of the worker's stdout/stderr (utf8; lines may span chunks). */
  push(chunk: string): void {
    let data = this.rest === '' ? chunk : this.rest + chunk;
    this.rest = '';
    let start = 0;
    for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', start)) {
      this.line(data.slice(start, nl));
      start = nl + 1;
    }
    if (start < data.length) {
      data = data.slice(start);
      if (data.length > MAX_EVENT_CHARS) this.line(data);
      else this.rest = data;
    }
  }

  /** Emit what is left without a trailing newline (the worker ended). */
  flush(): void {
    if (this.rest !== '') this.line(this.rest);
    this.rest = '';
  }

  /** One log event; also used for the platform lines the runtime writes itself. */
  line(text: string): void {
    const message = text.length > MAX_EVENT_CHARS ? text.slice(0, MAX_EVENT_CHARS) : text;
    if (message === '') return;
    const timestamp = Date.now();
    this.logs.append(this.group, this.stream, { timestamp, message });
    if (mayBeEmf(message)) {
      const data = parseEmfLine(message, timestamp);
      if (data) for (const datum of data) this.metrics.put(datum);
    }
  }
}
