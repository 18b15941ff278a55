/** Every route of the server, in one list: pages, API, feeds. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app.js';
import { registerApi } from './api/index.js';
import { registerConversions } from './api/conversions.js';
import { registerIngest } from './api/ingest.js';
import { registerFeeds } from './feeds.js';
import { registerAccount } from '../web/routes/account.js';
import { registerAlerts } from '../web/routes/alerts.js';
import { registerAttack } from '../web/routes/attack.js';
import { registerAuth } from '../web/routes/auth.js';
import { registerEditor } from '../web/routes/editor.js';
import { registerFeed } from '../web/routes/feed.js';
import { registerModels } from '../web/routes/models.js';
import { registerRules } from '../web/routes/rules.js';
import { registerSearch } from '../web/routes/search.js';

export function registerRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerAuth(app, ctx);
  registerFeed(app, ctx);
  registerModels(app, ctx);
  registerRules(app, ctx);
  registerAttack(app, ctx);
  registerSearch(app, ctx);
  registerAlerts(app, ctx);
  registerEditor(app, ctx);
  registerAccount(app, ctx);
  registerConversions(app, ctx);
  registerIngest(app, ctx);
  registerApi(app, ctx);
  registerFeeds(app, ctx);
}
