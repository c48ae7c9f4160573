import { GetStagesCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';

/**
 * A REST API's stages by name (GetStages), less the one SAM deploys by the way: an
 * AWS::Serverless::Api without `OpenApiVersion` gets a stage named `Stage` from its Deployment
 * beside its own StageName, which nothing is sent to. Passed over where another exists.
 */
export async function restApiStages(client: APIGatewayClient, restApiId: string): Promise<string[]> {
  const names = ((await client.send(new GetStagesCommand({ restApiId }))).item ?? []).flatMap((s) => (s.stageName ? [s.stageName] : []));
  return names.length > 1 ? names.filter((n) => n !== 'Stage') : names;
}
