import type { Actor } from '../app/actor.js';
import type { NewId } from '../app/apply.js';
import type { Role } from '../domain/member.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/port.js';
import type { Authenticator } from './auth.js';
import type { ApiRequest, ApiResponse } from './request.js';

export type ApiDeps = {
  store: Store;
  authenticate: Authenticator;
  newId: NewId;
  log: Logger;
  clock: () => Date;
  /** Dev mode lets a request set the server's clock with X-Leadpool-Now. */
  devMode: boolean;
  /** Identities of the Cloud Scheduler service account(s), allowed on job routes only. */
  schedulerEmails: readonly string[];
  /** Names the team in the QC sample's seed. */
  team?: string;
};

export type RouteContext = {
  request: ApiRequest;
  params: Record<string, string>;
  deps: ApiDeps;
  actor: Actor;
  /** The caller is Cloud Scheduler, not a member; its actor is a system actor. */
  scheduler: boolean;
};

type Method = 'GET' | 'POST' | 'PUT';

/** A member role, or the scheduler's service account. */
export type Access = Role | 'scheduler';

/** A route for members: `roles` says who may call it, the handler checks ownership. */
export type MemberRoute = {
  method: Method;
  path: string;
  roles: readonly Access[];
  handle: (context: RouteContext) => Promise<ApiResponse>;
};

export type PublicRoute = {
  method: Method;
  path: string;
  roles: 'public';
  handle: (request: ApiRequest) => Promise<ApiResponse>;
};

export type Route = MemberRoute | PublicRoute;

type CompiledRoute = Route & { pattern: RegExp; names: string[] };

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

export function compileRoutes(routes: readonly Route[]): (method: string, path: string) => Match {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split(/(\{\w+\})/)
      .map((part) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

        names.push(name);
        return '([^/]+)';
      })
      .join('');

    return { ...route, pattern: new RegExp(`^${source}$`), names };
  });

  return (method, path) => {
    const allowed: string[] = [];
    for (const route of compiled) {
      const match = route.pattern.exec(path);
      if (!match) continue;

      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }

      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = safeDecode(match[index + 1] ?? '');
      });
      return { kind: 'found', route, params };
    }

    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
