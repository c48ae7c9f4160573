import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ownSettings, type SdkClientSettings } from './sdk-settings.ts';

/**
 * Who the target's credentials are, as AWS says it: STS GetCallerIdentity's `Arn` (an IAM user,
 * an assumed role's session, the account's root, a federated user), asked with the settings the
 * publishes are sent with, so the same credentials; on the emulator its edge answers it
 * (emulator/iam-api/caller-identity.ts). It needs no permission (AWS: a policy that denies
 * sts:GetCallerIdentity does not stop it), so a failure is the credentials' or the endpoint's.
 */
export type CallerLookup = (settings: SdkClientSettings) => Promise<string>;

/** The caller could not be found; `reason` is one clause for the warning that says so. */
export class CallerUnknown extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CallerUnknown';
  }
}

export const callerArn: CallerLookup = async (settings) => {
  const sts = new STSClient(ownSettings(settings));
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Arn) throw new CallerUnknown('the caller cannot be found: STS GetCallerIdentity answered no Arn');
    return out.Arn;
  } catch (err) {
    if (err instanceof CallerUnknown) throw err;
    const e = err as { name?: string; message?: string };
    throw new CallerUnknown(`the caller cannot be found: STS GetCallerIdentity: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
  } finally {
    sts.destroy();
  }
};
