import { AwsApiError } from '../cloudwatch/aws-json.ts';

/**
 * SQS's errors, each by the name the SDK v3 models (`QueueDoesNotExist`) and the Query-era code
 * SQS also answers (`AWS.SimpleQueueService.NonExistentQueue`): the JSON protocol sends the name in
 * `__type` and the code in `x-amzn-query-error` (SQS is awsQueryCompatible, and the SDK raises the
 * class the code names); the Query protocol sends the code alone. Codes and statuses as the
 * SDK's model of SQS has them; the unmodelled ones (InvalidParameterValue, MissingParameter,
 * AccessDenied) as SQS answers them.
 */
const ERRORS = {
  QueueDoesNotExist: { code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { code: 'QueueAlreadyExists', status: 400 },
  ReceiptHandleIsInvalid: { code: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { code: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  EmptyBatchRequest: { code: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  BatchEntryIdsNotDistinct: { code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  BatchRequestTooLong: { code: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  InvalidBatchEntryId: { code: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  PurgeQueueInProgress: { code: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  UnsupportedOperation: { code: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  OverLimit: { code: 'OverLimit', status: 403 },
  InvalidAttributeName: { code: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { code: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { code: 'InvalidMessageContents', status: 400 },
  InvalidParameterValue: { code: 'InvalidParameterValue', status: 400 },
  MissingParameter: { code: 'MissingParameter', status: 400 },
  InvalidAction: { code: 'InvalidAction', status: 400 },
  AccessDenied: { code: 'AccessDenied', status: 403 },
} as const;

export type SqsErrorName = keyof typeof ERRORS;

/** An SQS error; an AwsApiError, so another service delivering to a queue (ServiceTargets) can take it as any AWS refusal. */
export class SqsError extends AwsApiError {
  /** the Query-era code (what botocore's Query protocol and a batch entry's `Code` carry) */
  readonly code: string;

  constructor(
    readonly sqsName: SqsErrorName,
    message: string,
  ) {
    const { code, status } = ERRORS[sqsName];
    // AccessDenied is IAM's, answered in the service framework's own namespace
    const type = sqsName === 'AccessDenied' ? 'com.amazon.coral.service#AccessDeniedException' : `com.amazonaws.sqs#${sqsName}`;
    super(type, message, status, `${code};Sender`);
    this.code = code;
    this.name = sqsName;
  }
}

export const queueDoesNotExist = (): SqsError => new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');

/** SQS's wording of a parameter out of range or malformed. */
export const invalidParameter = (name: string, value: unknown, reason: string): SqsError =>
  new SqsError('InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);

export const missingParameter = (name: string): SqsError => new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
