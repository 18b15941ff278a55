/** (being written) Atom, RSS and JSON Feed of advisories. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app.js';

export function registerFeeds(_app: FastifyInstance, _ctx: AppContext): void {}
