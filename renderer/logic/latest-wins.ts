// Latest-wins coalescing for requests whose older answers are worthless (the queue's filter and sort):
// at most one runs at a time; values submitted meanwhile collapse into the newest, sent when it settles.
// The core is single-threaded, so without this every keystroke's query would queue up behind the others.

export type LatestWinsTask<T> = (value: T, isCurrent: () => boolean) => Promise<unknown>;

export class LatestWins<T> {
  private running = false;
  private pending: { value: T } | null = null;
  private submitted = 0;

  /** `task` gets `isCurrent`: false once a newer value was submitted, so its answer must be dropped. */
  constructor(private readonly task: LatestWinsTask<T>) {}

  submit(value: T): void {
    this.submitted++;
    if (this.running) this.pending = { value };
    else void this.start(value);
  }

  /** True while a task runs or a value waits for it. */
  get busy(): boolean {
    return this.running || this.pending !== null;
  }

  private async start(value: T): Promise<void> {
    this.running = true;
    const ticket = this.submitted;
    try {
      await this.task(value, () => ticket === this.submitted);
    } catch {
      // The task reports its own errors; a failure must not stall the values waiting behind it.
    } finally {
      this.running = false;
      const next = this.pending;
      this.pending = null;
      if (next) void this.start(next.value);
    }
  }
}
