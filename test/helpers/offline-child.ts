// One short life of Vigil with every peer it talks to in the tests: a brute force posted to the webhook, the
// mail delivered to the test SMTP server, the dashboard opened in Chromium. The no-off-machine test runs this
// under strace and reads which addresses were connected to.
import { burst, ndjson } from './fixtures.js';
import { openBrowser } from './browser.js';
import { startSmtp } from './smtp.js';
import { post, startVigil } from './vigil.js';

const smtp = await startSmtp();
const v = await startVigil({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } } });
// A public address as the attacker (documentation range): Vigil must not look it up anywhere by itself.
const res = await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('203.0.113.9', 6, new Date(Date.now() - 60_000), 1000)));
if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
await smtp.waitFor(1, 30_000);
const b = await openBrowser();
await b.page.goto(`${v.url}/`);
await b.page.waitForURL(/#\/login$/);
await b.close();
await v.stop();
await smtp.close();
process.stdout.write('done\n');
