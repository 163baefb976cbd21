/**
 * How request bodies are read. The API speaks JSON only: any other body type is a 415 that says
 * so. An empty JSON body is no body, so `curl -X POST -H 'Content-Type: application/json'
 * …/publish` just works. A parsed body must also be storable on every engine and safe to work
 * with: nesting is bounded, and no text may hold the NUL character, which PostgreSQL cannot
 * store although SQLite can; refusing it here makes both engines answer the same.
 */
import type { FastifyRequest } from 'fastify';
import { ApiProblem } from './problem.js';
import type { LyceumApp } from './types.js';

/** The deepest nesting of arrays and objects a body may have. */
export const MAX_BODY_DEPTH = 32;

/** Why a parsed body is refused, or undefined when it is fine. Iterative: no stack to exhaust. */
export function bodyProblem(value: unknown): string | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.value === 'string') {
      if (item.value.includes('\u0000')) return 'a text value holds the NUL character (U+0000)';
      continue;
    }
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= MAX_BODY_DEPTH) return `it is nested deeper than ${MAX_BODY_DEPTH} levels`;
    for (const [key, child] of Object.entries(item.value)) {
      if (key.includes('\u0000')) return 'a field name holds the NUL character (U+0000)';
      pending.push({ value: child, depth: item.depth + 1 });
    }
  }
  return undefined;
}

/** Installs the JSON body parser and the NUL check on query strings. */
export function installJsonBodies(app: LyceumApp): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    function parseJsonBody(request, body, done) {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      parseJson(request, text, (error, parsed) => {
        if (error) return done(error, undefined);
        const problem = bodyProblem(parsed);
        if (problem) {
          return done(
            new ApiProblem(400, 'invalid-request', `The body is not acceptable: ${problem}.`),
            undefined,
          );
        }
        done(null, parsed);
      });
    },
  );

  // A callback hook: it runs on every request, and an async one would cost a promise each time.
  app.addHook('onRequest', function refuseNulInQuery(request: FastifyRequest, _reply, done) {
    if (/%00/i.test(request.url)) {
      done(
        new ApiProblem(
          400,
          'invalid-request',
          'The URL holds the NUL character (%00); remove it and retry.',
        ),
      );
      return;
    }
    done();
  });
}
