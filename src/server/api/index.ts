/** (being written) REST API under /api/v1. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';

export function registerApi(_app: FastifyInstance, _ctx: AppContext): void {}
