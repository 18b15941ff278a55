/** (being written) */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../server/app.js';

export function registerModels(_app: FastifyInstance, _ctx: AppContext): void {}
