/**
 * The function provider-cost.ts's event source mapping invokes: it does nothing with its batch
 * and reports no failures, so the mapping's own work (receive, the SQS event, invoke, delete)
 * is what is measured.
 */
export const handler = async (event: { Records: unknown[] }): Promise<{ batchItemFailures: never[] }> => {
  void event.Records.length;
  return { batchItemFailures: [] };
};
