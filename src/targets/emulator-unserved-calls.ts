import { UnservedCalls, type UnservedCall } from '../../common/unserved-calls.ts';
import { readEmulatorRecord } from './emulator-record.ts';

/**
 * The calls the local stack's functions made during the run to AWS endpoints the emulator does
 * not serve, as its own record keeps them (common/unserved-calls.ts), read by URL as the ready line
 * names it: every kind of call last made since the run started. AWS serves those endpoints; here
 * each call was refused, so what it was for did not happen.
 */
export async function emulatorUnservedCalls(endpoint: string, run: { startMs: number }): Promise<UnservedCall[]> {
  return (await readEmulatorRecord(endpoint, run, UnservedCalls)).calls;
}
