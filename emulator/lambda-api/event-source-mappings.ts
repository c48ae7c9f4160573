import type { EventSourceMappingDescription } from '../stack-model/stack-description.ts';
import { mappingUuid } from '../event-sources/mapping-uuid.ts';
import { invalidParameter, LambdaApiError } from './errors.ts';

/**
 * Lambda's ListEventSourceMappings and GetEventSourceMapping over the stack's mappings, as Lambda
 * answers them (EventSourceMappingConfiguration): the same UUID the mapping publishes its metrics
 * under (event-sources/mapping-uuid.ts), so a reader of the API finds its EventSourceMappingUUID
 * dimension. Read-only: the stack's template made them, and nothing changes them while it runs.
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html
 */

const LIST_DEFAULT = 100;
const LIST_MAX = 10_000;

export class EventSourceMappingReads {
  private readonly byUuid: ReadonlyMap<string, EventSourceMappingDescription>;
  /** when the stack created them: LastModified, in Unix seconds as Lambda's REST-JSON writes a timestamp */
  private readonly createdSec = Math.floor(Date.now() / 1000);

  constructor(
    mappings: readonly EventSourceMappingDescription[],
    private readonly place: { region: string; accountId: string },
  ) {
    this.byUuid = new Map(mappings.map((m) => [mappingUuid(m), m]));
  }

  /** The UUIDs in the order the stack lists its mappings. */
  uuids(): string[] {
    return [...this.byUuid.keys()];
  }

  /** ARN of one mapping, for IAM (`lambda:GetEventSourceMapping` on it). */
  arnOf(uuid: string): string {
    return `arn:aws:lambda:${this.place.region}:${this.place.accountId}:event-source-mapping:${uuid}`;
  }

  /** ListEventSourceMappings: filtered by FunctionName (a name or ARN) and EventSourceArn, paged by UUID (Marker: the last UUID of the page before). */
  list(q: { functionName?: string; eventSourceArn?: string; marker?: string; maxItems?: string }): Record<string, unknown> {
    let max = LIST_DEFAULT;
    if (q.maxItems !== undefined) {
      max = Number(q.maxItems);
      if (!Number.isInteger(max) || max < 1 || max > LIST_MAX) {
        throw invalidParameter(`1 validation error detected: Value '${q.maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${LIST_MAX}`);
      }
    }
    const fn = q.functionName === undefined ? undefined : this.functionNameOf(q.functionName);
    const all = [...this.byUuid.entries()].filter(([, m]) => (fn === undefined || m.functionName === fn) && (q.eventSourceArn === undefined || m.sourceArn === q.eventSourceArn));
    const start = q.marker === undefined ? 0 : all.findIndex(([uuid]) => uuid === q.marker) + 1;
    if (q.marker !== undefined && start === 0) throw invalidParameter(`Invalid marker: ${q.marker}`);
    const page = all.slice(start, start + max);
    const more = start + max < all.length;
    return { EventSourceMappings: page.map(([uuid, m]) => this.view(uuid, m)), ...(more ? { NextMarker: page[page.length - 1]![0] } : {}) };
  }

  /** GetEventSourceMapping; an unknown UUID is Lambda's ResourceNotFoundException. */
  get(uuid: string): Record<string, unknown> {
    const m = this.byUuid.get(uuid);
    if (!m) throw new LambdaApiError('ResourceNotFoundException', 404, `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`, 'Message');
    return this.view(uuid, m);
  }

  /** A function named by its name or ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`). */
  private functionNameOf(named: string): string {
    const parts = named.split(':');
    return parts[0] === 'arn' ? (parts[6] ?? named) : parts[0]!;
  }

  private view(uuid: string, m: EventSourceMappingDescription): Record<string, unknown> {
    const stream = m.kind === 'dynamodb-stream';
    return {
      UUID: uuid,
      EventSourceMappingArn: this.arnOf(uuid),
      EventSourceArn: m.sourceArn,
      FunctionArn: `arn:aws:lambda:${this.place.region}:${this.place.accountId}:function:${m.functionName}${m.qualifier === undefined ? '' : `:${m.qualifier}`}`,
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.maximumBatchingWindowSeconds,
      LastModified: this.createdSec,
      LastProcessingResult: 'No records processed',
      State: m.enabled ? 'Enabled' : 'Disabled',
      StateTransitionReason: 'USER_INITIATED',
      FunctionResponseTypes: m.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      ...(m.filters ? { FilterCriteria: { Filters: m.filters.map((p) => ({ Pattern: JSON.stringify(p) })) } } : {}),
      ...(m.maximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: m.maximumConcurrency } } : {}),
      ...(stream
        ? {
            StartingPosition: m.startingPosition ?? 'LATEST',
            ParallelizationFactor: m.parallelizationFactor ?? 1,
            BisectBatchOnFunctionError: m.bisectBatchOnFunctionError ?? false,
            MaximumRetryAttempts: m.maximumRetryAttempts ?? -1,
            MaximumRecordAgeInSeconds: m.maximumRecordAgeSeconds ?? -1,
            DestinationConfig: { OnFailure: m.onFailure ? { Destination: m.onFailure } : {} },
          }
        : {}),
    };
  }
}
