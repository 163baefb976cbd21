/**
 * Request validation. Bodies are JSON and are validated as sent: no type coercion, so `"5"` is
 * not a number and `0` or `""` never become `null`. Query strings, path parameters and headers
 * arrive as text, so there numbers and booleans are coerced from their spelling.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { LyceumApp } from './types.js';

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function compilerFor(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

/** Installs the two validators on `app`. */
export function installValidation(app: LyceumApp): void {
  const bodies = compilerFor(false);
  const text = compilerFor('array');
  app.setValidatorCompiler(function compileValidator({ schema, httpPart }) {
    return (httpPart === 'body' ? bodies : text).compile(schema);
  });
}
