// Validates every request and response example in the OpenAPI description against its schema
// (JSON Schema 2020-12, as OpenAPI 3.1 uses): node openapi.mjs docs/openapi.json
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
if (doc.openapi !== '3.1.0') throw new Error(`openapi is ${doc.openapi}, not 3.1.0`);
// The components' schemas under one id, with OpenAPI's references pointed at them.
const retarget = (s) => JSON.parse(JSON.stringify(s).replaceAll('#/components/schemas/', 'gongkai#/$defs/'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'gongkai', $defs: retarget(doc.components.schemas) });

let checked = 0;
const failures = [];
const check = (where, media) => {
  if (!media?.schema || media.example === undefined) return;
  const validate = ajv.compile(retarget(media.schema));
  checked++;
  if (!validate(media.example)) failures.push(`${where}: ${ajv.errorsText(validate.errors)}`);
};
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (!op.responses) throw new Error(`${method.toUpperCase()} ${path} has no responses`);
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) check(`${method} ${path} request ${type}`, media);
    for (const [status, r] of Object.entries(op.responses))
      for (const [type, media] of Object.entries(r.content ?? {})) check(`${method} ${path} ${status} ${type}`, media);
  }
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
if (checked < 20) {
  console.error(`only ${checked} examples found`);
  process.exit(1);
}
console.log(`${checked} examples valid`);
