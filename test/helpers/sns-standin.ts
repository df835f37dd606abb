/**
 * A stand-in for Amazon SNS on 127.0.0.1: it serves a signing certificate (self-signed, made in
 * the test with a fresh RSA key), answers the SubscribeURL confirmation GET, and signs messages
 * exactly as SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA over the documented
 * string to sign), so the production verifier runs unchanged against it.
 */
import 'reflect-metadata'; // @peculiar/x509 (test only) needs it
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { stringToSign, type SnsMessage } from '../../integration/delivery/providers/ses/sns-signature';

x509.cryptoProvider.set(crypto);

export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ses-events';
export const CERT_PATH = '/SimpleNotificationService-0000000000000000000000.pem';

export type SnsStandin = {
  url: string;
  certUrl: string;
  certFetches: number;
  confirmations: string[];
  sign(fields: Omit<SnsMessage, 'Signature' | 'SigningCertURL' | 'SignatureVersion'>, version?: '1' | '2', certUrl?: string): Promise<SnsMessage>;
  close(): Promise<void>;
};

const RSA = { name: 'RSASSA-PKCS1-v1_5', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

/**
 * `now` is the test's clock: the certificate is valid from a day before it to a year after, so a
 * test that verifies at a fixed date never meets a certificate made from another clock.
 */
export async function startSnsStandin(options: { now?: () => Date } = {}): Promise<SnsStandin> {
  const issuedAt = (options.now?.() ?? new Date()).getTime();
  const keys = await crypto.subtle.generateKey({ ...RSA, hash: 'SHA-256' }, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=sns.amazonaws.com',
    notBefore: new Date(issuedAt - 86_400_000),
    notAfter: new Date(issuedAt + 365 * 86_400_000),
    signingAlgorithm: { ...RSA, hash: 'SHA-256' },
    keys,
  });
  const pem = cert.toString('pem');
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const signers = {
    '1': await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, ['sign']),
    '2': await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']),
  };

  const state = { certFetches: 0, confirmations: [] as string[] };
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === CERT_PATH) {
      state.certFetches += 1;
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(pem);
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/?Action=ConfirmSubscription')) {
      state.confirmations.push(req.url);
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:eu-west-1:123456789012:ses-events:1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>',
        );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    certUrl: `${url}${CERT_PATH}`,
    get certFetches() {
      return state.certFetches;
    },
    confirmations: state.confirmations,
    async sign(fields, version = '1', certUrl = `${url}${CERT_PATH}`) {
      const unsigned = { ...fields, SignatureVersion: version, SigningCertURL: certUrl, Signature: '' } as SnsMessage;
      const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signers[version], new TextEncoder().encode(stringToSign(unsigned))));
      return { ...unsigned, Signature: btoa(String.fromCharCode(...signature)) };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
