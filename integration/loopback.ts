/**
 * The one definition of a loopback host, for everything that only runs on a developer's own
 * machine (the dev mail viewer, the console's dev bypass, cookies without Secure): `localhost`,
 * 127.0.0.0/8 and ::1. Read from a WHATWG URL's hostname, which has already turned `127.1`,
 * `0x7f.0.0.1` and `[0:0:0:0:0:0:0:1]` into their canonical forms.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets?.slice(1).every((o) => Number(o) <= 255) ?? false;
}

export const isLoopbackUrl = (url: URL): boolean => isLoopbackHost(url.hostname);
