import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cancellationRequestJsonSchema } from '../common/json-schema';

const out = path.resolve(__dirname, '../schema/cancellation-request.schema.json');
writeFileSync(out, JSON.stringify(cancellationRequestJsonSchema(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), out)}`);
