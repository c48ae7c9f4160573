import type { Throttle } from './stage.ts';

/**
 * API Gateway's account settings in the region (the v1 REST API's GetAccount, `GET /account`,
 * what the SDK's APIGatewayClient sends with `Accept: application/json`; UpdateAccount, `PATCH
 * /account`): the account's throttle, shared by every API's requests and the WebSocket callback
 * (@connections) API, i.e. the one account bucket the WebSocket, HTTP and REST APIs all take from
 * (`limits.accountRps`, burst `limits.accountBurst`; ../stack.ts), and the CloudWatch role API Gateway logs with (`cloudwatchRoleArn`).
 * The emulated account is one already set up for logging (config `apiGatewayCloudWatchRole`,
 * default true; a template's `AWS::ApiGateway::Account` names its own), or one without the role,
 * whose stages cannot enable access logging. `features` and `apiKeyVersion` are what an account
 * without usage plans leaves out.
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html
 */

/** The role the emulated account has unless the template or the config says otherwise. */
export function defaultCloudWatchRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/ApiGatewayCloudWatchLogsRole`;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** A refusal API Gateway answers with BadRequestException (400). */
export class AccountUpdateRefused extends Error {}

export class ApiGatewayAccount {
  constructor(
    private readonly throttle: Throttle,
    public cloudWatchRoleArn: string | undefined,
  ) {}

  body(): Record<string, unknown> {
    return {
      ...(this.cloudWatchRoleArn !== undefined ? { cloudwatchRoleArn: this.cloudWatchRoleArn } : {}),
      throttleSettings: { burstLimit: this.throttle.burstLimit, rateLimit: this.throttle.rateLimit },
    };
  }

  /** UpdateAccount's patch operations: `replace /cloudwatchRoleArn` (an empty value removes the role), the one the emulator changes. */
  update(body: unknown): void {
    const ops = (body as { patchOperations?: unknown } | null)?.patchOperations;
    if (!Array.isArray(ops)) throw new AccountUpdateRefused('patchOperations: a list of patch operations is required');
    for (const op of ops as Array<{ op?: unknown; path?: unknown; value?: unknown }>) {
      if (op?.op !== 'replace' || op.path !== '/cloudwatchRoleArn') {
        throw new AccountUpdateRefused(`Invalid patch operation specified: ${String(op?.op)} ${String(op?.path)} (the local account changes replace /cloudwatchRoleArn only)`);
      }
      const value = typeof op.value === 'string' ? op.value : '';
      if (value !== '' && !ROLE_ARN.test(value)) throw new AccountUpdateRefused(`The role ARN is not well formed: ${value}`);
      this.cloudWatchRoleArn = value === '' ? undefined : value;
    }
  }
}
