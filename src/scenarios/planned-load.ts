import { roomSizes, roomsInOrder, sendersPerRoom } from '../fleet/room-plan.ts';
import type { PlannedLoad } from '../fleet/shard-count.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';

/** The most a scenario asks of its fleet at once: its busiest send phase and its fastest connect phase. */
export function plannedLoad(s: Pick<Scenario, 'clients' | 'rooms' | 'roomSizes' | 'phases'>): PlannedLoad {
  // Every sender sends at the same rate (measure.ts splits a phase's rate by senders) and a
  // message reaches every member of its room, so a message reaches Σ senders·size / Σ senders.
  const plan = roomsInOrder(roomSizes(s.clients, s.rooms, s.roomSizes));
  let deliveriesPerSec = 0;
  let connectsPerSec = 0;
  for (const p of s.phases) {
    if (p.kind === 'connect') connectsPerSec = Math.max(connectsPerSec, p.rate);
    if (p.kind !== 'send') continue;
    const senders = sendersPerRoom(plan, p.senders);
    let sent = 0;
    let reached = 0;
    for (let r = 0; r < plan.rooms; r++) {
      sent += senders[r];
      reached += senders[r] * plan.sizes[r];
    }
    if (sent > 0) deliveriesPerSec = Math.max(deliveriesPerSec, (p.rate * reached) / sent);
  }
  return { deliveriesPerSec, connectsPerSec };
}
