// The dashboard shell: a hash router, the top navigation, and the login gate.
import { api, currentUser, loadUser, setUser } from './api.js';
import { h, replace } from './dom.js';
import { incidentView } from './views/incident.js';
import { loginView } from './views/login.js';
import { overviewView } from './views/overview.js';
import { pivotView } from './views/pivot.js';
import { queueView } from './views/queue.js';
import { rulesView } from './views/rules.js';
import { silencesView } from './views/silences.js';

const top = document.getElementById('top')!;
const main = document.getElementById('main')!;
let leave: () => void = () => {};

function nav(active: string) {
  const me = currentUser();
  const link = (href: string, label: string, key: string) => h('a', { href, 'aria-current': active === key ? 'page' : undefined }, label);
  replace(
    top,
    h(
      'nav',
      { 'aria-label': 'main' },
      h('span', { class: 'brand' }, 'Vigil'),
      link('#/overview', 'Overview', 'overview'),
      link('#/incidents', 'Incidents', 'incidents'),
      link('#/rules', 'Rules', 'rules'),
      link('#/silences', 'Silences', 'silences'),
      link('#/pivot', 'Pivot', 'pivot'),
      h('a', { href: '/docs', target: '_blank', rel: 'noopener' }, 'API'),
      h('span', { class: 'spacer' }),
      me ? h('span', { class: 'who' }, `${me.name} (${me.role})`) : null,
      me
        ? h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                await api('POST', '/auth/logout', {}).catch(() => {});
                setUser(null);
                location.hash = '#/login';
              },
            },
            'Sign out',
          )
        : null,
    ),
  );
}

async function route() {
  leave();
  leave = () => {};
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'login' && !currentUser() && !(await loadUser())) {
    location.hash = '#/login';
    return;
  }
  if (parts[0] === 'login') {
    replace(top);
    return loginView(main, () => (location.hash = '#/incidents'));
  }
  const view = parts[0] ?? 'incidents';
  nav(view);
  if (view === 'overview') leave = overviewView(main);
  else if (view === 'rules') leave = rulesView(main);
  else if (view === 'silences') leave = silencesView(main);
  else if (view === 'pivot') leave = pivotView(main, new URLSearchParams(query));
  else if (view === 'incidents' && parts[1]) leave = incidentView(main, decodeURIComponent(parts[1]));
  else leave = queueView(main, new URLSearchParams(query));
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => void route());
void route();
