/**
 * The sign-in page: an admin API key, checked before it is kept. `GET /v2/ping` says whether
 * Lyceum knows the key at all; listing webhooks, which needs the admin scope, says whether it
 * can run the console.
 */
import { ApiClient, ApiError, failureMessage } from '../api.js';
import { h, replace } from '../dom.js';
import { field } from '../forms.js';

/** Checks `key`; resolves with why it cannot be used, or undefined when it can. */
async function refusalOf(key: string): Promise<string | undefined> {
  const api = new ApiClient(key);
  try {
    await api.get('/v2/ping');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return 'Lyceum does not know this key, or it was revoked. Check that it was copied whole.';
    }
    return failureMessage(error);
  }
  try {
    await api.get('/v2/webhooks', { limit: 1 });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      return 'This key is valid but lacks the admin scope, which the console needs. Sign in with an admin key.';
    }
    return failureMessage(error);
  }
  return undefined;
}

/** Draws the sign-in form into `main`; `onSignedIn` receives the accepted key. */
export function renderSignIn(main: HTMLElement, onSignedIn: (key: string) => void): void {
  const input = h('input', {
    type: 'password',
    name: 'key',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
  });
  const error = h('div', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in-form', 'aria-labelledby': 'sign-in-title' },
    field(
      'Admin API key',
      input,
      h(
        'span',
        null,
        'Create one with ',
        h('code', null, 'npx lyceum api-keys create --name console --scopes admin'),
        '. It stays in this browser tab only and is forgotten when you sign out or close the tab.',
      ),
    ),
    error,
    submit,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === '') return;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    replace(error, h('p', { class: 'muted' }, 'Checking the key…'));
    const refusal = await refusalOf(key);
    submit.disabled = false;
    form.removeAttribute('aria-busy');
    if (refusal === undefined) {
      onSignedIn(key);
      return;
    }
    replace(error, h('p', null, refusal));
    input.focus();
    input.select();
  });

  replace(
    main,
    h(
      'div',
      { class: 'sign-in' },
      h('h1', { id: 'sign-in-title' }, 'Sign in to the Lyceum console'),
      h(
        'p',
        { class: 'lead' },
        'See and steer every webhook endpoint, delivery, event and API key of this Lyceum.',
      ),
      form,
    ),
  );
  input.focus();
}
