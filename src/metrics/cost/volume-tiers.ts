import type { CostLine } from '../../contracts/cost-schema.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * AWS's monthly volume tiers, where a month's volume lowers the unit price: API Gateway WebSocket
 * messages (both directions together) and Lambda GB-seconds (every function of one architecture
 * together). A run's estimate prices the first paid tier (region-prices.ts): its volume is tiny
 * and the account's other usage unknown. A month's plan reaches the tiers, and a plan that
 * ignored them would overstate the largest lines by up to a fifth. The tiers count the account's
 * whole month in the region; the plan takes the stack to be all of it, and says so.
 *
 * us-east-1, read with the built-in table (docs/aws-prices.md): aws.amazon.com/api-gateway/pricing
 * (WebSocket: first 1 billion messages $1.00 per million, over 1 billion $0.80) and
 * aws.amazon.com/lambda/pricing (x86_64: first 6 billion GB-s $0.0000166667, next 9 billion
 * $0.000015, over 15 billion $0.0000133334; arm64: first 7.5 billion $0.0000133334, next 11.25
 * billion $0.0000120001, over 18.75 billion $0.0000106667).
 */
export interface Tier {
  /** units in this tier (the last tier: unbounded) */
  upTo?: number;
  /** USD per unit */
  price: number;
}

export interface VolumeTiers {
  /** API Gateway WebSocket messages (32 KB units) */
  messages: Tier[];
  gbSecondX86: Tier[];
  gbSecondArm64: Tier[];
}

const BILLION = 1e9;

export const REGION_TIERS: Readonly<Record<string, VolumeTiers>> = {
  'us-east-1': {
    messages: [
      { upTo: 1 * BILLION, price: 1.0 / 1e6 },
      { price: 0.8 / 1e6 },
    ],
    gbSecondX86: [
      { upTo: 6 * BILLION, price: 0.0000166667 },
      { upTo: 9 * BILLION, price: 0.000015 },
      { price: 0.0000133334 },
    ],
    gbSecondArm64: [
      { upTo: 7.5 * BILLION, price: 0.0000133334 },
      { upTo: 11.25 * BILLION, price: 0.0000120001 },
      { price: 0.0000106667 },
    ],
  },
};

/** The cost of `quantity` units over the tiers, in order. */
export function tieredCost(quantity: number, tiers: readonly Tier[]): number {
  let left = quantity;
  let cost = 0;
  for (const t of tiers) {
    const here = t.upTo === undefined ? left : Math.min(left, t.upTo);
    cost += here * t.price;
    left -= here;
    if (left <= 0) break;
  }
  return cost;
}

const fmtTier = (t: Tier, per: number, unit: string) => `${t.upTo === undefined ? 'the rest' : `${t.upTo / BILLION}B ${unit}`} at $${+(t.price * per).toPrecision(6)}${per === 1 ? '' : ` per ${per === 1e6 ? 'M' : per}`}`;

/**
 * `lines` with a month's tiers applied to the lines they cover (the message lines, the GB-s
 * lines of the architecture): each line's cost is its share of the tiered cost of their total,
 * with a note. Lines are new objects; the rest are returned as they are.
 */
export function applyVolumeTiers(lines: readonly CostLine[], tiers: VolumeTiers, architecture: 'x86_64' | 'arm64'): CostLine[] {
  const groups: Array<{ matches: (l: CostLine) => boolean; tiers: Tier[]; per: number; what: string }> = [
    { matches: (l) => l.service === 'API Gateway' && l.item.startsWith('messages'), tiers: tiers.messages, per: 1e6, what: 'messages, both directions' },
    {
      matches: (l) => l.service === 'Lambda' && l.unit === 'GB-s',
      tiers: architecture === 'arm64' ? tiers.gbSecondArm64 : tiers.gbSecondX86,
      per: 1,
      what: `GB-s, every ${architecture} function`,
    },
  ];
  const out = [...lines];
  for (const g of groups) {
    const idx = out.flatMap((l, i) => (g.matches(l) ? [i] : []));
    const quantity = idx.reduce((n, i) => n + out[i]!.quantity, 0);
    if (quantity <= (g.tiers[0]?.upTo ?? Infinity)) continue;
    const flat = idx.reduce((n, i) => n + out[i]!.cost, 0);
    const scale = flat > 0 ? tieredCost(quantity, g.tiers) / flat : 1;
    const note = `the month's volume tiers over ${fmtInt(quantity)} ${g.what}: ${g.tiers.map((t) => fmtTier(t, g.per, g.per === 1 ? 'GB-s' : 'messages')).join(', ')} (the account's whole month in the region; this stack taken to be all of it)`;
    for (const i of idx) {
      const l = out[i]!;
      out[i] = { ...l, unitPrice: l.unitPrice * scale, cost: l.cost * scale, note: l.note ? `${l.note}; ${note}` : note, tiered: true };
    }
  }
  return out;
}
