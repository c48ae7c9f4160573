import { seededRandom, shuffle } from '../random.ts';
import type { RoomPlan } from './room-plan.ts';

/**
 * Which clients a drop phase kills: round(share · clients) of them, chosen by the seed among the
 * clients that never send first (a dropped sender would leave its room without traffic, and
 * then nothing would find its stale members), senders only if there are not enough others.
 */
export function dropPlan(plan: RoomPlan, share: number, maxSendersPerRoom: Int32Array, seed: number): Int32Array {
  const count = Math.min(plan.clients, Math.round(share * plan.clients));
  const quiet: number[] = [];
  const senders: number[] = [];
  for (let c = 0; c < plan.clients; c++) {
    (plan.rankInRoom[c] < maxSendersPerRoom[plan.roomOf[c]] ? senders : quiet).push(c);
  }
  const random = seededRandom(seed ^ 0xd409);
  const order = [...shuffle(quiet, random), ...shuffle(senders, random)];
  return Int32Array.from(order.slice(0, count));
}
