// The login page.
import { api, loadUser, setUser, type Me } from '../api.js';
import { h, replace } from '../dom.js';

export function loginView(main: HTMLElement, next: () => void): void {
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const name = h('input', { id: 'name', name: 'name', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Vigil'),
    h('p', { class: 'muted' }, 'Sign in to the SOC dashboard'),
    h('label', { for: 'name' }, 'User name'),
    name,
    h('label', { for: 'password' }, 'Password'),
    password,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      setUser(await api<Me>('POST', '/auth/login', { name: name.value, password: password.value }));
      // A Secure cookie is dropped by the browser on plain HTTP (other than localhost): say so instead of looping.
      if (!(await loadUser())) {
        error.textContent =
          'Signed in, but this browser did not keep the session cookie. Open the dashboard over HTTPS, or set auth.secureCookies: false when it is served over plain HTTP on a trusted network.';
        return;
      }
      next();
    } catch (err) {
      error.textContent = (err as Error).message;
      password.value = '';
      password.focus();
    }
  });
  replace(main, form);
  name.focus();
}
