/**
 * How values read on screen: times in the operator's time zone with the exact instant on
 * hover, counts with separators, durations and rates in plain units.
 */
import { h } from './dom.js';

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const hourOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const integer = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** A `<time>` showing `iso` in local time, or a dash for none. */
export function timeElement(iso: string | null): HTMLElement {
  if (iso === null) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: iso }, dateTime.format(new Date(iso)));
}

/** `14:00` for the start of an hour bucket. */
export function hourLabel(iso: string): string {
  return hourOnly.format(new Date(iso));
}

/** `1,234`. */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** `97.5 %`, `50 %`, or a dash without data. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  return `${percent.format(rate * 100)} %`;
}

/** `850 ms`, `1.2 s`, or a dash without data. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** `3 min ago` or `in 20 s`, relative to `now`. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const delta = Date.parse(iso) - now;
  const seconds = Math.round(Math.abs(delta) / 1000);
  const amount =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min`
        : seconds < 172_800
          ? `${Math.round(seconds / 3600)} h`
          : `${Math.round(seconds / 86_400)} days`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** The value of a `<input type="datetime-local">` for `ms`, in local time. */
export function toLocalInput(ms: number): string {
  const local = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The ISO instant of a `datetime-local` value, or undefined when it is empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A value pretty-printed as JSON for a `<pre>`. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
