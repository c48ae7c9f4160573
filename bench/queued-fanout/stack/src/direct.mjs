// direct: the send function posts the payload to every member of the room itself.
import { membersOf, postToAll } from './members.mjs';

export const handler = async (event) => {
  const { room, payload } = JSON.parse(event.body ?? '{}');
  await postToAll(await membersOf(room), JSON.stringify({ payload }));
  return { statusCode: 200 };
};
