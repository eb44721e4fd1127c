/** A Hono app using only the shiplog middleware (no withShiplog); `SHIPLOG_ENDPOINT` comes from c.env. */
import { Hono } from 'hono';
import { shiplog, type ShiplogEnv } from 'shiplog/hono';

const app = new Hono<ShiplogEnv>();
app.use(shiplog());
app.get('/items/:id', (c) => {
  c.var.log.set({ item: c.req.param('id') });
  c.var.log.info('item read');
  return c.text('item');
});
app.get('/fail', () => {
  throw new Error('route failed');
});
export default app;
