import { Aws, CfnCondition, Fn, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_STACK_NAME, suffixOf } from '../functions/stack-names.ts';

/**
 * The name of one of the stack's resources as CloudFormation works it out from the stack's own
 * name (AWS::StackName) when the stack is created: the manifest's name in the default stack
 * (`fanout-send-message`), `<stack>-send-message` in any other (stack-names.ts's rule). So the template is one, whatever name it is deployed
 * under, and the emulator reads that same template for a stack of any name.
 */
export function stackScopedName(scope: Construct, manifestName: string): string {
  return Fn.conditionIf(manifestNames(scope).logicalId, manifestName, `${Aws.STACK_NAME}${suffixOf(manifestName)}`).toString();
}

const CONDITION_ID = 'KeepsManifestNames';

/** The stack's one condition "this is the default stack", made on first use. */
function manifestNames(scope: Construct): CfnCondition {
  const stack = Stack.of(scope);
  return (
    (stack.node.tryFindChild(CONDITION_ID) as CfnCondition | undefined) ??
    new CfnCondition(stack, CONDITION_ID, { expression: Fn.conditionEquals(Aws.STACK_NAME, DEFAULT_STACK_NAME) })
  );
}
