import * as crypto from 'node:crypto';
import * as net from 'node:net';

/**
 * Self-signed (or CA-signed) X.509 certificates for the relay's TLS, made with Node's own
 * crypto: an ECDSA P-256 key and a DER-encoded certificate (RFC 5280). Node can parse and
 * verify certificates but not create them. Written here rather than with @peculiar/x509: that
 * library adds 60 % to the extension's bundle and needs reflect-metadata, a global patch in the
 * extension host every extension shares (measured in bench/NOTES.md, "Certificates"). Node's
 * X509Certificate checks everything made here in the unit tests.
 */
export interface CertificateOptions {
  commonName: string;
  /** Host names and IP addresses the certificate is valid for (subjectAltName). */
  altNames?: string[];
  days?: number;
  /** A certificate authority (creates a CA certificate: basicConstraints cA=true). */
  isCa?: boolean;
  /** Sign with this CA instead of self-signing. */
  issuer?: { certPem: string; keyPem: string };
}

export interface Certificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, as `AB:CD:…` (the form Node and OpenSSL print). */
  fingerprint256: string;
}

export function createCertificate(options: CertificateOptions): Certificate {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuerCert = options.issuer ? new crypto.X509Certificate(options.issuer.certPem) : undefined;
  const signingKey = options.issuer ? crypto.createPrivateKey(options.issuer.keyPem) : privateKey;
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + (options.days ?? 3650) * 86_400_000);
  const subject = name(options.commonName);
  const issuer = issuerCert ? issuerCert.raw.subarray(...subjectSpan(issuerCert.raw)) : subject;
  const extensions: Buffer[] = [];
  extensions.push(extension(OID.basicConstraints, true, seq(options.isCa ? [der(0x01, Buffer.from([0xff]))] : [])));
  extensions.push(extension(OID.keyUsage, true, bitString(Buffer.from([options.isCa ? 0x06 : 0x80]), options.isCa ? 1 : 7)));
  if (options.altNames?.length) extensions.push(extension(OID.subjectAltName, false, seq(options.altNames.map(altName))));
  const algorithm = seq([oid(OID.ecdsaWithSha256)]);
  const tbs = seq([
    der(0xa0, integer(Buffer.from([2]))), // v3
    integer(crypto.randomBytes(16)),
    algorithm,
    issuer,
    seq([time(notBefore), time(notAfter)]),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(extensions)),
  ]);
  const signature = crypto.sign('sha256', tbs, signingKey);
  const certDer = seq([tbs, algorithm, bitString(signature, 0)]);
  const certPem = `-----BEGIN CERTIFICATE-----\n${certDer
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return {
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint256: new crypto.X509Certificate(certPem).fingerprint256,
  };
}

/** `AB:CD:…` fingerprint of a PEM certificate. */
export function fingerprintOf(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256;
}

// ---------------------------------------------------------------- DER

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
} as const;

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

function seq(items: Buffer[]): Buffer {
  return der(0x30, Buffer.concat(items));
}

function integer(value: Buffer): Buffer {
  let v = value;
  while (v.length > 1 && v[0] === 0 && v[1] < 0x80) v = v.subarray(1);
  if (v[0] >= 0x80) v = Buffer.concat([Buffer.from([0]), v]); // keep it positive
  return der(0x02, v);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function bitString(bytes: Buffer, unusedBits: number): Buffer {
  return der(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  // RFC 5280: UTCTime through 2049, GeneralizedTime after.
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2), 'ascii')) : der(0x18, Buffer.from(iso, 'ascii'));
}

function name(commonName: string): Buffer {
  return seq([der(0x31, seq([oid(OID.commonName), der(0x0c, Buffer.from(commonName, 'utf8'))]))]);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq([oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value)]);
}

function altName(value: string): Buffer {
  if (net.isIPv4(value)) return der(0x87, Buffer.from(value.split('.').map(Number)));
  if (net.isIPv6(value)) return der(0x87, ipv6Bytes(value));
  return der(0x82, Buffer.from(value, 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  // A dotted IPv4 tail (::ffff:192.0.2.1) is the last two groups.
  const quad = /:(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    address = `${address.slice(0, quad.index)}:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const parts = (s: string | undefined) => (s ? s.split(':') : []);
  const groups = [...parts(head), ...Array(8 - parts(head).length - parts(tail).length).fill('0'), ...parts(tail)];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return out;
}

/** Where the subject Name sits inside a DER certificate (to copy it as the issuer of another). */
function subjectSpan(cert: Buffer): [number, number] {
  // Certificate ::= SEQUENCE { tbs SEQUENCE { [0] version, serial, sigAlg, issuer, validity, subject, … } }
  let offset = headerLength(cert, 0); // into Certificate
  offset += headerLength(cert, offset); // into TBSCertificate
  const skip = () => {
    const start = offset;
    offset += headerLength(cert, offset) + contentLength(cert, offset);
    return start;
  };
  if (cert[offset] === 0xa0) skip(); // version
  skip(); // serial
  skip(); // signature algorithm
  skip(); // issuer
  skip(); // validity
  const start = skip(); // subject
  return [start, offset];
}

function headerLength(buf: Buffer, at: number): number {
  const first = buf[at + 1];
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

function contentLength(buf: Buffer, at: number): number {
  const first = buf[at + 1];
  if (first < 0x80) return first;
  let n = 0;
  for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + buf[at + 2 + i];
  return n;
}
