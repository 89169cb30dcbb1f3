/**
 * The one way Tiercel calls Claude. Every request goes gate → reserve → stream → settle, so none can spend
 * past the user's caps, every token the API reports lands in the ledger, and every failure reaches the user
 * as one sentence with a next action.
 *
 * Retries are the SDK's own (429 and 5xx, honouring `retry-after`), observed by a per-request middleware
 * that shows a countdown and makes spend-limit answers terminal; nothing here loops on top. A stream that
 * fails after its first event is never retried: the SDK doesn't, and neither does Tiercel, because the user
 * has already seen part of the answer and was billed for it.
 */
import type Anthropic from '@anthropic-ai/sdk';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  type Middleware,
} from '@anthropic-ai/sdk';
import { describeError, TiercelError, type NextAction } from '../errors';
import {
  BudgetExceededError,
  cacheWriteTtlOf,
  decideBudget,
  estimateInputTokens,
  formatUsd,
  needsConfirmation,
  worstCaseOf,
  type BudgetDecision,
  type BudgetLimits,
  type InputTokenSource,
  type WorstCase,
} from './budget';
import type { BudgetLedger, Reservation } from './ledger';
import { defaultPriceTable, type ModelPrice, type PriceTable } from './prices';
import { costOf, StreamUsage, usageFromSdk, type TokenUsage } from './usage';

/** Messages API params as Tiercel sends them (always streamed, so no `stream`). */
export type ClaudeParams = Omit<Anthropic.Messages.MessageCreateParamsNonStreaming, 'stream'>;

export interface ClaudeRequestDeps {
  client: Anthropic;
  ledger: BudgetLedger;
  limits: BudgetLimits;
  /**
   * Asked when the worst case is above `limits.confirmAboveUsd`; resolve true to send. Without it such a
   * request is not sent (a front end that can't ask must not spend on the user's behalf).
   */
  confirm?: (decision: Extract<BudgetDecision, { kind: 'confirm' }>) => Promise<boolean>;
  /** Progress worth showing, e.g. the countdown of a rate-limit wait ("retrying in 12 s"). */
  onStatus?: (status: string) => void;
  /** Detail for the log; never user-facing. */
  log?: (message: string) => void;
  /** The bundled prices.json unless given. */
  prices?: PriceTable;
  /** A `retry-after` longer than this is not waited out: the request fails with the wait in its message. Default 60 s. */
  maxRetryWaitMs?: number;
}

export interface ClaudeRequest {
  /** What the request is for, as the ledger groups it: 'review', 'debug', ... */
  feature: string;
  params: ClaudeParams;
  signal?: AbortSignal;
  /** Each text delta as it streams, with the text so far. */
  onText?: (delta: string, snapshot: string) => void;
}

export interface ClaudeResult {
  message: Anthropic.Messages.Message;
  /** From the API's own usage: message_start, overwritten by the cumulative message_delta. */
  usage: TokenUsage;
  costUsd: number;
  requestId: string | undefined;
  /** What the gate reserved, and how it counted the input. */
  worstCase: WorstCase;
}

export type ClaudeFailure =
  | 'unpriced'
  | 'declined'
  | 'cancelled'
  | 'auth'
  | 'permission'
  | 'rateLimited'
  | 'overloaded'
  | 'spendLimit'
  | 'unreachable'
  | 'interrupted'
  | 'rejected'
  | 'server';

/** A Claude request that failed (or was not sent); `message` is for the user, `cause` for the log. */
export class ClaudeRequestError extends TiercelError {
  constructor(
    message: string,
    actions: readonly NextAction[],
    readonly failure: ClaudeFailure,
    readonly details: {
      status?: number;
      requestId?: string;
      /** The answer had started streaming: the API billed it, and it was not retried. */
      streamed: boolean;
      /** What the ledger charged for the failed request. */
      chargedUsd: number;
    },
    options?: { cause?: unknown },
  ) {
    super(message, actions, options);
  }
}

const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;
/** Shorter waits pass unannounced; longer ones get a visible countdown. */
const COUNTDOWN_FROM_MS = 3_000;

const notSent = (failure: ClaudeFailure, message: string, actions: NextAction[], cause?: unknown) =>
  new ClaudeRequestError(message, actions, failure, { streamed: false, chargedUsd: 0 }, { cause });

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw notSent('cancelled', 'The Claude request was cancelled.', []);
}

/**
 * Sends one request to Claude within the budget: prices it (unknown models are refused), counts its input
 * with count_tokens (or the offline estimate), refuses or asks per the caps, reserves the worst case in the
 * shared ledger, streams it, and settles the ledger with what the API reported.
 * Throws BudgetExceededError (nothing sent) or ClaudeRequestError.
 */
export async function sendClaudeRequest(deps: ClaudeRequestDeps, request: ClaudeRequest): Promise<ClaudeResult> {
  const { client, ledger, limits } = deps;
  const { params, signal } = request;
  const price = (deps.prices ?? defaultPriceTable()).priceOf(params.model);
  if (!price) {
    throw notSent(
      'unpriced',
      `Tiercel has no price for the model "${params.model}", so it won't send to it: ` +
        'spend on an unknown model could not be held to your budget.',
      ['openSettings'],
    );
  }
  if (params.speed === 'fast') {
    throw notSent('unpriced', `Tiercel has no price for fast mode on ${params.model}.`, ['openSettings']);
  }
  throwIfCancelled(signal);

  const counted = await countInputTokens(client, params, signal, deps.log);
  const worstCase = worstCaseOf(price, params, counted);
  if (!worstCase) {
    throw notSent(
      'unpriced',
      `This prompt (about ${counted.inputTokens.toLocaleString('en-US')} tokens) is longer than any ${params.model} ` +
        `price Tiercel knows (up to ${price.unpricedAboveInputTokens?.toLocaleString('en-US')} tokens), so it was not sent.`,
      ['trimContext', 'runLocally'],
    );
  }

  // A pre-flight read is needed only when the user may have to confirm: that must happen outside the
  // lock. Otherwise the decision under the lock below is the whole check (one read of the ledger, not two).
  const preflight = needsConfirmation(worstCase.usd, limits) ? decideBudget(worstCase.usd, await ledger.spent(), limits) : undefined;
  if (preflight?.kind === 'refuse') throw new BudgetExceededError(preflight);
  if (preflight?.kind === 'confirm') {
    if (!deps.confirm) {
      throw notSent('declined', `${preflight.reason} Not sent: nothing here can ask you to confirm.`, ['raiseBudget']);
    }
    // Asked outside the ledger lock: the user may take a while, and other windows must not wait on them.
    if (!(await deps.confirm(preflight))) {
      throw notSent('declined', 'Not sent to Claude.', ['runLocally', 'trimContext']);
    }
  }
  throwIfCancelled(signal);

  // The decisive check, under the lock: another window may have spent since the pre-flight read.
  const gate: { refused?: Extract<BudgetDecision, { kind: 'refuse' }> } = {};
  const reservation = await ledger.reserve(
    { feature: request.feature, model: params.model, maxCostUsd: worstCase.usd },
    (spent) => {
      const decision = decideBudget(worstCase.usd, spent, limits);
      if (decision.kind === 'refuse') gate.refused = decision;
      return decision.kind !== 'refuse';
    },
  );
  if (!reservation) throw new BudgetExceededError(gate.refused!);

  return streamWithinReservation(deps, request, price, worstCase, reservation);
}

/** count_tokens for the request's input, or the offline estimate when the endpoint fails (it is free, not vital). */
async function countInputTokens(
  client: Anthropic,
  params: ClaudeParams,
  signal: AbortSignal | undefined,
  log: ((message: string) => void) | undefined,
): Promise<{ inputTokens: number; source: InputTokenSource }> {
  const { model, messages, system, tools, tool_choice, thinking, output_config, cache_control } = params;
  try {
    const counted = await client.messages.countTokens(
      {
        model,
        messages,
        system,
        tools: tools as Anthropic.Messages.MessageCountTokensParams['tools'],
        tool_choice,
        thinking,
        output_config,
        cache_control,
      },
      // No retry loop and a short timeout: the estimate is a fine answer, a long wait isn't.
      { signal, maxRetries: 0, timeout: 15_000 },
    );
    return { inputTokens: counted.input_tokens, source: 'count_tokens' };
  } catch (error) {
    if (signal?.aborted || error instanceof APIUserAbortError) {
      throw notSent('cancelled', 'The Claude request was cancelled.', [], error);
    }
    // A rejected key would fail the real request too; say so before reserving anything.
    if (error instanceof AuthenticationError) throw describeFailure(error, { streamed: false, chargedUsd: 0 }, model);
    log?.(`count_tokens failed, using the offline estimate: ${describeError(error)}`);
    return { inputTokens: estimateInputTokens(params), source: 'estimate' };
  }
}

async function streamWithinReservation(
  deps: ClaudeRequestDeps,
  request: ClaudeRequest,
  price: ModelPrice,
  worstCase: WorstCase,
  reservation: Reservation,
): Promise<ClaudeResult> {
  const { client, ledger, log } = deps;
  const { params, signal, onText } = request;
  const unsplitTtl = cacheWriteTtlOf(params) === '1h' ? '1h' : '5m';
  const tracker = new StreamUsage();
  const retries = watchRetries(client, deps.onStatus, deps.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS);
  /** What the API's usage costs; the reserved worst case if the table can't price it (never less). */
  const priced = (usage: TokenUsage, geo: string | null | undefined) => {
    try {
      return costOf(usage, price, { inferenceGeo: geo });
    } catch (error) {
      log?.(`charging the reserved worst case: ${describeError(error)}`);
      return worstCase.usd;
    }
  };

  let stream: { readonly request_id: string | null | undefined } | undefined;
  let consumerError: unknown;
  try {
    const current = client.messages.stream(params, { signal, middleware: [retries.middleware] });
    stream = current;
    current.on('streamEvent', (event) => tracker.apply(event));
    if (onText) {
      current.on('text', (delta, snapshot) => {
        try {
          onText(delta, snapshot);
        } catch (error) {
          // A bug in the consumer ends the request (and is rethrown as is), not the extension host.
          consumerError ??= error;
          current.abort();
        }
      });
    }
    const message = await current.finalMessage();
    const usage = tracker.usage(unsplitTtl) ?? usageFromSdk(message.usage, unsplitTtl);
    const costUsd = priced(usage, tracker.inferenceGeo ?? message.usage.inference_geo);
    const requestId = current.request_id ?? undefined;
    if (costUsd > worstCase.usd) {
      // count_tokens undercounted by more than its margin; the ledger records the truth, which may pass the cap.
      log?.(`request ${requestId} cost ${costUsd} USD, above the ${worstCase.usd} USD reserved`);
    }
    await ledger.settle(reservation, { tokens: usage, costUsd, requestId, outcome: 'ok' }).catch((error: unknown) => {
      // The reservation stays, charged at its worst case: the budget errs high, never low.
      log?.(`could not settle ledger reservation ${reservation.id}: ${describeError(error)}`);
    });
    return { message, usage, costUsd, requestId, worstCase };
  } catch (error) {
    const streamed = tracker.started;
    const usage = tracker.usage(unsplitTtl);
    const cancelled = signal?.aborted === true || error instanceof APIUserAbortError;
    const chargedUsd = streamed && usage ? priced(usage, tracker.inferenceGeo) : 0;
    const requestId = stream?.request_id ?? (error instanceof APIError ? error.requestID : undefined) ?? undefined;
    try {
      if (streamed && usage) {
        const outcome = cancelled || consumerError ? 'aborted' : 'error';
        await ledger.settle(reservation, { tokens: usage, costUsd: chargedUsd, requestId, outcome });
      } else {
        await ledger.release(reservation);
      }
    } catch (ledgerError) {
      log?.(`could not settle ledger reservation ${reservation.id}: ${describeError(ledgerError)}`);
    }
    if (consumerError) throw consumerError;
    log?.(`Claude request ${requestId ?? '(no id)'} failed: ${describeError(error)}`);
    throw describeFailure(error, { streamed, chargedUsd, requestId, cancelled }, params.model);
  } finally {
    retries.dispose();
  }
}

const SPEND_LIMIT_CODES = new Set([
  'enforced_spend_limit_reached',
  'contract_spend_limit_reached',
  'linked_organization_spend_limit_reached',
  'linked_organization_billing_unavailable',
]);
// The 400 for a user-set limit has no error code; its wording is the only signal (it may change).
const SPEND_LIMIT_WORDING = /credit balance|usage limits?|spend(ing)? limit/i;

interface ErrorBody {
  error?: { type?: string; message?: string; details?: { error_code?: string } };
}

function isSpendLimit(status: number | undefined, body: ErrorBody['error'] | undefined): boolean {
  if (status === 402 || body?.type === 'billing_error') return true;
  if (body?.details?.error_code && SPEND_LIMIT_CODES.has(body.details.error_code)) return true;
  return (status === 400 || status === 403 || status === 429) && SPEND_LIMIT_WORDING.test(body?.message ?? '');
}

/** The wait a 429/5xx asks for, read as the SDK reads it (`retry-after-ms`, then `retry-after` in seconds or as a date). */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  const wait = Number.isNaN(seconds) ? Date.parse(value) - Date.now() : seconds * 1000;
  return wait > 0 ? wait : undefined;
}

function describeWait(ms: number): string {
  return ms >= 90_000 ? `${Math.ceil(ms / 60_000)} min` : `${Math.ceil(ms / 1000)} s`;
}

/** Mirrors the SDK's retry rule (client.ts shouldRetry) to know whether a countdown will end in a retry. */
function sdkWillRetry(response: Response): boolean {
  const header = response.headers.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  return [408, 409, 429].includes(response.status) || response.status >= 500;
}

/**
 * A middleware that watches each HTTP attempt of one request: it shows a countdown while the SDK waits out
 * a long `retry-after`, and marks answers that must not be retried (a spend limit, a wait longer than
 * `maxWaitMs`) with `x-should-retry: false`, which the SDK obeys.
 */
function watchRetries(client: Anthropic, onStatus: ((status: string) => void) | undefined, maxWaitMs: number) {
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const countdown = (waitMs: number, what: string) => {
    const until = Date.now() + waitMs;
    const tick = () => {
      const left = until - Date.now();
      if (left <= 0) return stop();
      onStatus?.(`${what}; retrying in ${describeWait(left)}`);
    };
    tick();
    timer = setInterval(tick, 1000);
    timer.unref?.();
  };

  const middleware: Middleware = async (request, next, ctx) => {
    if (timer) {
      stop();
      onStatus?.('Retrying the Claude request…');
    }
    const response = await next(request);
    if (response.ok) return response;

    const body = await ctx.parse<ErrorBody>(response).catch(() => undefined);
    const waitMs = retryAfterMs(response.headers);
    if (isSpendLimit(response.status, body?.error) || (waitMs !== undefined && waitMs > maxWaitMs)) {
      const headers = new Headers(response.headers);
      headers.set('x-should-retry', 'false');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
    const attempt = Number(request.headers.get('x-stainless-retry-count') ?? 0);
    const maxRetries = ctx.options?.maxRetries ?? client.maxRetries;
    if (attempt < maxRetries && sdkWillRetry(response) && waitMs !== undefined && waitMs > COUNTDOWN_FROM_MS) {
      countdown(waitMs, response.status === 429 ? 'Claude is rate-limited' : 'Claude is overloaded');
    }
    return response;
  };
  return { middleware, dispose: stop };
}

/** One user-facing sentence and next actions for anything a Claude request can throw. */
function describeFailure(
  error: unknown,
  context: { streamed: boolean; chargedUsd: number; requestId?: string; cancelled?: boolean },
  model: string,
): TiercelError {
  if (error instanceof TiercelError) return error;
  const { streamed, chargedUsd } = context;
  const details = {
    streamed,
    chargedUsd,
    ...(context.requestId !== undefined && { requestId: context.requestId }),
    ...(error instanceof APIError && error.status !== undefined && { status: error.status }),
  };
  const fail = (failure: ClaudeFailure, message: string, actions: NextAction[]) =>
    new ClaudeRequestError(message, actions, failure, details, { cause: error });
  const billedNote = streamed ? ` The part already generated was billed (${formatUsd(chargedUsd)}).` : '';

  if (context.cancelled || error instanceof APIUserAbortError) {
    return fail('cancelled', `The Claude request was cancelled.${billedNote}`, []);
  }
  if (error instanceof APIError) {
    const apiMessage = error.apiMessage ?? error.message;
    const body = { type: error.type ?? undefined, message: apiMessage, details: { error_code: error.errorCode ?? undefined } };
    if (isSpendLimit(error.status, body)) {
      return fail(
        'spendLimit',
        `Anthropic refused the request because your API spend limit or credit balance is used up ("${apiMessage}"). ` +
          'Tiercel will not retry it: raise the limit or add credit in the Anthropic Console, or run the task locally.',
        ['runLocally'],
      );
    }
    if (error.status === 401) return fail('auth', 'Anthropic rejected the API key.', ['setApiKey']);
    if (error.status === 403) {
      return fail('permission', `Anthropic refused this request for your API key: ${apiMessage}`, ['setApiKey', 'showLog']);
    }
    if (error.status === 429) {
      const wait = retryAfterMs(error.headers);
      const when = wait === undefined ? 'later' : `in about ${describeWait(wait)}`;
      return fail('rateLimited', `Anthropic is rate-limiting Claude requests; try again ${when}, or run the task locally.`, [
        'retry',
        'runLocally',
      ]);
    }
    if (error.status === 529 || error.type === 'overloaded_error') {
      return streamed
        ? fail(
            'overloaded',
            `Claude became overloaded partway through the answer; a started answer is not retried automatically.${billedNote}`,
            ['retry', 'runLocally'],
          )
        : fail('overloaded', 'Claude is overloaded right now, even after retrying. Run the task locally, or retry in a minute.', [
            'runLocally',
            'retry',
          ]);
    }
    if (error instanceof APIConnectionTimeoutError) {
      return fail(streamed ? 'interrupted' : 'unreachable', `Claude did not answer in time.${billedNote}`, ['retry', 'runLocally']);
    }
    if (error.status === undefined && !(error instanceof APIConnectionError)) {
      // An `error` event after HTTP 200: the request failed mid-answer.
      return fail(
        'interrupted',
        `Claude failed partway through the answer (${error.type ?? 'error'}); it is not retried automatically.${billedNote}`,
        ['retry', 'runLocally'],
      );
    }
    if (error.status !== undefined && error.status >= 500) {
      return fail('server', `Anthropic's API failed (${error.status}). Retry, or run the task locally.`, ['retry', 'runLocally']);
    }
    if (error.status === 404) {
      return fail('rejected', `Anthropic doesn't know the model "${model}": ${apiMessage}`, ['openSettings']);
    }
    if (error.status !== undefined) {
      return fail('rejected', `Anthropic rejected the request (${error.status}): ${apiMessage}`, ['showLog']);
    }
  }
  // Connection errors, and the fetch body dying mid-stream (AnthropicError 'terminated').
  return streamed
    ? fail('interrupted', `The connection to Claude dropped partway through the answer; it is not retried automatically.${billedNote}`, [
        'retry',
        'runLocally',
      ])
    : fail('unreachable', 'Claude is unreachable (offline?). Run the task locally, or retry when connected.', ['runLocally', 'retry']);
}

/** The answer's text: its text blocks joined (structured output arrives as one text block of JSON). */
function textOf(message: Anthropic.Messages.Message): string {
  return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
}

/** `sendClaudeRequest` for callers that want the answer as text (review, debug), with what it cost. */
export async function sendClaudeRequestForText(
  deps: ClaudeRequestDeps,
  request: ClaudeRequest,
): Promise<{ text: string; costUsd: number; requestId?: string }> {
  const result = await sendClaudeRequest(deps, request);
  return { text: textOf(result.message), costUsd: result.costUsd, ...(result.requestId ? { requestId: result.requestId } : {}) };
}
