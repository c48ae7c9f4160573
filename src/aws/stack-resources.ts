import { paginateListStackResources, type CloudFormationClient, type StackResourceSummary } from '@aws-sdk/client-cloudformation';

/** A bound on pages of 100 resources (CloudFormation allows 500 resources a stack). */
const MAX_PAGES = 20;

/** Every resource of a stack (ListStackResources, every page up to the bound). Throws what CloudFormation throws: each caller says it its own way. */
export async function listStackResources(client: CloudFormationClient, stackName: string): Promise<StackResourceSummary[]> {
  const out: StackResourceSummary[] = [];
  let pages = 0;
  for await (const page of paginateListStackResources({ client }, { StackName: stackName })) {
    out.push(...(page.StackResourceSummaries ?? []));
    if (++pages >= MAX_PAGES) break;
  }
  return out;
}
