// Where owners' webhooks may point: each class of internal address is refused, in every notation
// the URL parser accepts, and the switch for the owner's own network opens only that network.
import { describe, expect, it } from "vitest";
import { addressProblem, webhookUrlProblem } from "../../../db/spec/webhookAddress.ts";

const PUBLIC_ONLY = { allowPrivate: false };
const OWN_NETWORK = { allowPrivate: true };

/** The owner's own network: refused unless WEBHOOK_ALLOW_PRIVATE=on. */
const PRIVATE = [
  ["127.0.0.1", /loopback/],
  ["127.255.0.9", /loopback/],
  ["::1", /loopback/],
  ["10.0.0.1", /private network/],
  ["172.16.0.1", /private network/],
  ["172.31.255.254", /private network/],
  ["192.168.1.1", /private network/],
  ["100.64.0.1", /carrier-grade NAT/],
  ["fc00::1", /unique local/],
  ["fd12:3456::1", /unique local/],
  ["::ffff:127.0.0.1", /loopback/],
  ["::ffff:10.1.2.3", /private network/],
  ["64:ff9b::a00:1", /private network/],
  ["2002:c0a8:101::1", /private network/],
] as const;

/** Refused whatever the switch says. */
const NEVER = [
  ["169.254.169.254", /cloud metadata/],
  ["169.254.170.2", /cloud metadata/],
  ["fd00:ec2::254", /cloud metadata/],
  ["100.100.100.200", /cloud metadata/],
  ["168.63.129.16", /cloud metadata/],
  ["::ffff:169.254.169.254", /cloud metadata/],
  ["169.254.1.1", /link-local/],
  ["fe80::1", /link-local/],
  ["0.0.0.0", /unspecified/],
  ["::", /unspecified/],
  ["224.0.0.1", /multicast/],
  ["239.255.255.250", /multicast/],
  ["ff02::1", /multicast/],
  ["255.255.255.255", /broadcast/],
  ["240.0.0.1", /reserved/],
  ["192.0.2.1", /reserved/],
  ["198.18.0.1", /reserved/],
  ["2001:db8::1", /reserved/],
  ["2001::1", /not a public address \(teredo\)/],
] as const;

describe("webhook addresses", () => {
  it.each(PRIVATE)("%s is refused, and allowed with WEBHOOK_ALLOW_PRIVATE=on", (ip, kind) => {
    expect(addressProblem(ip, PUBLIC_ONLY)).toMatch(kind);
    expect(addressProblem(ip, PUBLIC_ONLY)).toMatch(/unless WEBHOOK_ALLOW_PRIVATE=on/);
    expect(addressProblem(ip, OWN_NETWORK)).toBeNull();
  });

  it.each(NEVER)("%s is refused even with WEBHOOK_ALLOW_PRIVATE=on", (ip, kind) => {
    expect(addressProblem(ip, PUBLIC_ONLY)).toMatch(kind);
    expect(addressProblem(ip, OWN_NETWORK)).toMatch(kind);
    expect(addressProblem(ip, OWN_NETWORK)).toMatch(/webhooks never go there/);
  });

  it("lets public addresses through", () => {
    for (const ip of ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      expect(addressProblem(ip, PUBLIC_ONLY)).toBeNull();
    }
  });

  it("refuses the addresses the first report found over https", () => {
    for (const url of [
      "https://169.254.169.254/latest/meta-data/iam/",
      "https://10.0.0.1/",
      "https://127.0.0.1:5432/",
    ]) {
      expect(webhookUrlProblem(url, PUBLIC_ONLY)).not.toBeNull();
    }
    expect(webhookUrlProblem("https://169.254.169.254/latest/meta-data/", OWN_NETWORK)).toMatch(
      /cloud metadata/,
    );
  });

  it("sees through odd notations of an address", () => {
    // The URL parser writes each as 127.0.0.1 (or the IPv6 form) before the check sees it.
    for (const url of [
      "https://2130706433/",
      "https://0177.0.0.1/",
      "https://0x7f.1/",
      "https://0x7f000001/",
      "https://127.1/",
      "https://127.0.1/",
      "https://%31%32%37.0.0.1/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:7f00:1]:8443/",
      "https://[0:0:0:0:0:ffff:127.0.0.1]/",
      "https://[::1]/",
      "https://localhost/",
      "https://LOCALHOST./",
      "https://api.localhost/",
    ]) {
      expect(webhookUrlProblem(url, PUBLIC_ONLY), url).toMatch(/loopback|this machine/);
    }
    expect(webhookUrlProblem("https://0/", PUBLIC_ONLY)).toMatch(/unspecified/);
    expect(webhookUrlProblem("https://0xa9.0xfe.0xa9.0xfe/", OWN_NETWORK)).toMatch(/metadata/);
    expect(webhookUrlProblem("https://2852039166/", OWN_NETWORK)).toMatch(/metadata/);
  });

  it("takes https to a public name or address, and leaves names to be judged when resolved", () => {
    expect(webhookUrlProblem("https://crm.example/hook", PUBLIC_ONLY)).toBeNull();
    expect(webhookUrlProblem("https://93.184.216.34/hook", PUBLIC_ONLY)).toBeNull();
    expect(webhookUrlProblem("https://127.0.0.1.nip.io/", PUBLIC_ONLY)).toBeNull();
  });

  it("takes plain http only into the owner's own network, with the switch on", () => {
    const https = /^give an https URL/;
    expect(webhookUrlProblem("http://crm.example/hook", OWN_NETWORK)).toMatch(https);
    expect(webhookUrlProblem("http://93.184.216.34/hook", OWN_NETWORK)).toMatch(https);
    expect(webhookUrlProblem("http://[::ffff:8.8.8.8]/", OWN_NETWORK)).toMatch(https);
    expect(webhookUrlProblem("http://127.0.0.1:9/hook", PUBLIC_ONLY)).toMatch(/loopback/);
    expect(webhookUrlProblem("http://127.0.0.1:9/hook", OWN_NETWORK)).toBeNull();
    expect(webhookUrlProblem("http://192.168.1.20:8080/crm", OWN_NETWORK)).toBeNull();
    expect(webhookUrlProblem("http://localhost:3000/hook", OWN_NETWORK)).toBeNull();
    expect(webhookUrlProblem("ftp://crm.example/", OWN_NETWORK)).toMatch(https);
    expect(webhookUrlProblem("not a url", OWN_NETWORK)).toMatch(/^give a full URL/);
  });
});
