import { z } from 'zod';

// Loaded once per worker, before any workflow exists (workers/bundle.ts, preloadModules): zod then
// serves every run instead of being evaluated again for each. The SDK deep-freezes what is shared,
// so no run can leave state in it for the next.
//
// Only the library is shared. zod memoizes onto a schema during its first parses (bound methods,
// derived internals, a regex's lastIndex), which a frozen schema refuses, so the request schemas
// (common/) are still built by each run. The library's own first-use state (its default locale
// and memoizer, set by the first schemas built) is settled here, before the freeze.
z.object({ settled: z.string() });

export const sharedZod = z;
