// Every page module of the console, in one list. A module registers its pages and actions on the site.
import type { ConsoleSite } from '../site.js';
import { appPages } from './apps.js';
import { identityProviderPages } from './identity-provider.js';
import { webhookPages } from './webhook.js';
import { directoryPages } from './directory.js';
import { syncPages } from './sync.js';
import { keyPages } from './keys.js';
import { auditPages } from './audit.js';

export type ConsolePageModule = (site: ConsoleSite) => void;

export const CONSOLE_PAGES: ConsolePageModule[] = [appPages, identityProviderPages, webhookPages, directoryPages, syncPages, keyPages, auditPages];
