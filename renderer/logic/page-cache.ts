// A cache of fixed-size pages of rows for the virtualised queue table: which pages a visible range
// needs, which are missing or in flight, and an LRU bound so 100k rows never all sit in memory.

export class PageCache<Row> {
  private pages = new Map<number, Row[]>();
  private inFlight = new Set<number>();

  constructor(
    readonly pageSize: number,
    private readonly maxPages = 40,
  ) {}

  pageOf(index: number): number {
    return Math.floor(index / this.pageSize);
  }

  /** The row at an absolute index, or undefined when its page is not loaded. */
  row(index: number): Row | undefined {
    const page = this.pages.get(this.pageOf(index));
    return page?.[index % this.pageSize];
  }

  /** Pages covering [start, end] (inclusive) that are neither cached nor being fetched. */
  missing(start: number, end: number, total: number): number[] {
    if (total <= 0 || end < start) return [];
    const last = this.pageOf(Math.min(end, total - 1));
    const out: number[] = [];
    for (let p = this.pageOf(Math.max(0, start)); p <= last; p++) {
      if (!this.pages.has(p) && !this.inFlight.has(p)) out.push(p);
    }
    return out;
  }

  /** True when every page covering [start, end] is loaded. */
  covers(start: number, end: number, total: number): boolean {
    if (total <= 0) return true;
    const last = this.pageOf(Math.min(end, total - 1));
    for (let p = this.pageOf(Math.max(0, start)); p <= last; p++) if (!this.pages.has(p)) return false;
    return true;
  }

  markInFlight(page: number): void {
    this.inFlight.add(page);
  }

  /** Stores a fetched page; the least recently stored pages beyond the bound are dropped. */
  put(page: number, rows: Row[]): void {
    this.inFlight.delete(page);
    this.pages.delete(page);
    this.pages.set(page, rows);
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
  }

  failed(page: number): void {
    this.inFlight.delete(page);
  }

  /** Marks a page as used so the LRU keeps it. */
  touch(page: number): void {
    const rows = this.pages.get(page);
    if (rows) {
      this.pages.delete(page);
      this.pages.set(page, rows);
    }
  }

  clear(): void {
    this.pages.clear();
    this.inFlight.clear();
  }

  get size(): number {
    return this.pages.size;
  }
}
