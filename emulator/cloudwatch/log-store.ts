import { compileFilterPattern } from './filter-pattern.ts';
import type { LogEvent, LogSink } from './types.ts';

/** Per-group cap on stored message text (oldest events are evicted first), default 32 MiB. */
export const DEFAULT_MAX_BYTES_PER_GROUP = 32 * 1024 * 1024;
/** Events examined per filter call before answering with a nextToken, as CloudWatch pages. */
const MAX_SCAN_PER_QUERY = 200_000;
const CHUNK_SIZE = 4096;
/** Rough per-event bookkeeping cost added to the message length. */
const EVENT_OVERHEAD_BYTES = 48;

export interface StoredLogEvent {
  logStreamName: string;
  /** epoch ms */
  timestamp: number;
  message: string;
  /** epoch ms */
  ingestionTime: number;
  eventId: string;
}

export interface LogQuery {
  logGroupName: string;
  /** epoch ms, inclusive */
  startTime?: number;
  /** epoch ms, inclusive (CloudWatch includes events at endTime) */
  endTime?: number;
  filterPattern?: string;
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  /** default and maximum 10,000 */
  limit?: number;
  /** continue after this event sequence number (from a previous page's `next`) */
  after?: number;
}

export interface LogQueryPage {
  events: StoredLogEvent[];
  searchedStreams: string[];
  /** Sequence number to continue from, when more events may match. */
  next?: number;
}

export interface LogGroupInfo {
  logGroupName: string;
  creationTime: number;
  storedBytes: number;
  /** absent: the events never expire */
  retentionInDays?: number;
}

interface Chunk {
  firstSeq: number;
  timestamps: number[];
  ingestion: number[];
  streams: number[];
  messages: string[];
  minTs: number;
  maxTs: number;
  bytes: number;
}

interface Group {
  creationTime: number;
  retentionInDays?: number;
  streamNames: string[];
  streamIds: Map<string, number>;
  chunks: Chunk[];
  bytes: number;
  nextSeq: number;
}

export interface LogStoreOptions {
  maxBytesPerGroup?: number;
  now?: () => number;
}

/**
 * The emulator's CloudWatch Logs store: events per log group in arrival order (which is time
 * order up to a few ms between streams), in chunks so that eviction and time-range scans are
 * cheap. Bounded per group by message bytes; the oldest chunk (at most 1/8 of the budget) goes first.
 */
export class LogStore implements LogSink {
  private readonly groups = new Map<string, Group>();
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(options: LogStoreOptions = {}) {
    this.maxBytes = options.maxBytesPerGroup ?? DEFAULT_MAX_BYTES_PER_GROUP;
    this.now = options.now ?? Date.now;
  }

  append(groupName: string, stream: string, event: LogEvent): void {
    const group = this.group(groupName);
    let streamId = group.streamIds.get(stream);
    if (streamId === undefined) {
      streamId = group.streamNames.length;
      group.streamNames.push(stream);
      group.streamIds.set(stream, streamId);
    }
    let chunk = group.chunks[group.chunks.length - 1];
    if (!chunk || chunk.messages.length >= CHUNK_SIZE || chunk.bytes >= this.maxBytes / 8) {
      chunk = {
        firstSeq: group.nextSeq,
        timestamps: [],
        ingestion: [],
        streams: [],
        messages: [],
        minTs: Infinity,
        maxTs: -Infinity,
        bytes: 0,
      };
      group.chunks.push(chunk);
    }
    const size = event.message.length + EVENT_OVERHEAD_BYTES;
    chunk.timestamps.push(event.timestamp);
    chunk.ingestion.push(this.now());
    chunk.streams.push(streamId);
    chunk.messages.push(event.message);
    if (event.timestamp < chunk.minTs) chunk.minTs = event.timestamp;
    if (event.timestamp > chunk.maxTs) chunk.maxTs = event.timestamp;
    chunk.bytes += size;
    group.bytes += size;
    group.nextSeq++;
    while (group.bytes > this.maxBytes && group.chunks.length > 1) {
      const evicted = group.chunks.shift() as Chunk;
      group.bytes -= evicted.bytes;
    }
  }

  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  /**
   * An empty log group (CreateLogGroup, or the stack's AWS::Logs::LogGroup); false when it exists
   * already. Its retention is said (DescribeLogGroups), not applied: a run's events are minutes old.
   */
  createGroup(name: string, options: { retentionInDays?: number } = {}): boolean {
    if (this.groups.has(name)) return false;
    const group = this.group(name);
    if (options.retentionInDays !== undefined) group.retentionInDays = options.retentionInDays;
    return true;
  }

  /** Log groups sorted by name, optionally by name prefix. */
  describeGroups(prefix = ''): LogGroupInfo[] {
    const out: LogGroupInfo[] = [];
    for (const [name, group] of this.groups) {
      if (name.startsWith(prefix)) out.push({ logGroupName: name, creationTime: group.creationTime, storedBytes: group.bytes, ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}) });
    }
    return out.sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : 1));
  }

  /** Matching events in arrival order; undefined when the group does not exist. */
  filter(q: LogQuery): LogQueryPage | undefined {
    const group = this.groups.get(q.logGroupName);
    if (!group) return undefined;
    const matches = compileFilterPattern(q.filterPattern);
    const limit = Math.min(q.limit ?? 10_000, 10_000);
    const start = q.startTime ?? -Infinity;
    const end = q.endTime ?? Infinity;
    const streamOk = streamSelector(group, q);
    const events: StoredLogEvent[] = [];
    let scanned = 0;
    let seq = Math.max(q.after ?? 0, group.chunks[0]?.firstSeq ?? 0);

    for (const chunk of group.chunks) {
      const chunkEnd = chunk.firstSeq + chunk.messages.length;
      if (chunkEnd <= seq) continue;
      if (chunk.maxTs < start || chunk.minTs > end) {
        seq = chunkEnd;
        continue;
      }
      for (let i = seq - chunk.firstSeq; i < chunk.messages.length; i++, seq++) {
        if (events.length >= limit || scanned >= MAX_SCAN_PER_QUERY) {
          return { events, searchedStreams: group.streamNames.filter((_, id) => streamOk(id)), next: seq };
        }
        scanned++;
        const ts = chunk.timestamps[i];
        if (ts < start || ts > end || !streamOk(chunk.streams[i]) || !matches(chunk.messages[i])) continue;
        events.push({
          logStreamName: group.streamNames[chunk.streams[i]],
          timestamp: ts,
          message: chunk.messages[i],
          ingestionTime: chunk.ingestion[i],
          eventId: String(seq).padStart(20, '0'),
        });
      }
    }
    return { events, searchedStreams: group.streamNames.filter((_, id) => streamOk(id)) };
  }

  /** Forget everything (between runs). */
  clear(): void {
    this.groups.clear();
  }

  private group(name: string): Group {
    let group = this.groups.get(name);
    if (!group) {
      group = { creationTime: this.now(), streamNames: [], streamIds: new Map(), chunks: [], bytes: 0, nextSeq: 0 };
      this.groups.set(name, group);
    }
    return group;
  }
}

function streamSelector(group: Group, q: LogQuery): (streamId: number) => boolean {
  if (q.logStreamNames && q.logStreamNames.length > 0) {
    const ids = new Set(q.logStreamNames.map((n) => group.streamIds.get(n)).filter((id) => id !== undefined));
    return (id) => ids.has(id);
  }
  const prefix = q.logStreamNamePrefix;
  if (prefix) return (id) => group.streamNames[id].startsWith(prefix);
  return () => true;
}
