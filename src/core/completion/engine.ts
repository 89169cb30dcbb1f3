import { createHash } from 'node:crypto';
import type { Ollama } from 'ollama';
import { describeError } from '../errors';
import { createOllamaClient, sameModel } from '../ollama';
import { AdaptiveDebounce, type DebounceOptions } from './debounce';
import { CompletionCache } from './cache';
import { CompletionMetrics } from './metrics';
import { isAbortError, isConnectionError, isModelNotFound } from './ollamaStream';
import { prepareCompletion, resolveTemplate, runCompletion, UnsupportedModelError, wantsMultiline, type PreparedCompletion } from './pipeline';
import type { FimTemplate } from './templates';

/** The text around the cursor, as the editor (or the CLI) sees it. */
export interface Cursor {
  /** Workspace folder name, for Qwen's `<|repo_name|>`. */
  repoName: string;
  /** Path relative to the workspace, with forward slashes. */
  path: string;
  languageId: string;
  prefix: string;
  suffix: string;
}

export interface Snippet {
  path: string;
  text: string;
}

export interface CompletionSettings {
  url: string;
  model: string;
  /** Ollama `keep_alive`, e.g. "30m": how long the model stays in memory after the last request. */
  keepAlive: string;
  /** Upper bound on generated tokens for multi-line completions (single-line ones use less). */
  maxTokens: number;
  /** Prompt budget in (estimated) model tokens; also sizes `num_ctx`. */
  maxPromptTokens: number;
}

export type LocalTierState =
  | { kind: 'ready' }
  | { kind: 'loading'; model: string }
  | { kind: 'generating' }
  | { kind: 'unreachable'; url: string; error: string }
  | { kind: 'modelMissing'; model: string }
  | { kind: 'unsupportedModel'; model: string; reason: string };

export interface CompletionResult {
  text: string;
  source: 'model' | 'cache' | 'inFlight';
  multiline: boolean;
}

export interface CompletionEngineDeps {
  settings: () => CompletionSettings;
  fetch?: typeof fetch;
  /** Monotonic milliseconds. */
  now?: () => number;
  log?: (message: string) => void;
  /** One line per request with its timings (the editor logs it at debug level, for diagnosing latency). */
  trace?: (message: string) => void;
  /** While Ollama is unreachable, look for it again this often. */
  reconnectIntervalMs?: number;
  debounce?: DebounceOptions;
  /**
   * Called once per generation that ran to its end or to early stop (not for one aborted by typing):
   * the editor records it in the usage ledger as local usage, batched (see LocalUsageRecorder).
   */
  onUsage?: (usage: { model: string; inputTokens: number; outputTokens: number }) => void;
}

/**
 * A request whose requester was cancelled lives on this long, so that the next keystroke can adopt it
 * when the user typed what it is generating (VS Code cancels the old call before making the new one).
 */
const ADOPTION_GRACE_MS = 120;

/**
 * Context is asked for this long before the request is due, not at every keystroke: most keys of a
 * burst then cost the context worker nothing, and a pause still finds the answer ready (the worker's
 * deadline on the keystroke path is CONTEXT_DEADLINE_MS, 40 ms).
 */
const CONTEXT_LEAD_MS = 70;

interface InFlight {
  prefix: string;
  suffix: string;
  controller: AbortController;
  /** Raw text generated so far. */
  text: string;
  /**
   * What the user has typed past `prefix` since the request left, as far as the engine has seen;
   * every streamed token is checked against it and the request abandoned at the first mismatch.
   */
  typedAhead: string;
  result: Promise<CompletionResult | undefined>;
  /** Callers currently waiting on it; when none is left, it is aborted after the grace period. */
  waiters: number;
  orphanTimer: NodeJS.Timeout | undefined;
}

/**
 * Inline completions from a local FIM model. Holds the latency machinery: adaptive debounce (no
 * request before the user pauses, the start of a line included), exactly one generation in flight,
 * abort on a newer keystroke or cancellation, reuse of a cached or in-flight suggestion while the user
 * types it (judged on every streamed token), and streaming early stop.
 *
 * Budget: keystroke → request dispatch must stay under 10 ms (p95, warm) beyond the debounce wait;
 * `npm run bench:completion` measures it, and `npm run bench:editor` the whole path in VS Code (last
 * key → request ≤ debounce + 30 ms; no request for a state the user typed past).
 */
export class CompletionEngine {
  readonly metrics = new CompletionMetrics();
  private readonly cache = new CompletionCache();
  private readonly debounce: AdaptiveDebounce;
  private readonly now: () => number;
  private inFlight: InFlight | undefined;
  private latestCall = 0;
  private state: LocalTierState = { kind: 'ready' };
  private templates = new Map<string, Promise<FimTemplate>>();
  private loading: { model: string; done: Promise<void> } | undefined;
  private lastRequestAt = -Infinity;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly stateListeners = new Set<(state: LocalTierState) => void>();

  constructor(private readonly deps: CompletionEngineDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.debounce = new AdaptiveDebounce(deps.debounce);
  }

  get currentState(): LocalTierState {
    return this.state;
  }

  /** Calls `listener` on every state change until the returned handle is disposed. */
  onDidChangeState(listener: (state: LocalTierState) => void): { dispose(): void } {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  /** Whether requests are paused until Ollama or the model is back. */
  get paused(): boolean {
    return this.state.kind === 'unreachable' || this.state.kind === 'modelMissing' || this.state.kind === 'unsupportedModel';
  }

  /**
   * A completion for the cursor, or undefined when there is none to show (superseded, cancelled,
   * paused, or nothing useful generated). Never throws for model or network failures: they become state.
   * `gather` fetches cross-file snippets (the context engine); it runs only when a request goes out,
   * during the debounce.
   */
  async complete(
    cursor: Cursor,
    signal: AbortSignal,
    gather?: (signal: AbortSignal) => Promise<Snippet[]>,
    options: { typedAt?: number } = {},
  ): Promise<CompletionResult | undefined> {
    // The debounce counts from the keystroke itself: VS Code asks ~50 ms after it (its own debounce).
    const keystroke = options.typedAt ?? this.now();
    this.debounce.noteKeystroke(keystroke);
    const call = ++this.latestCall;

    const cached = this.cache.lookup(cursor.prefix, cursor.suffix);
    if (cached !== undefined) {
      this.metrics.cacheHits++;
      return { text: cached, source: 'cache', multiline: wantsMultiline(cursor) };
    }

    const adopted = await this.adoptInFlight(cursor, signal);
    if (adopted !== 'none') return adopted;
    if (this.paused || signal.aborted || call !== this.latestCall) return undefined;

    this.abortInFlight();
    const debounceMs = this.debounce.delayMs;
    const dueAt = keystroke + debounceMs;
    // Context is gathered during the debounce's last stretch, so a pause pays for at most one of the two.
    let contextMs = 0;
    const context = sleep(dueAt - CONTEXT_LEAD_MS - this.now(), signal)
      .then(async (waited) => {
        if (!waited || call !== this.latestCall || !gather) return [];
        const started = this.now();
        const snippets = await gather(signal);
        contextMs = this.now() - started;
        return snippets;
      })
      .catch((error: unknown) => {
        this.deps.log?.(`context failed: ${describeError(error)}`);
        return [] as Snippet[];
      });
    if (!(await sleep(dueAt - this.now(), signal)) || !(await this.stillPaused(call, keystroke, signal))) return undefined;

    const settings = this.deps.settings();
    let template: FimTemplate;
    try {
      template = await this.templateFor(settings);
      await this.ensureLoaded(settings, signal);
    } catch (error) {
      this.noteFailure(error, settings);
      return undefined;
    }
    const snippets = await context;
    // Context may have come late (a busy host): the user may have typed on meanwhile.
    if (!(await this.stillPaused(call, keystroke, signal))) return undefined;
    this.metrics.debounce.add(debounceMs);
    return this.dispatch(cursor, snippets, template, settings, { readyAt: dueAt, debounceMs, contextMs, typedAtKnown: options.typedAt !== undefined }, signal);
  }

  /**
   * Whether this call's keystroke is still the last one. A host that was busy runs expired timers
   * before it reads the keys that reached it meanwhile: it reads them (and VS Code's cancellation)
   * first, then decides that the user paused.
   */
  private async stillPaused(call: number, keystroke: number, signal: AbortSignal): Promise<boolean> {
    await yieldToIo();
    return !signal.aborted && call === this.latestCall && (this.debounce.lastKeystrokeAt ?? keystroke) <= keystroke;
  }

  /**
   * The user changed the text, at `at` on the engine's clock. VS Code reports the change at once but
   * asks for a suggestion ~50 ms later: the keystroke counts for the typing rhythm from now, and a
   * request in flight is judged against the new text now (`cursor` is read only when one is), so a
   * request typed past stops generating for no one before the next provider call arrives.
   */
  noteKeystroke(at: number, cursor?: () => Pick<Cursor, 'prefix' | 'suffix'>): void {
    this.debounce.noteKeystroke(at);
    const flight = this.inFlight;
    if (!flight || !cursor) return;
    const typed = typedSince(flight, cursor());
    if (typed === undefined || !agrees(flight.text, typed)) this.abortInFlight();
    else flight.typedAhead = typed;
  }

  /** Counts a suggestion the editor showed, and one the user accepted (Tab). */
  noteShown(): void {
    this.metrics.shown++;
  }

  noteAccepted(): void {
    this.metrics.accepted++;
  }

  /** Checks Ollama now (the user clicked Retry, or settings changed) and resumes when it answers. */
  async reconnect(): Promise<boolean> {
    clearTimeout(this.reconnectTimer);
    this.templates.clear();
    const settings = this.deps.settings();
    try {
      const client = this.client(settings, 3000);
      const { models } = await client.list();
      if (!models.some((m) => sameModel(m.name, settings.model))) {
        this.setState({ kind: 'modelMissing', model: settings.model });
        return false;
      }
      this.setState({ kind: 'ready' });
      return true;
    } catch (error) {
      this.noteFailure(error, settings);
      return false;
    }
  }

  /** Loads the model ahead of the first keystroke, so the first suggestion does not pay a cold start. */
  async warmUp(): Promise<void> {
    const settings = this.deps.settings();
    try {
      await this.templateFor(settings);
      await this.ensureLoaded(settings, new AbortController().signal);
    } catch (error) {
      this.noteFailure(error, settings);
    }
  }

  /** Forget cached suggestions and model facts (the model or server setting changed). */
  reset(): void {
    this.abortInFlight();
    this.cache.clear();
    this.templates.clear();
    this.loading = undefined;
    void this.reconnect();
  }

  dispose(): void {
    this.disposed = true;
    this.stateListeners.clear();
    clearTimeout(this.reconnectTimer);
    this.abortInFlight();
  }

  private client(settings: CompletionSettings, timeoutMs?: number): Ollama {
    return createOllamaClient({ url: settings.url, ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /**
   * Waits for the in-flight request when what the user typed since it left agrees with what it has
   * generated so far, and returns the rest of its suggestion; 'none' when there is nothing to adopt or
   * a streamed token disagreed (then the caller asks anew). "Agrees" is judged on every token (see
   * generate), so a request typed past is abandoned at its first wrong token, not at its end; one
   * typed past before its first token is abandoned at once.
   */
  private async adoptInFlight(cursor: Cursor, signal: AbortSignal): Promise<CompletionResult | undefined | 'none'> {
    const flight = this.inFlight;
    if (!flight) return 'none';
    const typed = typedSince(flight, cursor);
    if (typed === undefined || !agrees(flight.text, typed)) return 'none';
    flight.typedAhead = typed;
    clearTimeout(flight.orphanTimer);
    flight.waiters++;
    try {
      const result = await Promise.race([flight.result, abortPromise(signal)]);
      if (signal.aborted) return undefined;
      if (!result || !result.text.startsWith(typed) || result.text.length === typed.length) return 'none';
      this.metrics.reusedInFlight++;
      return { text: result.text.slice(typed.length), source: 'inFlight', multiline: result.multiline };
    } finally {
      this.releaseWaiter(flight);
    }
  }

  private releaseWaiter(flight: InFlight): void {
    flight.waiters--;
    if (flight.waiters > 0 || this.inFlight !== flight) return;
    // Kept briefly: VS Code cancels a call before it makes the next one, which may adopt this request.
    flight.orphanTimer = setTimeout(() => {
      if (flight.waiters === 0 && this.inFlight === flight) this.abortInFlight();
    }, ADOPTION_GRACE_MS);
  }

  private abortInFlight(): void {
    const flight = this.inFlight;
    if (!flight) return;
    this.inFlight = undefined;
    clearTimeout(flight.orphanTimer);
    if (!flight.controller.signal.aborted) {
      this.metrics.aborts++;
      flight.controller.abort();
    }
  }

  private dispatch(
    cursor: Cursor,
    snippets: Snippet[],
    template: FimTemplate,
    settings: CompletionSettings,
    { readyAt, debounceMs, contextMs, typedAtKnown }: { readyAt: number; debounceMs: number; contextMs: number; typedAtKnown: boolean },
    signal: AbortSignal,
  ): Promise<CompletionResult | undefined> {
    const prepared = prepareCompletion(cursor, snippets, template, settings);
    const flight: InFlight = {
      prefix: cursor.prefix,
      suffix: cursor.suffix,
      controller: new AbortController(),
      text: '',
      typedAhead: '',
      result: Promise.resolve(undefined),
      waiters: 1,
      orphanTimer: undefined,
    };
    this.inFlight = flight;
    this.metrics.requests++;
    const overhead = this.now() - readyAt;
    this.metrics.dispatchOverhead.add(overhead);
    // The prompt's digest lets a benchmark match this line to the request its Ollama received.
    const digest = promptDigest(prepared.request.prompt);
    this.deps.trace?.(
      `request ${digest}: debounce ${debounceMs} ms, sent ${(debounceMs + overhead).toFixed(0)} ms after the keystroke` +
        `${typedAtKnown ? '' : ' (timed from the provider call)'}, ${snippets.length} context file(s) in ${contextMs.toFixed(0)} ms`,
    );
    const stopWaiting = () => this.releaseWaiter(flight);
    signal.addEventListener('abort', stopWaiting, { once: true });
    flight.result = this.generate(flight, prepared, cursor, settings, digest).finally(() => {
      signal.removeEventListener('abort', stopWaiting);
      if (this.inFlight === flight) this.inFlight = undefined;
    });
    return Promise.race([flight.result, abortPromise(signal)]).then((result) => (signal.aborted ? undefined : result));
  }

  private async generate(flight: InFlight, prepared: PreparedCompletion, cursor: Cursor, settings: CompletionSettings, digest: string): Promise<CompletionResult | undefined> {
    this.setState({ kind: 'generating' });
    try {
      const run = await runCompletion(settings.url, prepared, flight.controller.signal, {
        ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
        now: this.now,
        onRaw: (raw) => {
          flight.text = raw;
          // The first token that disagrees with what was typed since ends the request: nobody can use it.
          if (!agrees(raw, flight.typedAhead) && this.inFlight === flight) this.abortInFlight();
        },
      });
      if (run.firstTokenMs !== undefined) {
        this.metrics.timeToFirstToken.add(run.firstTokenMs);
        this.debounce.noteFirstToken(run.firstTokenMs);
      }
      this.metrics.endToEnd.add(run.totalMs);
      if (run.earlyStopped) this.metrics.earlyStops++;
      this.deps.onUsage?.({ model: settings.model, inputTokens: run.inputTokens, outputTokens: run.outputTokens });
      this.cache.store(cursor.prefix, cursor.suffix, run.text);
      // With the log's timestamp, a benchmark splits the way back: Ollama → here → the editor's screen.
      this.deps.trace?.(`request ${digest}: answered ${run.totalMs.toFixed(0)} ms after it was sent${run.earlyStopped ? ' (stopped early)' : ''}`);
      return run.text === '' ? undefined : { text: run.text, source: 'model', multiline: prepared.multiline };
    } catch (error) {
      if (!flight.controller.signal.aborted && !isAbortError(error)) this.noteFailure(error, settings);
      return undefined;
    } finally {
      if (this.state.kind === 'generating') this.setState({ kind: 'ready' });
    }
  }

  /** The model's FIM template, from its metadata (`/api/show`), once per model. */
  private templateFor(settings: CompletionSettings): Promise<FimTemplate> {
    let pending = this.templates.get(settings.model);
    if (!pending) {
      pending = resolveTemplate(this.client(settings, 10_000), settings.model).then(({ template, note }) => {
        this.deps.log?.(`model ${settings.model}: ${note}`);
        return template;
      });
      pending.catch(() => this.templates.delete(settings.model));
      this.templates.set(settings.model, pending);
    }
    return pending;
  }

  /**
   * Makes sure the model is in memory. A cold load can take many seconds; it is never cancelled by
   * keystrokes (a load cancelled on every keystroke never finishes) and never timed out.
   */
  private async ensureLoaded(settings: CompletionSettings, signal: AbortSignal): Promise<void> {
    // After keep_alive has run out, Ollama has unloaded the model: check (and load) again.
    const idle = this.now() - this.lastRequestAt;
    this.lastRequestAt = this.now();
    if (idle > keepAliveMs(settings.keepAlive)) this.loading = undefined;
    if (!this.loading || this.loading.model !== settings.model) {
      const model = settings.model;
      const done = (async () => {
        const client = this.client(settings);
        const { models } = await client.ps();
        if (models.some((m) => sameModel(m.name, model))) return;
        this.setState({ kind: 'loading', model });
        // An empty prompt loads the model and returns (done_reason "load") without generating.
        await client.generate({ model, prompt: '', keep_alive: settings.keepAlive, stream: false });
        this.deps.log?.(`model ${model} loaded`);
        if (this.state.kind === 'loading') this.setState({ kind: 'ready' });
      })();
      this.loading = { model, done };
      done.catch(() => {
        if (this.loading?.done === done) this.loading = undefined;
      });
    }
    await Promise.race([this.loading.done, abortPromise(signal)]);
  }

  private noteFailure(error: unknown, settings: CompletionSettings): void {
    this.metrics.errors++;
    this.deps.log?.(`completion failed: ${describeError(error)}`);
    if (error instanceof UnsupportedModelError) {
      this.setState({ kind: 'unsupportedModel', model: error.model, reason: error.reason });
    } else if (isModelNotFound(error)) {
      this.setState({ kind: 'modelMissing', model: settings.model });
    } else if (isConnectionError(error)) {
      this.loading = undefined;
      this.setState({ kind: 'unreachable', url: settings.url, error: describeError(error) });
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    if (this.disposed) return;
    this.reconnectTimer = setTimeout(() => void this.reconnect(), this.deps.reconnectIntervalMs ?? 5000);
  }

  private setState(state: LocalTierState): void {
    if (JSON.stringify(state) === JSON.stringify(this.state)) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

/** Ollama's keep_alive as milliseconds: "30m", "1h", "90s", a number of seconds, or negative (forever). */
export function keepAliveMs(keepAlive: string): number {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(keepAlive);
  if (!match) return 5 * 60_000;
  const value = Number(match[1]);
  if (value < 0) return Infinity;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return value * unit;
}

/** What was typed at `cursor` past the flight's own cursor, or undefined when it moved elsewhere. */
function typedSince(flight: Pick<InFlight, 'prefix' | 'suffix'>, cursor: Pick<Cursor, 'prefix' | 'suffix'>): string | undefined {
  if (flight.suffix !== cursor.suffix || !cursor.prefix.startsWith(flight.prefix)) return undefined;
  return cursor.prefix.slice(flight.prefix.length);
}

/**
 * Generated and typed text agree while one is the start of the other, once the model has said
 * something: a request with no token yet is no evidence, and keeping it for its first token would hold
 * Ollama's only slot for a whole time to first token (1.5 s with a 7B model on a laptop) while the
 * request for what the user typed queues behind it.
 */
function agrees(generated: string, typed: string): boolean {
  if (typed === '') return true;
  if (generated === '') return false;
  return generated.length >= typed.length ? generated.startsWith(typed) : typed.startsWith(generated);
}

/** A short digest of a prompt, for logs (never the prompt itself). */
export function promptDigest(prompt: string): string {
  return createHash('sha1').update(prompt).digest('hex').slice(0, 8);
}

/** Resolves after the event loop's next I/O phase (setImmediate runs after poll). */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortPromise(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}
