/**
 * A Durable Object class (extending cloudflare:workers' DurableObject) wrapped with
 * withShiplogDurableObject, and an email handler wrapped with withShiplog. The Worker's fetch
 * forwards /do/* to the object named by the x-room header.
 */
import { DurableObject } from 'cloudflare:workers';
import { getLogger, withShiplog, withShiplogDurableObject, type RequestLogger } from 'shiplog/workers';

interface Env {
  SHIPLOG_ENDPOINT?: string;
  ROOM: DurableObjectNamespace;
}

class RoomBase extends DurableObject<Env> {
  async fetch(request: Request, log: RequestLogger): Promise<Response> {
    const path = new URL(request.url).pathname;
    const count = ((await this.ctx.storage.get<number>('count')) ?? 0) + 1;
    await this.ctx.storage.put('count', count);
    log.set({ room: { count } });
    getLogger().info('room visited', { count }); // AsyncLocalStorage reaches the same invocation
    if (path === '/do/alarm') await this.ctx.storage.setAlarm(Date.now() + 10);
    if (path === '/do/boom') throw new RangeError('room is on fire');
    return Response.json({ count });
  }

  async alarm(alarmInfo: AlarmInvocationInfo | undefined, log: RequestLogger): Promise<void> {
    const count = (await this.ctx.storage.get<number>('count')) ?? 0;
    log.set({ room: { count } });
    log.info('alarm rang', { count });
  }
}

export const Room = withShiplogDurableObject({ service: 'rooms', retry: { initialDelayMs: 20 } }, RoomBase);

export default withShiplog<Env>({ service: 'mail', retry: { initialDelayMs: 20 } }, {
  async fetch(request, env) {
    const room = env.ROOM.get(env.ROOM.idFromName(request.headers.get('x-room') ?? 'lobby'));
    return room.fetch(request);
  },
  async email(message, _env, _ctx, log) {
    log.info('mail received', { size: message.rawSize });
    if (message.to.startsWith('nobody@')) message.setReject('unknown recipient');
    else await message.forward('team@example.com');
  },
});
