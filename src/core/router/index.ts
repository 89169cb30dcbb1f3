export { CROSS_FILE_FILES, LARGE_PROMPT_TOKENS, routeRequest } from './route';
export type { Route, RouteInput, TierPreference } from './route';
