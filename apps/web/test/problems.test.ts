import { describe, expect, it } from 'vitest';
import { isProblem, problemToWords } from '../src/lib/problems.ts';

describe('problemToWords', () => {
  it('says the common codes in plain words', () => {
    expect(problemToWords({ code: 'INVALID_CREDENTIALS', detail: 'Wrong email or password' }).message).toBe(
      'The email or password is not right. Check them and try again.',
    );
    expect(problemToWords({ code: 'RATE_LIMITED' }).message).toMatch(/Too many requests/);
    expect(problemToWords({ code: 'LOGIN_THROTTLED' }).message).toMatch(/failed sign-ins/);
    expect(problemToWords({ code: 'FORBIDDEN' }).message).toMatch(/not allowed/);
    expect(problemToWords({ code: 'UNAUTHENTICATED' }).message).toMatch(/Sign in again/);
  });

  it('names each invalid field of a VALIDATION_FAILED, keyed for the form', () => {
    const words = problemToWords({
      code: 'VALIDATION_FAILED',
      detail: 'email: must match format "email"; password: too short',
      errors: [
        { field: 'email', message: 'must match format "email"' },
        { field: 'password', message: 'must NOT have fewer than 10 characters' },
        { field: '/registration_number', message: 'must not be empty' },
      ],
    });
    expect(words.fields).toEqual({
      email: 'must match format "email"',
      password: 'must NOT have fewer than 10 characters',
      registration_number: 'must not be empty',
    });
    expect(words.message).toBe(
      'Some of the details are not valid: email must match format "email"; password must NOT have fewer than 10 characters; registration number must not be empty.',
    );
  });

  it('falls back to the detail of a VALIDATION_FAILED without errors', () => {
    expect(
      problemToWords({ code: 'VALIDATION_FAILED', detail: 'start_date is after end_date' }).message,
    ).toBe('start_date is after end_date');
  });

  it('uses the detail, else the title, of any other problem', () => {
    expect(
      problemToWords({ code: 'SPACE_NOT_FOUND', title: 'No such space', detail: 'Space x is not here' })
        .message,
    ).toBe('Space x is not here');
    expect(problemToWords({ code: 'SOMETHING_NEW', title: 'Something new' }).message).toBe('Something new');
  });

  it('describes an answer that is no problem document by its status', () => {
    expect(problemToWords(null, 502).message).toMatch(/server had a problem \(502\)/);
    expect(problemToWords(undefined, 418).message).toBe('The request was refused (418).');
    expect(problemToWords(null).message).toBe('Something went wrong. Try again.');
  });

  it('ignores malformed errors entries', () => {
    const words = problemToWords({
      code: 'VALIDATION_FAILED',
      detail: 'bad',
      errors: [null, { field: 1 }] as never,
    });
    expect(words.fields).toEqual({});
    expect(words.message).toBe('bad');
  });

  it('recognises problem documents', () => {
    expect(isProblem({ code: 'X', title: 'x' })).toBe(true);
    expect(isProblem([])).toBe(false);
    expect(isProblem(null)).toBe(false);
    expect(isProblem('text')).toBe(false);
  });
});
