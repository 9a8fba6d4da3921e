/* The typings of the public API, kept by hand: the Node and WASM packages share them (WASM adds init/initSync).
 * test/types compiles consumers against them with tsc --strict, and the host corpus checks the shapes at run time. */
/* eslint-disable */

/** Every stripe-handshake error: an Error with a stable `code` and its `family`. */
export declare class StripeHandshakeError extends Error {
  /** Stable snake_case code, the same in Rust, Node, Python and WASM. */
  readonly code: string
  /** signature, state, redirect, oauth, invalid_input, malformed_input, store or internal. */
  readonly family: string
}
/** A Stripe-Signature header or install_signature did not verify. */
export declare class SignatureVerificationError extends StripeHandshakeError {}
/** A state value or token did not check out (possible CSRF). */
export declare class StateError extends StripeHandshakeError {}
/** A redirect URI or allow-list entry broke the rules. */
export declare class RedirectError extends StripeHandshakeError { readonly index?: number }
/** An OAuth endpoint answered with an error, or its answer was unusable. */
export declare class OAuthError extends StripeHandshakeError {
  /** The `error` string from Stripe, when it sent one. */
  readonly error?: string
  /** One of the documented error strings, or `other`. */
  readonly oauthKind?: string
  /** `error_description`: untrusted text, escape it before display. */
  readonly errorDescription?: string
}
/** An argument, key, secret or configuration is unusable. */
export declare class InvalidInputError extends StripeHandshakeError { readonly index?: number }
/** Input from the network is malformed or too large. */
export declare class MalformedInputError extends StripeHandshakeError {}
/** A one-time store (Redis, PostgreSQL, memory) could not answer: nothing was accepted. */
export declare class StoreError extends StripeHandshakeError {}
/** A bug in stripe-handshake (a caught panic) or the OS random source failed. */
export declare class InternalError extends StripeHandshakeError {}
/** Recommended tolerance in seconds, the default of every verifier. */
export declare const DEFAULT_TOLERANCE_SECS: number
/** Every error code. */
export declare const ERROR_CODES: readonly string[]
/**
 * Which build of the core runs this API: `'native'` (the napi addon for this platform) or
 * `'wasm'` (the WASM build of the same core, loaded where no addon does, or when
 * `STRIPE_HANDSHAKE_ENGINE=wasm`). Both give the same results; the addon is faster.
 */
export declare const engine: 'native' | 'wasm'

/** The fields of `stripe-app.json` this library uses. */
export interface AppManifest {
  /** The app id. */
  id: string
  /** `stripe_api_access_type`, if present. */
  stripeApiAccessType: string | null
  /** `distribution_type`, if present. */
  distributionType: string | null
  /** `allowed_redirect_uris`, checked; pass them to `redirectAllowList`. */
  redirectUris: Array<string>
}

/** Builds a Stripe Apps OAuth authorize link. */
export declare function appsOAuthLink(params: AppsOAuthLinkParams, allowList: RedirectAllowList): string

/** Parameters of a Stripe Apps OAuth link. */
export interface AppsOAuthLinkParams {
  /** The app's client id (`ca_…`). */
  clientId: string
  /** Must be in the allow-list. Defaults to its first entry. */
  redirectUri?: string
  /** The `state` value (recommended). */
  state?: string
  /** The link id (`chnlink_…`) of a test or sandbox link. */
  testLinkId?: string
  /** Base URL override (an emulator). Defaults to `https://marketplace.stripe.com`. */
  baseUrl?: string
  /** When given, checked: a live link has no link id, test and sandbox links have one. */
  mode?: LinkMode
}

/** When a Stripe Apps token pair received at `issuedAt` expires, and whether to refresh. */
export declare function appsTokenExpiry(issuedAt: number, options?: ExpiryOptions | undefined | null): TokenExpiry


/** Checks a received plain state against the one in the session, in constant time. */
export declare function checkPlainState(expected: string, received?: string | undefined | null): void

/** Parameters of a code exchange. */
export type CodeExchangeParams = {
  /** Your secret key (`sk_live_…` / `sk_test_…`). */
  secretKey: string
  /** The flow's environment (`live`, `test`, `sandbox`, e.g. the state's `stateMode`): a key of another mode is refused before any request. */
  expectedMode?: LinkMode
  /** Base URL override (an emulator). */
  baseUrl?: string
} & (
  | {
    /** The authorized result of the callback check: its code, its provider and its state's mode (the short, safe path). */
    authorization: Authorized | AppAuthorized | MarketplaceAuthorized
    provider?: never
    code?: never
  }
  | {
    authorization?: never
    /** `apps` or `connect`: the token endpoint the code belongs to. */
    provider: string
    /** The code from the callback. */
    code: string
  }
)

/** Builds the code-exchange request. Send it once: never retry a code exchange. */
export declare function codeExchangeRequest(params: CodeExchangeParams): HttpRequest

/** Parameters of a Connect OAuth link. */
export interface ConnectLinkParams {
  /** The platform's client id (`ca_…`). */
  clientId: string
  /** `standard` or `express`. */
  accountType: string
  /** Standard only, required: `read_write` or `read_only`. */
  scope?: string
  /** Must be in the allow-list. Defaults to its first entry. */
  redirectUri?: string
  /** The `state` value (Connect's only CSRF defence: always send one). */
  state?: string
  /** `login` or `register`. */
  stripeLanding?: string
  /** Ask again even if already connected. */
  alwaysPrompt?: boolean
  /** Express only: `suggested_capabilities[]`. */
  suggestedCapabilities?: Array<string>
  /** `stripe_user[…]` prefill, as an object or a list of `[key, value]` pairs. */
  stripeUser?: Record<string, string> | Array<Array<string>>
  /** Base URL override (an emulator). Defaults to `https://connect.stripe.com`. */
  baseUrl?: string
}

/** Builds a Connect OAuth authorize link (Standard or Express). */
export declare function connectOAuthLink(params: ConnectLinkParams, allowList: RedirectAllowList): string


/** Opt-outs that weaken a check; each needs a reason in code review. */
export declare const dangerous: {
  /** Verifies without the time window: a captured request verifies forever. Tests only. */
  verifyIgnoringTolerance(payload: string | Uint8Array, header: Header, secrets: string | Array<string>): VerifiedSignature
}

/** An `account.application.deauthorized` event. */
export interface Deauthorization {
  /** The account that disconnected: delete its tokens. */
  accountId: string
  /** The application (`ca_…`) it disconnected from. */
  applicationId: string
  /** The application's name, if sent. */
  applicationName: string | null
  /** Live mode or not. */
  livemode: boolean
}

/** Parameters of a Connect deauthorize. */
export interface DeauthorizeParams {
  /** Your secret key. */
  secretKey: string
  /** Your client id (`ca_…`). */
  clientId: string
  /** The connected account (`acct_…`). */
  stripeUserId: string
  /** `live` or `test`: refuse a key of the other mode. */
  /** The flow's environment (`live`, `test`, `sandbox`, e.g. the state's `stateMode`): a key of another mode is refused before any request. */
  expectedMode?: LinkMode
  /** Base URL override (an emulator). */
  baseUrl?: string
}

/** Builds a Connect deauthorize request. */
export declare function deauthorizeRequest(params: DeauthorizeParams): HttpRequest


/** Options of `appsTokenExpiry`. */
export interface ExpiryOptions {
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** Refresh this many seconds before expiry. Defaults to 300. */
  marginSecs?: number
}

/** HMAC-SHA256 of `message` under `key` (32 bytes). */
export declare function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array

/** Headers of a token request. */
export type HttpHeaders = {
  /** `Basic base64(sk_…:)`. A credential: never log it. */
  Authorization: string
  /** `application/x-www-form-urlencoded`. */
  'Content-Type': string
}

/** An HTTP request for your client (fetch, undici, axios) to send. */
export interface HttpRequest {
  /** `POST`. */
  method: string
  /** The endpoint. */
  url: string
  /** The headers. */
  headers: HttpHeaders
  /** The form body. */
  body: string
}

/**
 * What to do with an install that carries no `state` (started from the Stripe App Marketplace,
 * not from your link): `'refuse'` (the default, `state_missing`); `'accept'` (it comes back as
 * outcome `marketplace_install`, when signed over `"state":null` or `"state":""`);
 * `'accept_ui_extension_form'` also accepts a signature over `{user_id, account_id}`, the bytes
 * your app's UI extensions sign with the same secret, which any Dashboard user of that account
 * can produce.
 */
export type MarketplaceInstalls = 'refuse' | 'accept' | 'accept_ui_extension_form'

/**
 * Options of the install-callback check. Check a `state` with `expectedState`, or `stateKeys`
 * with `sessionId`; installs without one are refused unless `marketplace` accepts them (with
 * neither, you start no installs yourself and every callback with a state is refused).
 */
export interface InstallCallbackOptions {
  /** The app's signing secret (`absec_…`), or several during a rotation. */
  secrets: string | Array<string>
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** Seconds the signature's `t` may differ from now; must be positive. Defaults to 300. */
  tolerance?: number
  /** The plain state you put in the link. */
  expectedState?: string
  /** The keys of signed state tokens. */
  stateKeys?: Array<StateKeyInput>
  /** The user's session id (with `stateKeys`). */
  sessionId?: string | Uint8Array
  /** Installs without a state. Defaults to `'refuse'`. */
  marketplace?: MarketplaceInstalls
  /** A one-time store: the state token's nonce is consumed in it, and the call returns a promise. */
  store?: OneTimeStore
  /** `'unchecked'`: you consume `stateNonce` yourself (state tokens need a store or this). */
  replay?: 'unchecked'
}

/** Options of `verifyAppCallback`: the app's access type decides the checks, never the query. */
export interface AppCallbackOptions {
  /** `'install_link'` (the redirect carries `install_signature`) or `'oauth'` (`stripe_api_access_type: oauth`: a code). */
  accessType: 'install_link' | 'oauth'
  /** The app's signing secret (`absec_…`): required for install links, unused for OAuth apps. */
  secrets?: string | Array<string>
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** Seconds the signature's `t` may differ from now; must be positive. Defaults to 300. */
  tolerance?: number
  /** The plain state you put in the link. */
  expectedState?: string
  /** The keys of signed state tokens (`install_link` or `apps_oauth` flow). */
  stateKeys?: Array<StateKeyInput>
  /** The user's session id (with `stateKeys`). */
  sessionId?: string | Uint8Array
  /** Callbacks without a state. Defaults to `'refuse'`. */
  marketplace?: MarketplaceInstalls
  /** A one-time store: the state token's nonce is consumed in it, and the call returns a promise. */
  store?: OneTimeStore
  /** `'unchecked'`: you consume `stateNonce` yourself (state tokens need a store or this). */
  replay?: 'unchecked'
}

/** Verifies any Stripe Apps callback by the app's access type: install links by `install_signature` and state; OAuth apps by code, ids and state. */
export declare function verifyAppCallback(query: string | undefined | null, options: AppCallbackOptions & { store: OneTimeStore }): Promise<Installed | MarketplaceInstall | AppAuthorized | MarketplaceAuthorized | Denied>
export declare function verifyAppCallback(query: string | undefined | null, options: AppCallbackOptions): Installed | MarketplaceInstall | AppAuthorized | MarketplaceAuthorized | Denied

/** Options of `verifyUiExtensionSignature`. */
export interface UiExtensionOptions {
  /** `user_id` from the extension's request. */
  userId: string
  /** `account_id` from the extension's request. */
  accountId: string
  /** The app's signing secret (`absec_…`), or several during a rotation. */
  secrets: string | Array<string>
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** Seconds `t` may differ from now; must be positive. Defaults to 300. */
  tolerance?: number
}

/** Who called you from one of your app's UI extensions (signature verified). */
export interface UiExtensionCaller {
  /** The Stripe user (`usr_…`). */
  userId: string
  /** The account (`acct_…`). */
  accountId: string
  /** The signature's timestamp. */
  timestamp: number
  /** Index of the secret that matched. */
  secretIndex: number
}

/** Verifies the signature a UI extension sends (`fetchStripeSignature()`): over `JSON.stringify({user_id, account_id})`. */
export declare function verifyUiExtensionSignature(header: Header, options: UiExtensionOptions): UiExtensionCaller

/** Builds a Stripe Apps install link. */
export declare function installLink(params: InstallLinkParams, allowList: RedirectAllowList): string

/** Parameters of an install link. */
export interface InstallLinkParams {
  /** The install link id from the app's Settings tab. */
  linkId: string
  /** Must be in the allow-list. Defaults to its first entry. */
  redirectUri?: string
  /** The `state` value (recommended). */
  state?: string
  /** Base URL override (an emulator). Defaults to `https://marketplace.stripe.com`. */
  baseUrl?: string
}


/** Parameters of a signed state token. */
export interface IssueStateOptions {
  /** The keys; the first signs. */
  keys: Array<StateKeyInput>
  /** `install_link`, `apps_oauth` or `connect_oauth`. */
  flow: string
  /** The user's session id. */
  sessionId: string | Uint8Array
  /** Lifetime in seconds. Defaults to 600. */
  ttlSecs?: number
  /** Small app data (at most 192 bytes). */
  data?: string
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** 32 bytes for the nonce. Defaults to the OS CSPRNG. */
  nonce?: Uint8Array
  /** The environment the link is for: signed in, returned by the check as `mode`/`stateMode`, passed to the exchange as `expectedMode`. */
  mode?: LinkMode
}

/** A Stripe environment: `live`, `test`, or a `sandbox` (whose keys are `sk_test_`). */
export type LinkMode = 'live' | 'test' | 'sandbox'

/** Issues a signed, session-bound, expiring state token. */
export declare function issueStateToken(options: IssueStateOptions): string

/** Options of the OAuth-callback check. Say how to check `state` as for installs. */
export interface OAuthCallbackOptions {
  /** `apps_oauth` or `connect_oauth`. */
  flow: string
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** The plain state you put in the link. */
  expectedState?: string
  /** The keys of signed state tokens. */
  stateKeys?: Array<StateKeyInput>
  /** The user's session id (with `stateKeys`). */
  sessionId?: string | Uint8Array
  /** Accept callbacks without state. */
  allowStateless?: boolean
  /** A one-time store: the state token's nonce is consumed in it, and the call returns a promise. */
  store?: OneTimeStore
  /** `'unchecked'`: you consume `stateNonce` yourself (state tokens need a store or this). */
  replay?: 'unchecked'
}

/** Parses the deauthorize answer; it must echo `expectedStripeUserId`. */
export declare function parseDeauthorizeResponse(status: number, body: string | Uint8Array, expectedStripeUserId: string): void

/** A one-time entry, checked, with its key-value key. */
export interface OneTimeEntry {
  /** `state` (state-token nonces) or `event` (webhook event ids). */
  namespace: string
  /** The nonce or the event id. */
  id: string
  /** Unix seconds after which the entry may be forgotten. */
  expiresAt: number
  /** `prefix + namespace + ':' + id`: the Redis (or KV) key. */
  key: string
  /** Seconds a key-value store keeps it from now: through its last second, plus 300 s for clocks. */
  ttlSecs: number
}

/** The statements a PostgreSQL one-time store runs. */
export interface PostgresStatements {
  /** Creates the table if it does not exist. */
  create: string
  /** Parameters namespace, id, expires_at, now: one row the first time, none while the entry stands. */
  consume: string
  /** Parameter now: deletes entries expired for longer than 300 s. */
  prune: string
  /** Parameters namespace, id: forgets one entry (an event whose handler failed). */
  release: string
  /** Parameters namespace, id, expires_at: moves an entry's expiry (a lease made final). */
  extend: string
}

/**
 * Checks a one-time entry (namespace `state` or `event`, an id, the Unix second it may be
 * forgotten, after now) and names its key: `prefix` (default `stripe-handshake:`) + namespace +
 * `:` + id. Stores call it before they record anything.
 */
export declare function oneTimeEntry(namespace: string, id: string, expiresAt: number,
  options?: { now?: number; prefix?: string } | undefined | null): OneTimeEntry

/** The statements of a PostgreSQL one-time store (`dollar`: node-postgres's `$1`; `percent`: psycopg's `%s`). */
export declare function postgresStatements(options: { table?: string; placeholders: 'dollar' | 'percent' }): PostgresStatements

/**
 * What a store's answer means: `true` the first time; `false` throws `state_replayed` for
 * namespace `state`, `code_replayed` for `code`, and returns `false` (a duplicate to
 * acknowledge) for `event`; anything else
 * (pass `undefined` when the store failed) throws `store_unavailable`. Never a silent accept.
 */
export declare function oneTimeOutcome(answer: unknown, options: { namespace: string }): boolean

/** What a webhook endpoint answers Stripe: a status and a JSON body. */
export interface WebhookReply {
  status: number
  body: string
}

/**
 * What a webhook endpoint answers Stripe for an outcome (the adapters' one table): `delivered`
 * and `duplicate` 200; `body_too_large` 413; `body_already_parsed` and `handler_failed` 500
 * (Stripe delivers again); a store error 503; any other error code of this library 400.
 */
export declare function webhookReply(outcome: string): WebhookReply

/** The largest webhook body the adapters read, in bytes (1 MiB). */
export declare const MAX_WEBHOOK_BODY: number
/** Seconds a webhook adapter first claims an event (a lease: lapses if the process dies mid-handler). */
export declare const EVENT_LEASE_SECS: number
/** Seconds an event id is kept once its handler succeeded (Stripe retries for three days). */
export declare const EVENT_RETENTION_SECS: number

/** Parses a `stripe-app.json` manifest and checks its redirect URIs. */
export declare function parseManifest(json: string, options?: RedirectOptions | undefined | null): AppManifest

/** Checks that `key` is a secret key (`sk_live_…` / `sk_test_…`) and reads its mode. */
export declare function parseSecretKey(key: string): SecretKeyInfo

/** Parses the token endpoint's answer (status and raw body). */
export declare function parseTokenResponse(status: number, body: string | Uint8Array): TokenResponse

/** A plain `state` from 32 bytes you supply (from a CSPRNG). */
export declare function plainStateFromEntropy(entropy: Uint8Array): string

/** A fresh plain `state`: 32 bytes from the OS CSPRNG as base64url (43 characters). */
export declare function randomState(): string


/** Options of an allow-list. */
export interface RedirectOptions {
  /** Allow plain-http loopback URIs (local development). Defaults to false. */
  testMode?: boolean
}

/** Parameters of a refresh. */
export interface RefreshParams {
  /** `apps` or `connect`. */
  provider: string
  /** Your secret key. */
  secretKey: string
  /** The refresh token (Stripe Apps: it rolls; store the new one). */
  refreshToken: string
  /** Connect only: narrow the scope. */
  scope?: string
  /** `live` or `test`: refuse a key of the other mode. */
  /** The flow's environment (`live`, `test`, `sandbox`, e.g. the state's `stateMode`): a key of another mode is refused before any request. */
  expectedMode?: LinkMode
  /** Base URL override (an emulator). */
  baseUrl?: string
}

/** Builds a refresh request. */
export declare function refreshRequest(params: RefreshParams): HttpRequest

/** What `parseSecretKey` learns about a key. */
export interface SecretKeyInfo {
  /** `live` or `test`. */
  mode: 'live' | 'test'
}

/** Builds a `t=…,v1=…` header for `payload` at `timestamp` (Unix seconds): for tests and emulators. */
export declare function signHeader(payload: string | Uint8Array, secret: string, timestamp: number): string

/** A state key: an id and at least 32 secret bytes. */
export interface StateKeyInput {
  /** 1-16 characters of A-Z a-z 0-9 _ -. */
  id: string
  /** At least 32 random bytes from your secret store. */
  key: Uint8Array
}

/** Expiry of a Stripe Apps token pair. */
export interface TokenExpiry {
  /** When the access token expires (1 hour after issue). */
  accessExpiresAt: number
  /** When the refresh token expires if unused (1 year). */
  refreshExpiresAt: number
  /** Whether to refresh now. */
  needsRefresh: boolean
  /** Whether the refresh token has expired (the user must reinstall). */
  refreshExpired: boolean
}

/** A successful token response. The tokens are credentials: never log them. */
export interface TokenResponse {
  /** The access token. */
  accessToken: string
  /** The refresh token (Stripe Apps: store the new one every time). */
  refreshToken: string | null
  /** The granted scope. */
  scope: string | null
  /** Live-mode tokens or not. */
  livemode: boolean | null
  /** `bearer`. */
  tokenType: string
  /** The connected account (`acct_…`). */
  stripeUserId: string
  /** The account's publishable key. */
  stripePublishableKey: string | null
}

/** A verified signature. */
export interface VerifiedSignature {
  /** The signed timestamp (Unix seconds). */
  timestamp: number
  /** Index of the first secret that matched. */
  secretIndex: number
}

/** A verified state token. */
export interface VerifiedState {
  /** The token format's version (2: the one this release issues and accepts). */
  version: number
  /** The key that signed it. */
  keyId: string
  /** Issued-at (Unix seconds). */
  issuedAt: number
  /** Expiry (Unix seconds). */
  expiresAt: number
  /** The flow. */
  flow: string
  /** The nonce (base64url): store it until `expiresAt` to refuse a replay. */
  nonce: string
  /** The app data, if any. */
  data: string | null
  /** The environment the link was built for, if the issuer said. */
  mode: LinkMode | null
}

/** Options of a prepared verifier. */
export interface VerifierOptions {
  /** Seconds `t` may differ from now, both ways; must be positive. Defaults to 300. */
  tolerance?: number
}

/** The result of `Verifier.tryVerify`: never thrown. */
export interface VerifyAttempt {
  /** Whether the signature verified. */
  ok: boolean
  /** When ok: the signed timestamp. */
  timestamp: number | null
  /** When ok: the index of the secret that matched. */
  secretIndex: number | null
  /** When not ok: the error code. */
  code: string | null
  /** When not ok: the message. */
  message: string | null
}

/** Verifies an `account.application.deauthorized` webhook and reads it. */
export declare function verifyDeauthorization(payload: string | Uint8Array, header: Header, options: VerifyOptions): Deauthorization

/** Verifies a full 32-byte HMAC-SHA256 `tag` in constant time; a truncated tag never verifies. */
export declare function verifyHmacSha256(key: Uint8Array, message: Uint8Array, tag: Uint8Array): void

/**
 * Verifies the redirect after an install link from its raw query string: `install_signature`,
 * the time window, then `state`.
 */
export declare function verifyInstallCallback(query: string | undefined | null, options: InstallCallbackOptions & { store: OneTimeStore }): Promise<Installed | MarketplaceInstall | Denied>
export declare function verifyInstallCallback(query: string | undefined | null, options: InstallCallbackOptions): Installed | MarketplaceInstall | Denied

/** Parses an OAuth redirect (Stripe Apps or Connect) and checks its `state`. */
export declare function verifyOAuthCallback(query: string | undefined | null, options: OAuthCallbackOptions & { store: OneTimeStore }): Promise<Authorized | Denied>
export declare function verifyOAuthCallback(query: string | undefined | null, options: OAuthCallbackOptions): Authorized | Denied

/** Options of the one-shot verifiers. */
export interface VerifyOptions {
  /** The signing secret (`whsec_…` / `absec_…`), or several during a rotation. */
  secrets: string | Array<string>
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** Seconds `t` may differ from now, both ways; must be positive. Defaults to 300. */
  tolerance?: number
}

/** Verifies a `Stripe-Signature` header over the raw payload. */
export declare function verifySignature(payload: string | Uint8Array, header: Header, options: VerifyOptions): VerifiedSignature

/** Options of a state token check. */
export interface VerifyStateOptions {
  /** The keys that may have signed it. */
  keys: Array<StateKeyInput>
  /** The user's session id. */
  sessionId: string | Uint8Array
  /** The flow the token must be for. */
  flow: string
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** A one-time store: the state token's nonce is consumed in it, and the call returns a promise. */
  store?: OneTimeStore
  /** `'unchecked'`: you consume `nonce` yourself (state tokens need a store or this). */
  replay?: 'unchecked'
}

/** Verifies a signed state token (`token` may be null when the callback had none). */
export declare function verifyStateToken(token: string | undefined | null, options: VerifyStateOptions & { store: OneTimeStore }): Promise<VerifiedState>
export declare function verifyStateToken(token: string | undefined | null, options: VerifyStateOptions): VerifiedState

/**
 * Verifies an event notification (a thin event, `"object": "v2.core.event"`) from its raw body
 * and `Stripe-Signature` header, then reads it. A snapshot event is refused with
 * `snapshot_event_given`: use `verifyWebhook` for those.
 */
export declare function verifyEventNotification(payload: string | Uint8Array, header: Header, options: VerifyOptions): EventNotification

/** The object an event notification is about. */
export interface RelatedObject {
  /** Its id; singleton objects (a balance) have none. */
  id: string | null
  /** Its type (`billing.meter`, `v2.core.account`). */
  type: string
  /** The API path that retrieves it (`/v1/billing/meters/mtr_…`): give it to `fetchRelatedObjectRequest`. */
  url: string
}

/** An event notification (a thin event) whose signature verified. */
export interface EventNotification {
  /** `evt_…`: refuse duplicates by this id; give it to `fetchEventRequest`. */
  id: string
  /** The event type (`v1.customer.created`, `v2.core.account.updated`). */
  type: string
  /** Creation time in Unix seconds (the fraction dropped). */
  created: number
  /** `created` exactly as sent (RFC 3339). */
  createdRfc3339: string
  /** Live mode or not: the key that fetches the event must be of this mode. */
  livemode: boolean
  /** The account it happened on (`acct_…`, or `acct_1/acct_2`); null when it is yours. */
  context: string | null
  /** The object it is about, if any. */
  relatedObject: RelatedObject | null
  /** The id of the snapshot event of the same occurrence, if any. */
  snapshotEvent: string | null
  /** The whole notification, parsed (as `JSON.parse` parses it). */
  raw: unknown
  /** The signature's timestamp. */
  timestamp: number
  /** Index of the secret that matched. */
  secretIndex: number
}

/** Parameters of `fetchEventRequest`: the notification's `id`, `livemode` and `context`. */
export interface FetchEventParams {
  /** Your secret key (`sk_live_…` / `sk_test_…`), of the notification's mode. */
  secretKey: string
  /** The notification's `id`. */
  eventId: string
  /** The notification's `livemode`: a key of the other mode is refused before any request. */
  livemode: boolean
  /** The notification's `context`, sent as `Stripe-Context`. */
  context?: string | null
  /** Sent as `Stripe-Version` when given. */
  apiVersion?: string
  /** A local emulator instead of `https://api.stripe.com`. */
  baseUrl?: string
}

/** Parameters of `fetchRelatedObjectRequest`: the notification's `relatedObject.url`, `livemode` and `context`. */
export interface FetchRelatedObjectParams {
  /** Your secret key (`sk_live_…` / `sk_test_…`), of the notification's mode. */
  secretKey: string
  /** `relatedObject.url`: an API path (`/v1/…`, `/v2/…`), never another host. */
  url: string
  /** The notification's `livemode`: a key of the other mode is refused before any request. */
  livemode: boolean
  /** The notification's `context`, sent as `Stripe-Context`. */
  context?: string | null
  /** Sent as `Stripe-Version` when given. */
  apiVersion?: string
  /** A local emulator instead of `https://api.stripe.com`. */
  baseUrl?: string
}

/** Headers of an API GET: the optional ones are absent (never null) when they do not apply. */
export type ApiHeaders = {
  /** `Bearer sk_…`. A credential: never log it. */
  Authorization: string
  /** The notification's context, when it has one. */
  'Stripe-Context'?: string
  /** When `apiVersion` was given. */
  'Stripe-Version'?: string
}

/** An API GET for your client: `fetch(r.url, r)` sends it. */
export interface ApiRequest {
  /** `GET`. */
  method: string
  /** The URL. */
  url: string
  /** The headers. */
  headers: ApiHeaders
}

/** Parameters of `accountLinkRequest`. */
export interface AccountLinkParams {
  /** Your secret key (`sk_live_…` / `sk_test_…`). */
  secretKey: string
  /** The connected account (`acct_…`). */
  account: string
  /** `account_onboarding` (the default) or `account_update`. */
  type?: 'account_onboarding' | 'account_update'
  /** Where Stripe sends the user when they finish or leave: an allow-list entry. */
  returnUrl: string
  /** Where Stripe sends the user when the link expired or was used: an allow-list entry; make a new link there. */
  refreshUrl: string
  /** `collection_options[fields]`. */
  collectionFields?: 'currently_due' | 'eventually_due'
  /** `collection_options[future_requirements]`. */
  futureRequirements?: 'include' | 'omit'
  /** The keys of signed state tokens: both URLs get one, bound to `sessionId` and the account. */
  stateKeys: Array<StateKeyInput>
  /** The session that starts onboarding. */
  sessionId: string | Uint8Array
  /** The environment, signed into the state and checked against the key. */
  mode?: LinkMode
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** 32 bytes for the state's nonce. Defaults to the OS CSPRNG. */
  nonce?: Uint8Array
  /** Checked against the key before anything is built. */
  expectedMode?: LinkMode
  /** A local emulator instead of `https://api.stripe.com`. */
  baseUrl?: string
}

/** Builds `POST /v1/account_links` whose return and refresh URLs carry a signed, session-bound state. */
export declare function accountLinkRequest(params: AccountLinkParams, allowList: RedirectAllowList): HttpRequest

/** An Account Link: send the user to `url` before `expiresAt`. */
export interface AccountLink {
  /** The single-use onboarding URL. */
  url: string
  /** When it was made (Unix seconds). */
  created: number
  /** When it stops working (Unix seconds). */
  expiresAt: number
}

/** Reads the answer to `accountLinkRequest`; a Stripe API error object throws `api_error`. */
export declare function parseAccountLinkResponse(status: number, body: string | Uint8Array): AccountLink

/** Options of `verifyAccountLinkCallback`. */
export interface AccountLinkCallbackOptions {
  /** Which URL the request arrived at: `return` or `refresh`. */
  kind: 'return' | 'refresh'
  /** The keys of signed state tokens. */
  stateKeys: Array<StateKeyInput>
  /** The user's session id. */
  sessionId: string | Uint8Array
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** A one-time store: the state token's nonce is consumed in it, and the call returns a promise. */
  store?: OneTimeStore
  /** `'unchecked'`: you consume `stateNonce` yourself (state tokens need a store or this). */
  replay?: 'unchecked'
}

/** A return to an Account Link's URL whose state is this session's. It proves nothing about onboarding. */
export interface AccountLinkCallback {
  /** `return` or `refresh`. */
  kind: string
  /** The account, from the signed state (never from the URL). */
  accountId: string
  /** `retrieve_account` (read its requirements with `retrieveAccountRequest`) or `create_new_link`. */
  nextStep: string
  /** Store it until `stateExpiresAt` and refuse a second use. */
  stateNonce: string
  /** When the state expires (Unix seconds): how long to keep the nonce. */
  stateExpiresAt: number
  /** The environment the link was made for, if given. */
  stateMode: LinkMode | null
}

/** Checks a return to an Account Link's return or refresh URL. */
export declare function verifyAccountLinkCallback(query: string | undefined | null, options: AccountLinkCallbackOptions & { store: OneTimeStore }): Promise<AccountLinkCallback>
export declare function verifyAccountLinkCallback(query: string | undefined | null, options: AccountLinkCallbackOptions): AccountLinkCallback

/** Parameters of `retrieveAccountRequest`. */
export interface RetrieveAccountParams {
  /** Your secret key. */
  secretKey: string
  /** The account (`acct_…`). */
  account: string
  /** Checked against the key (e.g. the state's `stateMode`). */
  expectedMode?: LinkMode
  /** Sent as `Stripe-Version` when given. */
  apiVersion?: string
  /** A local emulator instead of `https://api.stripe.com`. */
  baseUrl?: string
}

/** Builds `GET /v1/accounts/{id}`: after a return, read the account instead of trusting the return. */
export declare function retrieveAccountRequest(params: RetrieveAccountParams): ApiRequest

/** Builds `GET /v2/core/events/{id}`: the full event of a notification. */
export declare function fetchEventRequest(params: FetchEventParams): ApiRequest

/** Builds the `GET` of a notification's `relatedObject.url`. */
export declare function fetchRelatedObjectRequest(params: FetchRelatedObjectParams): ApiRequest

/** One finding of a diagnosis: a stable code, what it means, what to do. Never a secret or a MAC. */
export interface Finding {
  /** `body_changed`, `wrong_secret`, `clock_skew`, `secret_is_api_key`, … (the table is in the README). */
  code: string
  /** What was found. */
  message: string
  /** What to do. */
  action: string
}

/** Why a signature does (not) verify. */
export interface Diagnosis {
  /** Whether it verifies, time window included. */
  verified: boolean
  /** What was found, most decisive first. */
  findings: Finding[]
}

/** After a failure only: why a `Stripe-Signature` does not verify (a changed body, the wrong or a mistyped secret, a clock off, a header that is not one). */
export declare function diagnoseSignature(payload: string | Uint8Array, header: Header, options: VerifyOptions): Diagnosis

/** Options of `diagnoseCallback`: each part is optional and adds the findings it can check. */
export interface CallbackDiagnosisOptions {
  /** The app's signing secret(s) (`absec_…`), to check an `install_signature`. */
  secrets?: string | Array<string>
  /** The keys of signed state tokens. */
  stateKeys?: Array<StateKeyInput>
  /** The session the state should be bound to. */
  sessionId?: string | Uint8Array
  /** Current Unix time in seconds. Defaults to the system clock. */
  now?: number
  /** Seconds the signature's `t` may differ from now. Defaults to 300. */
  tolerance?: number
  /**
   * The app's `stripe-app.json` text: the URL the callback arrived at is checked against its
   * `allowed_redirect_uris`, and the callback against its `stripe_api_access_type`.
   */
  manifest?: string
  /** A platform's redirect allow-list (not with `manifest`): the URL the callback arrived at is checked against it. */
  redirectUris?: Array<string>
}

/** After a refusal only: why `uri` is not an allow-list entry: not canonical, no entry with its host, or the nearest entry (by number) and each difference. */
export declare function diagnoseRedirectUri(uri: string, allowList: RedirectAllowList): Diagnosis

/** After a failure only: which flow a callback URL (or query) belongs to, what is missing, the state verdict in words, the install_signature. */
export declare function diagnoseCallback(queryOrUrl: string | undefined | null, options?: CallbackDiagnosisOptions): Diagnosis

/** Verifies a webhook from its raw body and `Stripe-Signature` header, then reads the event. */
export declare function verifyWebhook(payload: string | Uint8Array, header: Header, options: VerifyOptions): WebhookEvent

/** A webhook event whose signature verified. */
export interface WebhookEvent {
  /** `evt_…`: refuse duplicates by this id. */
  id: string
  /** The event type. */
  type: string
  /** The connected account, if any. */
  account: string | null
  /** Live mode or not. */
  livemode: boolean
  /** Creation time (Unix seconds). */
  created: number
  /** API version the event was rendered with. */
  apiVersion: string | null
  /** `data.object` as JSON text, exactly as sent. */
  /** `data.object`, parsed (as `JSON.parse` parses it). */
  dataObject: unknown
  /** `data.object` as JSON text, exactly as sent. */
  dataObjectJson: string
  /** The signature's timestamp. */
  timestamp: number
  /** Index of the secret that matched. */
  secretIndex: number
}

/** What frameworks hand over for a header: `req.headers['stripe-signature']` may be absent or repeated. */
export type Header = string | string[] | undefined | null

/** An allow-list of redirect URIs, checked once; the first entry is the default. */
export declare class RedirectAllowList {
  /** Every entry must be a canonical https URL (loopback http only with `testMode`). */
  constructor(entries: Array<string>, options?: RedirectOptions)
  /** Returns `uri` if it is byte-equal to an entry. */
  check(uri: string): string
  /** The default (first) entry. */
  get defaultUri(): string
  /** Every entry, in order. */
  get entries(): Array<string>
  /** Whether loopback http is allowed. */
  get testMode(): boolean
}

/**
 * A one-time store: records a state token's nonce or a webhook event's id once, across
 * processes and servers. `consume` is true the first time and false while an unexpired entry
 * stands, atomically; it throws a `StoreError` (`store_unavailable`) when it cannot answer, never
 * a silent true. Write your own (DynamoDB, a Durable Object) with `oneTimeEntry` and `oneTimeOutcome`.
 */
export interface OneTimeStore {
  consume(namespace: string, id: string, expiresAt: number): boolean | Promise<boolean>
  /** Forgets one entry: the webhook adapters release an event whose handler failed, so Stripe's retry is acted on. */
  release?(namespace: string, id: string): void | Promise<void>
  /** Moves an entry's expiry: the adapters claim an event for a lease, then keep it once handled. */
  extend?(namespace: string, id: string, expiresAt: number): void | Promise<void>
}

/** A store's clock: Unix seconds. Inject one in tests. */
export type StoreClock = () => number

/**
 * In one process's memory, for tests and a single server: bounded (default 100,000 entries),
 * expired entries swept as it grows; full of unexpired entries, it throws a `StoreError` rather
 * than forget one.
 */
export declare class MemoryStore implements OneTimeStore {
  constructor(options?: { maxEntries?: number; clock?: StoreClock })
  /** How many entries it holds (expired ones until the next sweep). */
  readonly size: number
  consume(namespace: string, id: string, expiresAt: number): boolean
  release(namespace: string, id: string): void
  extend(namespace: string, id: string, expiresAt: number): void
}

/** Redis: `SET key 1 NX EXAT expiresAt`. `client` is a connected node-redis or ioredis client. */
export declare class RedisStore implements OneTimeStore {
  constructor(
    client: { sendCommand(args: string[]): Promise<unknown> } | { call(...args: string[]): Promise<unknown> },
    options?: { prefix?: string; clock?: StoreClock; timeoutMs?: number },
  )
  consume(namespace: string, id: string, expiresAt: number): Promise<boolean>
  release(namespace: string, id: string): Promise<void>
  /** Moves an entry's expiry (a lease made final). */
  extend(namespace: string, id: string, expiresAt: number): Promise<void>
}

/** PostgreSQL: one atomic `INSERT … ON CONFLICT` per consume. `pool` is a node-postgres Pool or Client; call `init()` once. */
export declare class PostgresStore implements OneTimeStore {
  constructor(
    pool: { query(text: string, values?: unknown[]): Promise<{ rowCount: number | null }> },
    options?: { table?: string; clock?: StoreClock; timeoutMs?: number; pruneEvery?: number },
  )
  /** Creates the table if it does not exist. */
  init(): Promise<void>
  consume(namespace: string, id: string, expiresAt: number): Promise<boolean>
  /** Forgets one entry (an event whose handler failed). */
  release(namespace: string, id: string): Promise<void>
  /** Moves an entry's expiry (a lease made final). */
  extend(namespace: string, id: string, expiresAt: number): Promise<void>
  /** Deletes entries expired for longer than 300 s; returns how many. */
  prune(): Promise<number>
}

/** Options of the webhook route adapters. */
export interface WebhookRouteOptions<E = WebhookEvent | EventNotification> {
  /** The endpoint's signing secret(s), or a prepared `verifier`. */
  secrets?: string | Array<string>
  verifier?: Verifier
  /** `'snapshot'` (events, the default) or `'thin'` (event notifications). */
  kind?: 'snapshot' | 'thin'
  /** Where event ids are kept (four days): each event is acted on once. */
  store: OneTimeStore
  /** Acts on a verified event, once. If it throws, the answer is 500 and the event is released for Stripe's retry. */
  onEvent(event: E): unknown | Promise<unknown>
  /** Told about a failing handler or release (default: console.error). */
  onError?(error: unknown): void
  /** The clock of the signature check, in Unix seconds (default: the system clock). */
  now?(): number
}

/**
 * A Web-standard webhook route (Next.js route handlers, Hono, Bun, Deno, Workers): reads the raw
 * body (capped at 1 MiB), verifies it, acts on each event once, and answers as `webhookReply` says.
 */
export declare function webhookHandler(options: WebhookRouteOptions<WebhookEvent> & { kind?: 'snapshot' }): (request: Request) => Promise<Response>
export declare function webhookHandler(options: WebhookRouteOptions<EventNotification> & { kind: 'thin' }): (request: Request) => Promise<Response>

/**
 * Express (4 or 5) middleware for the webhook route. Mount it before `express.json()`, or keep
 * the raw body with `express.json({ verify: (req, res, buf) => { req.rawBody = buf } })`; after a
 * parser that threw the bytes away it answers 500 `body_already_parsed`.
 */
export declare function expressWebhook(options: WebhookRouteOptions<WebhookEvent> & { kind?: 'snapshot' }): (req: any, res: any, next?: (error?: unknown) => void) => Promise<void>
export declare function expressWebhook(options: WebhookRouteOptions<EventNotification> & { kind: 'thin' }): (req: any, res: any, next?: (error?: unknown) => void) => Promise<void>

/**
 * A Fastify plugin serving the webhook route at `path`: `app.register(fastifyWebhook({ path:
 * '/stripe/webhook', … }))`. Inside its own scope the body parser keeps the raw bytes (capped);
 * the rest of the app keeps Fastify's JSON parser.
 */
export declare function fastifyWebhook(options: WebhookRouteOptions<WebhookEvent> & { kind?: 'snapshot'; path: string }): (fastify: any) => Promise<void>
export declare function fastifyWebhook(options: WebhookRouteOptions<EventNotification> & { kind: 'thin'; path: string }): (fastify: any) => Promise<void>

/** A connected account's token, from `ConnectOAuthFlow.finish`. */
export interface Connected {
  outcome: 'connected'
  token: TokenResponse
  /** The app data the flow was started with, if any. */
  stateData: string | null
}

/**
 * Connect OAuth start to token: `start` builds the link with a state token bound to the session;
 * `finish` verifies the callback (its state consumed in `store`: a reload is refused before
 * anything is sent), exchanges the code once and reads the token.
 */
export declare class ConnectOAuthFlow {
  constructor(options: {
    clientId: string
    secretKey: string
    redirectUri?: string
    allowList: RedirectAllowList
    stateKeys: Array<StateKeyInput>
    store: OneTimeStore
    accountType?: 'standard' | 'express'
    scope?: 'read_write' | 'read_only'
    /** The environment: signed into each state, so the exchange refuses a key of another mode before sending. */
    mode?: 'live' | 'test'
    baseUrl?: string
    fetch?: (url: string, init: RequestInit) => Promise<Response>
  })
  start(options: { sessionId: string | Uint8Array; data?: string }): string
  /** `callback`: the URL as received (a URL object, an absolute URL string, a path with its query such as `req.originalUrl`) or its query. */
  finish(callback: string | URL, options: { sessionId: string | Uint8Array }): Promise<Connected | Denied>
}

/** An OAuth-type Stripe App's install, from `StripeAppFlow.finish`: the code exchanged once. */
export interface AppConnected {
  /** `connected` (started by your link, state checked) or `marketplace_connected` (from the Marketplace, with `marketplace: 'accept'`: nothing ties it to this browser). */
  outcome: 'connected' | 'marketplace_connected'
  token: TokenResponse
  /** The Stripe user who installed (`usr_…`), as the redirect named them. */
  userId: string
  /** The account (`acct_…`): the token's `stripeUserId`, Stripe's answer to your key. */
  accountId: string
  /** The app data the flow was started with, if any. */
  stateData: string | null
}

/** Options of a `StripeAppFlow`. */
export type StripeAppFlowOptions = {
  redirectUri?: string
  allowList: RedirectAllowList
  stateKeys: Array<StateKeyInput>
  store: OneTimeStore
  /** Installs without a state (from the Stripe App Marketplace). Defaults to `'refuse'`. */
  marketplace?: MarketplaceInstalls
  baseUrl?: string
  fetch?: (url: string, init: RequestInit) => Promise<Response>
} & (
  | {
    /** Your stripe-app.json's `stripe_api_access_type` decides this, never the callback. */
    accessType: 'install_link'
    /** The install link id from the app's Settings tab. */
    linkId: string
    /** The app's signing secret (`absec_…`), or several during a rotation. */
    secrets: string | Array<string>
  }
  | {
    accessType: 'oauth'
    /** The app's client id (`ca_…`). */
    clientId: string
    /** The key that exchanges the code (`sk_live_…` / `sk_test_…`). */
    secretKey: string
    /** The link id (`chnlink_…`) of a test or sandbox link. */
    testLinkId?: string
    /** The environment: signed into each state, so the exchange refuses a key of another mode before sending. */
    mode?: LinkMode
  }
)

/**
 * A Stripe App's install, start to result, by the app's access type: `start` builds the install
 * link (or the Apps OAuth link) with a state token bound to the session; `finish` verifies the
 * callback (its state, or a Marketplace authorization's code, consumed in `store`: a reload is
 * refused before anything is sent) and, for OAuth apps, exchanges the code once.
 */
export declare class StripeAppFlow {
  constructor(options: StripeAppFlowOptions)
  start(options: { sessionId: string | Uint8Array; data?: string }): string
  /** `callback`: the URL as received (a URL object, an absolute URL string, a path with its query such as `req.originalUrl`) or its query. */
  finish(callback: string | URL, options: { sessionId: string | Uint8Array }): Promise<Installed | MarketplaceInstall | AppConnected | Denied>
}

/** A `Stripe-Signature` verifier prepared once per endpoint: the fast path. */
export declare class Verifier {
  /** One secret, or several during a rotation. `tolerance` defaults to 300 s. */
  constructor(secrets: string | Array<string>, options?: VerifierOptions)
  /** Verifies a `Stripe-Signature` header over the raw payload. `now` defaults to the clock. */
  verify(payload: string | Uint8Array, header: Header, now?: number): VerifiedSignature
  /** `null` when the signature verifies, else the error code. Never throws for a bad signature. */
  check(payload: string | Uint8Array, header: Header, now?: number): string | null
  /** Like `verify`, but never throws: `{ ok: false, code, message }` on failure. */
  tryVerify(payload: string | Uint8Array, header: Header, now?: number): VerifyAttempt
  /** Verifies a webhook and reads the event. */
  verifyWebhook(payload: string | Uint8Array, header: Header, now?: number): WebhookEvent
  /** Verifies an `account.application.deauthorized` webhook and reads it. */
  verifyDeauthorization(payload: string | Uint8Array, header: Header, now?: number): Deauthorization
  /** Verifies an event notification (a thin event) and reads it. */
  verifyEventNotification(payload: string | Uint8Array, header: Header, now?: number): EventNotification
}

/** How the state check went, on every accepted callback. */
interface StateFields {
  /** `plain`, `signed` or `stateless`. */
  stateOutcome: 'plain' | 'signed' | 'stateless'
  /** Signed state: the nonce, consumed in your store (`store`) or by you (`replay: 'unchecked'`) until `stateExpiresAt`. */
  stateNonce: string | null
  /** Signed state: the app data. */
  stateData: string | null
  /** Signed state: the link's environment, if the issuer said: pass it as the exchange's `expectedMode`. */
  stateMode: LinkMode | null
  /** Signed state: when the token expires (Unix seconds), so how long its nonce must be kept. */
  stateExpiresAt: number | null
}

/** An install whose `install_signature` verified and whose state passed the check. */
export interface Installed extends StateFields {
  outcome: 'installed'
  /** The Stripe user (`usr_…`). */
  userId: string
  /** The account (`acct_…`) to use in the `Stripe-Account` header. */
  accountId: string
  /** The state as received (a credential: never printed). */
  state: string | null
  /** `livemode` as given (not signed). */
  livemode: string | null
  /** The signature's timestamp. */
  timestamp: number
  /** Index of the secret that matched. */
  secretIndex: number
}

/** An OAuth redirect with a code whose state passed the check. */
export interface Authorized extends StateFields {
  outcome: 'authorized'
  /** The one-time code (a credential: never printed); exchange it once. */
  code: string
  /** The granted scope (Connect). */
  scope: string | null
  /** The token endpoint the code belongs to (the flow's): pass it to `codeExchangeRequest`. */
  provider: 'apps' | 'connect'
}

/** An install without a state (the Stripe App Marketplace), accepted because `marketplace` says so. Nothing proves this browser started it. */
export interface MarketplaceInstall {
  outcome: 'marketplace_install'
  /** The Stripe user (`usr_…`). */
  userId: string
  /** The account (`acct_…`). */
  accountId: string
  /** `livemode` as given (not signed). */
  livemode: string | null
  /** What the signature covers: `null` (`"state":null`), `empty` (`"state":""`) or `omitted` (the UI extension form). */
  signedForm: 'null' | 'empty' | 'omitted'
  /** The signature's timestamp. */
  timestamp: number
  /** Index of the secret that matched. */
  secretIndex: number
}

/** An OAuth-type app's authorization from your link: state verified. Exchange the code at the Apps endpoint. */
export interface AppAuthorized extends StateFields {
  outcome: 'authorized'
  /** The one-time code (a credential: never printed); exchange it once. */
  code: string
  /** The Stripe user (`usr_…`). */
  userId: string
  /** The account (`acct_…`; `stripe_user_id` named the same one). */
  accountId: string
  /** Always `apps`. */
  provider: 'apps' | 'connect'
}

/** An OAuth-type app's authorization without a state (the Marketplace), accepted because `marketplace` says so. */
export interface MarketplaceAuthorized {
  outcome: 'marketplace_authorized'
  /** The one-time code (a credential: never printed); exchange it once. */
  code: string
  /** The Stripe user (`usr_…`). */
  userId: string
  /** The account (`acct_…`). */
  accountId: string
  /** Always `apps`. */
  provider: 'apps' | 'connect'
  /** The code's one-time id (its SHA-256, hex): with a store it is consumed (namespace `code`), so a reload is refused with `code_replayed`. */
  codeId: string
  /** When Stripe stops accepting the code (Unix seconds): keep `codeId` until then with `replay: 'unchecked'`. */
  codeExpiresAt: number
}

/** The user cancelled (or Stripe reported another error): nothing was granted. */
export interface Denied {
  outcome: 'denied'
  /** The `error` string. */
  error: string
  /** `access_denied`, …, or `other`. */
  kind: string
  /** `error_description`: untrusted, escape it before display. */
  description: string | null
}

/** The exact bytes Stripe signs for an install: `JSON.stringify({state, user_id, account_id})`.
 * Without `state` the key is omitted; `nullState: true` (only without `state`) gives `"state":null`. */
export declare function installPayload(options: InstallPayloadOptions): string

export interface InstallPayloadOptions {
  state?: string
  userId: string
  accountId: string
  nullState?: boolean
}
