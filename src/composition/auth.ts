import { D1AccountStore } from "../adapters/d1/account-store";
import { D1TokenStore } from "../adapters/d1/token-store";
import { D1WebSessionStore } from "../adapters/d1/web-session-store";
import { AccountService } from "../auth/accounts";
import { TokenService } from "../auth/tokens";
import { WebSessionService } from "../auth/web-sessions";

/**
 * The credential services over the D1 binding: what the Worker (buildServices, the OAuth provider, the sign-in
 * routes) and the tests construct. src/auth stays free of D1 (it declares its stores in src/auth/ports.ts);
 * this is where those ports meet their adapters.
 */
export class D1TokenService extends TokenService {
  constructor(db: D1Database) {
    super(new D1TokenStore(db));
  }
}

export class D1AccountService extends AccountService {
  constructor(db: D1Database) {
    super(new D1AccountStore(db));
  }
}

export class D1WebSessionService extends WebSessionService {
  constructor(db: D1Database) {
    super(new D1WebSessionStore(db));
  }
}
