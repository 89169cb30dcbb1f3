/** The one way to a model: tiers, the structured-task runner, and the router glue. */
export { ClaudeTier, describeAnswer } from './claude';
export type { ClaudeTierDeps, ClaudeTierSettings, OutgoingPreview } from './claude';
export { LOCAL_CONTEXT_TOKENS, OllamaChatTier } from './ollamaChat';
export type { OllamaChatSettings, OllamaChatTierDeps } from './ollamaChat';
export { isLoopbackUrl, OpenAiCompatibleTier } from './openaiCompatible';
export type { OpenAiCompatibleSettings, OpenAiCompatibleTierDeps } from './openaiCompatible';
export { jsonSchemaOf, parseStructured, runStructuredTask, stripFence } from './structured';
export type { StructuredResult, StructuredRunOptions, StructuredTask } from './structured';
export { RouteRefusedError, TierSet } from './tierSet';
export type { Routed, RoutingHints, RoutingSettings } from './tierSet';
export type { ChatTurn, ModelTier, TaskKind, TierAnswer, TierAvailability, TierEstimate, TierKind, TierProvider, TierRequest } from './types';
export { TASK_KINDS } from './types';
