// The startup trace of `npm start`: named marks from the start of the first process (scripts/start.mjs,
// which may hand over to a Node 22 child) to the first item painted in the desk. Marks are wall-clock
// milliseconds (performance.timeOrigin + performance.now(), sub-millisecond), so marks taken in the launcher,
// in its Node 22 child and here line up; the launcher's marks arrive in DESK_STARTUP_TRACE. Each mark also
// carries the CPU time its process had used: with other work on the machine, the gap between the two says
// how much of the wall time was spent waiting for a core.

/** `cpu`: CPU milliseconds the marking process had used (user + system); on a loaded machine wall time runs ahead of it. */
export interface StartupMark { name: string; at: number; cpu?: number; pid?: number }

export interface StartupTrace {
  mark(name: string): void;
  has(name: string): boolean;
  /** One line per mark: milliseconds since the first process started, and since the previous mark. */
  format(): string;
}

const wallNow = () => performance.timeOrigin + performance.now();
const cpuNow = () => { const c = process.cpuUsage(); return { cpu: (c.user + c.system) / 1000, pid: process.pid }; };

export function createStartupTrace(inherited: string | undefined, now: () => number = wallNow): StartupTrace {
  let origin = performance.timeOrigin;
  const marks: StartupMark[] = [];
  if (inherited) {
    try {
      const parsed = JSON.parse(inherited) as { origin?: unknown; marks?: unknown };
      if (typeof parsed.origin === 'number') origin = parsed.origin;
      if (Array.isArray(parsed.marks)) {
        for (const m of parsed.marks as Partial<StartupMark>[]) {
          if (typeof m.name === 'string' && typeof m.at === 'number') marks.push({ name: m.name, at: m.at, cpu: m.cpu, pid: m.pid });
        }
      }
    } catch {
      // A trace that does not parse (set by hand?) only loses the launcher's marks.
    }
  }
  return {
    mark: (name) => void marks.push({ name, at: now(), ...cpuNow() }),
    has: (name) => marks.some((m) => m.name === name),
    format: () => {
      let previous = origin;
      // The start in Unix milliseconds too, so a harness can line the marks up with its own clock (test/bench/ui.bench.ts).
      const lines = [`startup trace (ms since the first process started, at ${origin.toFixed(1)} ms Unix time; + since the previous mark):`];
      lines.push(`  ${'0'.padStart(7)}           process started`);
      for (const m of marks) {
        const cpu = m.cpu === undefined ? '' : `   (cpu ${m.cpu.toFixed(0)} ms in process ${m.pid})`;
        lines.push(`  ${(m.at - origin).toFixed(0).padStart(7)}  +${(m.at - previous).toFixed(0).padStart(6)}  ${m.name}${cpu}`);
        previous = m.at;
      }
      return lines.join('\n');
    },
  };
}
