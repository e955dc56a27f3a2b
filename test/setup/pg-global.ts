// globalSetup of the vitest project `postgres`: one throwaway PostgreSQL cluster for the whole run, handed
// to the test workers through provide / inject (test/helpers/pg-cluster.ts), stopped and removed at the end.
import type { TestProject } from 'vitest/node';
import { startPgCluster, stopPgCluster } from '../helpers/pg-cluster';

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPgCluster();
  project.provide('pgCluster', { port: cluster.port, dir: cluster.dir });
  return () => stopPgCluster(cluster.dir);
}
