import { describe, expect, it } from 'vitest';
import { classifyAttempt, ERROR_RULES, type ErrorKind, type Outcome } from './outcomes.js';

describe('classifyAttempt', () => {
  const statuses: Array<[number, Outcome]> = [
    [200, 'success'],
    [201, 'success'],
    [204, 'success'],
    [299, 'success'],
    [100, 'retry'],
    [301, 'retry'],
    [302, 'retry'],
    [304, 'retry'],
    [308, 'retry'],
    [400, 'retry'],
    [401, 'retry'],
    [404, 'retry'],
    [409, 'retry'],
    [410, 'disable'],
    [413, 'retry'],
    [429, 'retry-after'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry-after'],
    [504, 'retry'],
    [599, 'retry'],
    [999, 'retry'],
  ];

  it.each(statuses)('treats status %i as %s', (statusCode, outcome) => {
    expect(classifyAttempt({ statusCode, errorKind: null })).toBe(outcome);
  });

  const kinds: ErrorKind[] = [
    'timeout',
    'connection_refused',
    'connection_reset',
    'dns',
    'tls',
    'address_refused',
    'network',
  ];

  it.each(kinds)('retries after a %s error', (errorKind) => {
    expect(classifyAttempt({ statusCode: null, errorKind })).toBe('retry');
    expect(ERROR_RULES[errorKind].why).not.toBe('');
  });

  it('lets the status decide when the body failed after the answer', () => {
    expect(classifyAttempt({ statusCode: 200, errorKind: 'timeout' })).toBe('success');
    expect(classifyAttempt({ statusCode: 410, errorKind: 'connection_reset' })).toBe('disable');
  });

  it('retries when neither a status nor an error kind is known', () => {
    expect(classifyAttempt({ statusCode: null, errorKind: null })).toBe('retry');
  });
});
