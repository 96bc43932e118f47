import path from 'node:path';

export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '../../.temporal/test-bundle/workflows.js');
