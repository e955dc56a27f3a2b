// One build at a time in this checkout: two test files (or `npm start` and a test) may ask for a build
// at once, and two vite builds writing dist/renderer together leave a broken tree.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function withBuildLock<T>(distDir: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(distDir, { recursive: true });
  const lock = join(distDir, '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // The holder has made the directory but not yet written its pid.
      }
      if (Number.isFinite(holder) && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
