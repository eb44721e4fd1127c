import type { DatabaseAdapter, LogRow } from './rows.js';

/** The model delegate calls the adapter uses. */
interface PrismaDelegate {
  createMany?(args: { data: unknown[]; skipDuplicates?: boolean }): PromiseLike<unknown>;
  create(args: { data: unknown }): PromiseLike<unknown>;
}

/** What the adapter needs of a Prisma client: a model delegate and `$transaction`. */
export interface PrismaClientLike {
  $transaction(operations: PromiseLike<unknown>[]): PromiseLike<unknown>;
}

/** Options of {@link prismaAdapter}. */
export interface PrismaAdapterOptions {
  /** A generated PrismaClient. */
  client: PrismaClientLike;
  /** Model delegate name (see the README's `ShiplogEvent` model). @default 'shiplogEvent' */
  model?: string;
}

/**
 * Inserts with `createMany({ skipDuplicates: true })`; on a client without `createMany`
 * (some providers), with one transaction of `create`s, where a unique violation on `id`
 * (P2002) means an earlier attempt of the same batch already committed.
 */
export function prismaAdapter(options: PrismaAdapterOptions): DatabaseAdapter {
  const modelName = options.model ?? 'shiplogEvent';
  const client = options.client;
  const delegate = (client as unknown as Record<string, PrismaDelegate | undefined>)[modelName];
  if (delegate === undefined || typeof delegate.create !== 'function') {
    throw new TypeError(`shiplog: prisma client has no model "${modelName}"`);
  }
  return {
    name: 'prisma',
    async insert(rows: readonly LogRow[]): Promise<void> {
      const data = rows.map((row) => ({ ...row, data: JSON.parse(row.data) as unknown }));
      if (typeof delegate.createMany === 'function') {
        await delegate.createMany({ data, skipDuplicates: true });
        return;
      }
      try {
        await client.$transaction(data.map((row) => delegate.create({ data: row })));
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code !== 'P2002') throw error;
      }
    },
  };
}
