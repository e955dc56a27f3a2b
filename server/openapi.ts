// GET /v1/openapi.json: built from the route table; every schema in it is generated from the shared zod
// schemas by zod's own JSON Schema generator (z.toJSONSchema), never written by hand.
import { z } from 'zod';
import { API_VERSION, Problem } from '../shared/central-api';
import type { RouteSpec } from './routes/define';
import { SERVER_VERSION } from './version';

type JsonSchema = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation problem with field errors, or malformed JSON)',
  401: 'Missing or unknown bearer token',
  403: 'Authenticated, but not allowed',
  404: 'Not found',
  409: 'Conflict (for push: a mutation id gap, with expectedMutationId)',
  413: 'Request body too large',
  503: 'Temporarily unavailable; retry after Retry-After seconds. Nothing was applied.',
};

function queryParameters(q: z.ZodType | undefined) {
  if (!q) return [];
  const js = schemaOf(q, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => ({
    name, in: 'query', required: js.required?.includes(name) ?? false, schema,
  }));
}

export function buildOpenApi(routes: RouteSpec[]): JsonSchema {
  const problemRef = { $ref: '#/components/schemas/Problem' };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const statuses = [...new Set([400, ...(r.access === 'public' ? [] : [401]), ...(Array.isArray(r.access) ? [403] : []), ...(r.problems ?? [])])].sort();
    const responses: Record<string, unknown> = {
      [String(r.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } },
    };
    for (const s of statuses) responses[String(s)] = { description: PROBLEM_DESCRIPTIONS[s] ?? 'Problem', content: { 'application/problem+json': { schema: problemRef } } };
    paths[r.path] = {
      ...paths[r.path],
      [r.method.toLowerCase()]: {
        summary: r.summary,
        operationId: `${r.method.toLowerCase()}${r.path.replace(/^\/v1/, '').replace(/[^a-zA-Z0-9]+(.)/g, (_, c: string) => c.toUpperCase())}`,
        'x-roles': r.access,
        security: r.access === 'public' ? [] : [{ bearer: [] }],
        parameters: queryParameters(r.query),
        ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Exception Desk central API', version: `${API_VERSION} (server ${SERVER_VERSION})` },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Problem: schemaOf(Problem, 'output') },
    },
    paths,
  };
}
