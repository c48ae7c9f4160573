/**
 * What the harness signs requests to the local emulator with. The emulator checks no signature,
 * but the SDK must sign with something, and these dummies keep the standard chain (and any real
 * keys it would find) out of local runs.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
