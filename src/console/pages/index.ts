// Every page module of the console, in one list. A module registers its pages and actions on the site.
import type { ConsoleSite } from '../site.js';
import { appPages } from './apps.js';
import { identityProviderPages } from './identity-provider.js';

export type ConsolePageModule = (site: ConsoleSite) => void;

export const CONSOLE_PAGES: ConsolePageModule[] = [appPages, identityProviderPages];
