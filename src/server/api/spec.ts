/**
 * The API described once: each operation's path, JSON schemas (used by fastify to validate at the edge) and its
 * documentation. Routes are registered from this list and the OpenAPI document is generated from it, so the two
 * cannot drift apart.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export type JsonSchema = Record<string, unknown>;

/** Who may call an operation (documentation and security requirements; handlers enforce it). */
export type Access = 'public' | 'account' | 'analyst' | 'editor';

export interface ApiResponseDoc {
  description: string;
  /** A `#/components/schemas/...` name or an inline schema. */
  schema?: string | JsonSchema;
  example?: unknown;
  headers?: Record<string, string>;
}

export interface ApiOperation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify style, relative to /api/v1 (`/advisories/:id`). */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: Record<string, JsonSchema>;
  query?: Record<string, JsonSchema>;
  /** Header parameters worth documenting (If-Match...); validated by the handler. */
  headers?: Record<string, { description: string; required?: boolean }>;
  body?: { schema: JsonSchema; required?: boolean; example?: unknown; description?: string };
  responses: Record<string, ApiResponseDoc>;
  handler(req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

export const API_PREFIX = '/api/v1';

/** Common schema pieces. */
export const S = {
  id: { type: 'string', minLength: 1, maxLength: 200, description: 'UUID (or, for advisories, the slug)' },
  uuid: { type: 'string', minLength: 1, maxLength: 200, description: 'Object UUID' },
  text: (description: string, max = 200) => ({ type: 'string', minLength: 1, maxLength: max, description }),
  enumOf: (values: readonly string[], description: string) => ({ type: 'string', enum: [...values], description }),
  limit: (dflt = 20) => ({ type: 'integer', minimum: 1, maximum: 100, default: dflt, description: 'Page size (1 to 100)' }),
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'Items to skip (alternative to page)' },
  page: { type: 'integer', minimum: 1, maximum: 100_000, description: 'Page number from 1 (alternative to offset)' },
} as const;

export const pagination = (dflt = 20): Record<string, JsonSchema> => ({ limit: S.limit(dflt), offset: S.offset, page: S.page });
