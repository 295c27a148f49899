// A stand-in for your app, served by Vite: it lists the running investigations with mde-investigations. It talks
// to VITE_MDE_BASE_URL when that is set (the mock as a server), else to the service's host,
// https://api.security.microsoft.com (which a Playwright test can route to the mock's handler).
import { InvestigationsClient } from 'mde-investigations';

const baseUrl = import.meta.env.VITE_MDE_BASE_URL;
const client = new InvestigationsClient({
  ...(baseUrl ? { baseUrl, allowInsecureLoopback: true } : {}),
  token: 'a-token-from-your-sign-in',
});

const list = document.querySelector('#investigations');
const status = document.querySelector('#status');
try {
  for await (const investigation of client.list({ filter: { state: 'Running' } })) {
    const item = document.createElement('li');
    item.textContent = `${investigation.id}: ${investigation.computerDnsName ?? 'unknown device'}`;
    list.append(item);
  }
  status.textContent = `${list.children.length} running`;
} catch (error) {
  status.textContent = `Failed: ${error.message}`;
}
