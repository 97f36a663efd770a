import type { Redis } from 'ioredis';
import { PackSummarySchema } from '@ptp/graph-core';
import { z } from 'zod';
import type { RedisKeys } from './redisConnection.js';

/** What a worker advertises while it runs (a hash that expires unless refreshed). */
export const WorkerInfoSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  provider: z.string(),
  packs: z.array(PackSummarySchema),
  startedAt: z.string(),
  /** The run it executes now. */
  runId: z.string().optional(),
  /** Runs it has finished (any outcome) since it started. */
  done: z.number().int().nonnegative(),
});
export type WorkerInfo = z.infer<typeof WorkerInfoSchema>;

export async function advertiseWorker(redis: Redis, keys: RedisKeys, info: WorkerInfo, ttlS: number): Promise<void> {
  await redis.multi().set(keys.worker(info.id), JSON.stringify(info), 'EX', ttlS).sadd(keys.workers, info.id).exec();
}

export async function withdrawWorker(redis: Redis, keys: RedisKeys, id: string): Promise<void> {
  await redis.multi().del(keys.worker(id)).srem(keys.workers, id).exec();
}

/** Live workers; entries whose worker stopped refreshing them are dropped from the set. */
export async function readWorkers(redis: Redis, keys: RedisKeys): Promise<WorkerInfo[]> {
  const ids = await redis.smembers(keys.workers);
  if (!ids.length) return [];
  const values = await redis.mget(ids.map((id) => keys.worker(id)));
  const live: WorkerInfo[] = [];
  const gone: string[] = [];
  values.forEach((v, i) => {
    const parsed = v ? WorkerInfoSchema.safeParse(JSON.parse(v)) : undefined;
    if (parsed?.success) live.push(parsed.data);
    else gone.push(ids[i]!);
  });
  if (gone.length) await redis.srem(keys.workers, ...gone);
  return live.sort((a, b) => a.id.localeCompare(b.id));
}
