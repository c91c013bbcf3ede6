// The directory sections of an app: Users (directory-users.ts) and Groups (directory-groups.ts).
import type { ConsoleSite } from '../site.js';
import { usersPages } from './directory-users.js';
import { groupsPages } from './directory-groups.js';

export function directoryPages(site: ConsoleSite): void {
  usersPages(site);
  groupsPages(site);
}
