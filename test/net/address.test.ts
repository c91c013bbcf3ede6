// The address classifier decides what the server may connect to for a user-supplied URL. Each row
// is an address an attacker could aim an issuer at (or a legitimate public one that must pass).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAddress, parseIpLiteral, formatIp } from '../../src/net/address.js';
import { cleanupAll } from '../helpers/env.js';

after(cleanupAll);

describe('parseIpLiteral reads every spelling of an IP address', () => {
  const loopbackSpellings = ['127.0.0.1', '127.1', '127.0.1', '0x7f.0.0.1', '0x7F.1', '0177.0.0.1', '2130706433', '0x7f000001', '017700000001', '127.0.0.1.', '[127.0.0.1]'];
  for (const spelling of loopbackSpellings) {
    test(`${spelling} is 127.0.0.1`, () => {
      const bytes = parseIpLiteral(spelling);
      assert.ok(bytes);
      assert.equal(formatIp(bytes), '127.0.0.1');
    });
  }

  const ipv6 = [
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['FE80::1%eth0', 'fe80::1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
  ] as const;
  for (const [spelling, canonical] of ipv6) {
    test(`${spelling} is ${canonical}`, () => {
      const bytes = parseIpLiteral(spelling);
      assert.ok(bytes);
      assert.equal(bytes.length, 16);
      assert.equal(formatIp(bytes), canonical);
    });
  }

  for (const name of ['example.com', 'localhost', '1.2.3.4.5', '256.0.0.1', '1.2.3.0x100', '08.0.0.1', '4294967296', 'fe80::zz', '1.2.3.4.com', '', 'a.b']) {
    test(`${JSON.stringify(name)} is not an IP literal`, () => {
      assert.equal(parseIpLiteral(name), null);
    });
  }
});

describe('classifyAddress', () => {
  const blocked: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['127.1', /loopback/],
    ['0x7f.0.0.1', /loopback/],
    ['2130706433', /loopback/],
    ['0.0.0.0', /this network/],
    ['0', /this network/],
    ['10.0.0.1', /private/],
    ['10.255.255.255', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['169.254.169.254', /metadata/],
    ['169.254.0.1', /link-local/],
    ['192.0.0.8', /IETF/],
    ['192.0.2.1', /documentation/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.9', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.255', /benchmarking/],
    ['192.88.99.1', /6to4 relay/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['::1', /loopback/],
    ['[::1]', /loopback/],
    ['::', /unspecified/],
    ['::ffff:127.0.0.1', /IPv4-mapped address of a loopback/],
    ['::ffff:7f00:1', /IPv4-mapped address of a loopback/],
    ['::ffff:169.254.169.254', /mapped address of the cloud metadata/],
    ['::ffff:10.1.2.3', /mapped address of a private/],
    ['::127.0.0.1', /IPv4-compatible address of a loopback/],
    ['64:ff9b::a00:1', /NAT64 address of a private/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::', /6to4 address of a loopback/],
    ['2002:c0a8:101::1', /6to4 address of a private/],
    ['2001:0:4136:e378::1', /Teredo/],
    ['2001:db8::1', /documentation/],
    ['3fff::1', /documentation/],
    ['fc00::1', /unique local/],
    ['fd00:ec2::254', /unique local/],
    ['fdff:ffff::1', /unique local/],
    ['fe80::1', /link-local/],
    ['febf::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['100::1', /discard-only/],
    ['example.com', /not an IP address/],
  ];
  for (const [address, reason] of blocked) {
    test(`${address} is refused (${reason.source})`, () => {
      const verdict = classifyAddress(address);
      assert.equal(verdict.allowed, false);
      assert.match((verdict as { reason: string }).reason, reason);
    });
  }

  const allowed = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.253.255.255', '192.169.0.1', '11.0.0.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', 'fbff::1', 'fe7f::1'];
  for (const address of allowed) {
    test(`${address} is allowed`, () => {
      assert.equal(classifyAddress(address).allowed, true, JSON.stringify(classifyAddress(address)));
    });
  }
});
