/**
 * A generated request as a plan: placeholders (`~~seed.usr~~`, `~~key.admin~~`) stand for the
 * ids and keys that exist only when it is sent, so that fast-check can print, replay and
 * shrink it; `materialize` fills them in.
 */
import type { InjectOptions } from 'fastify';
import type { Operation } from './openapi-operations.js';

/** A request with placeholders for real ids and keys; `materialize` fills them in. */
export interface RequestPlan {
  method: Operation['method'];
  /** Path and query string. */
  url: string;
  headers: Record<string, string>;
  body?: { text: string; encoding: 'utf8' | 'utf16le' | 'latin1' };
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) becomes the three bytes
 * a lax UTF-8 encoder would write for it: invalid UTF-8 is exactly what a server must survive.
 */
export function percentEncode(text: string): string {
  let out = '';
  // for…of walks code points, so a surrogate arrives alone only when it is unpaired.
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      out += bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** Fills in the placeholders (`~~seed.usr~~`, `~~key.admin~~`) and encodes the body. */
export function materialize(plan: RequestPlan, values: Record<string, string>): InjectOptions {
  const fill = (text: string) =>
    text.replace(/~~((?:seed|key)\.[a-z]+)~~/g, (whole, name: string) => values[name] ?? whole);
  const headers = Object.fromEntries(Object.entries(plan.headers).map(([k, v]) => [k, fill(v)]));
  return {
    method: plan.method,
    url: fill(plan.url),
    headers,
    ...(plan.body ? { payload: Buffer.from(fill(plan.body.text), plan.body.encoding) } : {}),
  };
}

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;

/** The plan as a short, readable line for a failure message; keys stay placeholders. */
export function describePlan(plan: RequestPlan): string {
  const headers = Object.entries(plan.headers)
    .filter(([name]) => !/^x-fuzz-\d+$/.test(name))
    .map(([name, value]) => `${name}: ${JSON.stringify(clip(value, 120))}`);
  const body = plan.body
    ? ` body(${plan.body.encoding}): ${JSON.stringify(clip(plan.body.text, 400))}`
    : '';
  return `${plan.method} ${clip(plan.url, 300)} {${headers.join(', ')}}${body}`;
}
