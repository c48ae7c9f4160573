/**
 * The memory sizes Lambda accepts, in MB: any whole number from 128 to 10,240. One definition for
 * every place that takes a size (a scenario, `run --memory`, `compare --memory`, the emulator's
 * config and Lambda API, the CDK app's context).
 */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;
