// Long work a request starts and the server finishes after answering (a rollback's batches). One task per
// key at a time; on close the server asks every task to stop after its current step and waits for it, so
// the database never closes under a running batch. A stopped task leaves its progress in the database and
// is resumed by asking for it again (e.g. re-applying the rollback id).
import type { FastifyBaseLogger } from 'fastify';

export class BackgroundTasks {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly log: FastifyBaseLogger) {}

  /** Starts `work` under `key` unless a task with that key is already running; `shouldStop` lets it end between steps. */
  start(key: string, work: (shouldStop: () => boolean) => Promise<void>): void {
    if (this.stopping || this.running.has(key)) return;
    const task = (async () => {
      await new Promise((r) => setImmediate(r));
      await work(() => this.stopping);
    })().catch((err: unknown) => this.log.error({ err, task: key }, 'background task failed'))
      .finally(() => this.running.delete(key));
    this.running.set(key, task);
  }

  isRunning(key: string): boolean { return this.running.has(key); }

  /** Resolves when the task (if any) under `key` has ended. */
  async settled(key: string): Promise<void> { await this.running.get(key); }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running.values()]);
  }
}
