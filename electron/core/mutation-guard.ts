// What the server would refuse as malformed, checked before a mutation enters the outbox (issue 8, item 8).
// A mutation the server refuses as malformed makes it refuse the whole push batch (400), so one such row
// would block every later decision: it must never be written. The numbers are the server's own
// (shared/limits.ts, the Mutation schema of shared/central-api.ts); nothing here restates them.
import { Mutation, MutationPayloads, type Mutation as MutationT } from '../../shared/central-api';
import { type Labor, type MutationKind } from '../../shared/domain';
import {
  MAX_BODY_JSON_DEPTH, MAX_LABOR_SEGMENTS, MAX_LABOR_WALL_MS, PUSH_BODY_LIMIT, forbiddenJsonKey, jsonBytes, jsonDepth,
} from '../../shared/limits';
import { DeskFailure } from './desk-failure';

/** How deep a mutation sits in a push body: { mutations: [ <here> ] }. */
const MUTATION_DEPTH_IN_BODY = 2;
/** Room for the envelope ({ clientId, mutations: [] }) in the push body limit. */
const ENVELOPE_BYTES = 1024;
/** One mutation may use at most this much of a push body, so a batch always holds at least one. */
export const MAX_MUTATION_BYTES = PUSH_BODY_LIMIT - ENVELOPE_BYTES;

/** Refuses a decision's payload the server would refuse, before any labor is taken for it. */
export function checkPayload(kind: MutationKind, payload: unknown): void {
  const r = MutationPayloads[kind].safeParse(payload);
  if (!r.success) throw new DeskFailure('bad_input', `this ${kind} would be refused by the server: ${firstIssue(r.error.issues)}`, { issues: r.error.issues });
  const key = forbiddenJsonKey(payload);
  if (key) throw new DeskFailure('bad_input', `this ${kind} would be refused by the server: it holds the key '${key}'`);
}

/** Refuses a whole mutation (as it will be sent) that the server would refuse as malformed. Writes nothing. */
export function checkMutation(m: MutationT): void {
  const r = Mutation.safeParse(m);
  if (!r.success) throw new DeskFailure('bad_input', `this ${m.kind} would be refused by the server: ${firstIssue(r.error.issues)}`, { issues: r.error.issues });
  const key = forbiddenJsonKey(m);
  if (key) throw new DeskFailure('bad_input', `this ${m.kind} would be refused by the server: it holds the key '${key}'`);
  if (jsonDepth(m) + MUTATION_DEPTH_IN_BODY > MAX_BODY_JSON_DEPTH) {
    throw new DeskFailure('bad_input', `this ${m.kind} would be refused by the server: it nests deeper than ${MAX_BODY_JSON_DEPTH - MUTATION_DEPTH_IN_BODY} levels`);
  }
  const bytes = jsonBytes(m);
  if (bytes > MAX_MUTATION_BYTES) {
    throw new DeskFailure('bad_input', `this ${m.kind} would be refused by the server: it is ${bytes} bytes as JSON, over the ${MAX_MUTATION_BYTES}-byte limit of one push`);
  }
}

/**
 * The labor clock's own record, brought within what the server accepts as true: a wall clock set back
 * (decided "before" opened) or an item left open for weeks must not make the server refuse the decision.
 * Active time is never cut below what was measured unless it exceeds the longest span the server takes.
 */
export function saneLabor(l: Labor): Labor {
  const decided = Date.parse(l.decidedAt);
  let opened = Math.min(Date.parse(l.openedAt), decided);
  let wallMs = Math.max(l.wallMs, l.activeMs, l.idleMs);
  if (wallMs > MAX_LABOR_WALL_MS || decided - opened > MAX_LABOR_WALL_MS) {
    wallMs = Math.min(wallMs, MAX_LABOR_WALL_MS);
    opened = Math.max(opened, decided - MAX_LABOR_WALL_MS);
  }
  const activeMs = Math.min(l.activeMs, wallMs);
  const idleMs = Math.min(l.idleMs, wallMs);
  const openedAt = opened === Date.parse(l.openedAt) ? l.openedAt : new Date(opened).toISOString();
  return { ...l, activeMs, idleMs, wallMs, segments: Math.min(l.segments, MAX_LABOR_SEGMENTS), openedAt };
}

function firstIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = first.path.map(String).join('.');
  return path ? `${path}: ${first.message}` : first.message;
}
