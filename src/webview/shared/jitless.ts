/**
 * Imported first by every page that validates with zod: zod probes `new Function` to compile fast
 * parsers, and under the pages' CSP (no 'unsafe-eval') that probe is a reported CSP violation. The
 * interpreted parsers are fast enough for webview messages.
 */
import * as z from 'zod/mini';

z.config({ jitless: true });
