import { describe, expect, it } from 'vitest';
import { endpointPrefixOf, localTargetFor } from '../../emulator/lambda/runtimes/aws-endpoint-redirect.ts';
import { awsEndpointServices } from '../../emulator/lambda/runtimes/aws-endpoint-services.ts';

// Which local endpoint answers a request a function sends to an AWS host (the worker-side
// wrapping of https/http/fetch is exercised through real workers in lambda-user-code and
// stack-user-code tests).

const services = awsEndpointServices({
  gatewayOrigin: 'http://127.0.0.1:4001',
  dynamodb: 'http://127.0.0.1:4002',
  cloudwatch: 'http://127.0.0.1:4003/',
});

describe('AWS hosts answered locally', () => {
  it('names the endpoint prefix of an AWS host as AWS does: execute-api for an API\'s host, else the first label', () => {
    expect(endpointPrefixOf('a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com')).toBe('execute-api');
    expect(endpointPrefixOf('dynamodb.us-east-1.amazonaws.com')).toBe('dynamodb');
    expect(endpointPrefixOf('monitoring.us-east-1.amazonaws.com.')).toBe('monitoring');
    expect(endpointPrefixOf('logs.cn-north-1.amazonaws.com.cn')).toBe('logs');
    expect(endpointPrefixOf('dynamodb.us-east-1.api.aws')).toBe('dynamodb');
    expect(endpointPrefixOf('sts.amazonaws.com')).toBe('sts');
    expect(endpointPrefixOf('example.com')).toBeUndefined();
    expect(endpointPrefixOf('amazonaws.com.evil.example')).toBeUndefined();
  });

  it('keeps the path and query as sent (execute-api\'s starts with the stage), on the local base URL', () => {
    expect(localTargetFor(services, 'abc.execute-api.us-east-1.amazonaws.com', '/dev/@connections/Ab%2Bc%3D')).toEqual({
      hostname: '127.0.0.1',
      port: '4001',
      path: '/dev/@connections/Ab%2Bc%3D',
    });
    expect(localTargetFor(services, 'logs.us-east-1.amazonaws.com', '/?x=1')).toEqual({ hostname: '127.0.0.1', port: '4003', path: '/?x=1' });
    expect(localTargetFor(services, 'sqs.us-east-1.amazonaws.com', '/')).toBeUndefined(); // not served: refused
  });

  it('builds the services map from a stack\'s endpoints, leaving out what it does not have', () => {
    expect(services).toEqual({
      'execute-api': 'http://127.0.0.1:4001',
      dynamodb: 'http://127.0.0.1:4002',
      monitoring: 'http://127.0.0.1:4003/',
      logs: 'http://127.0.0.1:4003/',
      // where an environment posts the calls it refused: the gateway's listener
      '@unserved-calls': 'http://127.0.0.1:4001/@emulator/unserved-calls',
    });
  });
});
