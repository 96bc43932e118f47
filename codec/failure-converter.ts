import { DefaultFailureConverter } from '@temporalio/common';

// Failure messages and stack traces are stored in history in plaintext by default, and a provider's
// error message can name an order or an account. With encodeCommonAttributes they travel as a
// payload instead, so the payload codec encrypts them. Loaded by path (failureConverterPath) in the
// client, the worker and the workflow bundle: workflow code converts its own failures.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
