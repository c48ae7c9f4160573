/**
 * API Gateway's default account throttle by region, for the harness's quota plan and the
 * emulator's default alike (a stack in Milan is held to 2,500/s in both).
 *
 * The regions whose default account throttle is 2,500 requests/s with a burst of 1,250 instead
 * of 10,000 and 5,000, as API Gateway's quotas page lists them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html, read 2026-11-24):
 * Cape Town, Milan, Jakarta, UAE, Hyderabad, Melbourne, Spain, Zurich, Tel Aviv, Calgary,
 * Malaysia, Thailand, Mexico (Central).
 */
export const LOWER_THROTTLE_REGIONS_AS_OF = '2026-11-24';
export const LOWER_THROTTLE_REGIONS: readonly string[] = [
  'af-south-1',
  'eu-south-1',
  'ap-southeast-3',
  'me-central-1',
  'ap-south-2',
  'ap-southeast-4',
  'eu-south-2',
  'eu-central-2',
  'il-central-1',
  'ca-west-1',
  'ap-southeast-5',
  'ap-southeast-7',
  'mx-central-1',
];

/** The account throttle AWS documents as the default for a region (unknown region: the common one). */
export function accountThrottleDefault(region: string | undefined): { rateLimit: number; burstLimit: number } {
  return region !== undefined && LOWER_THROTTLE_REGIONS.includes(region) ? { rateLimit: 2_500, burstLimit: 1_250 } : { rateLimit: 10_000, burstLimit: 5_000 };
}
