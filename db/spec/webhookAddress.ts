// Which addresses an owner's webhook may reach. A webhook is a request this server makes, and a
// delivery's error shows the start of the answer: a URL pointing inside (cloud metadata, a
// database port, an admin panel) would read internal services through the product. Checked on
// the URL when an endpoint is saved and again before each send, and on every address a name
// resolves to when connecting (bot/webhooks/post.ts).
import ipaddr from "ipaddr.js";

export interface AddressPolicy {
  /**
   * WEBHOOK_ALLOW_PRIVATE=on: loopback, private and shared (CGNAT) addresses are allowed, for a
   * CRM on the owner's own network. Link-local, metadata and the rest stay refused.
   */
  allowPrivate: boolean;
}

/** Addresses clouds answer instance credentials on, wherever their range would be allowed. */
const METADATA = new Set([
  "169.254.169.254", // AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack
  "169.254.170.2", // AWS ECS task credentials
  "fd00:ec2::254", // AWS over IPv6
  "100.100.100.200", // Alibaba Cloud
  "168.63.129.16", // Azure WireServer: a public-looking address every Azure VM reaches
]);

/** Ranges of ipaddr.js that are the owner's own network: allowed with the switch. */
const PRIVATE_RANGES: Readonly<Record<string, string>> = {
  loopback: "a loopback address (this machine)",
  private: "a private network address",
  uniqueLocal: "a private network address (IPv6 unique local)",
  carrierGradeNat: "a shared address (carrier-grade NAT, 100.64.0.0/10)",
};

/** Ranges refused even with the switch. Anything not listed and not public is refused too. */
const NEVER_RANGES: Readonly<Record<string, string>> = {
  linkLocal: "a link-local address",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  reserved: "a reserved address",
};

/** The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), or null. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = address.range();
  if (range === "ipv4Mapped") return address.toIPv4Address();
  const bytes = address.toByteArray();
  if (range === "rfc6052" || range === "rfc6145")
    return ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
  if (range === "6to4") return ipaddr.fromByteArray(bytes.slice(2, 6)) as ipaddr.IPv4;
  return null;
}

/** The address as it will be reached (an IPv6 one carrying IPv4 is that IPv4) and its range. */
function classify(ip: string): { shown: string; range: string } {
  let address = ipaddr.parse(ip);
  if (address.kind() === "ipv6") address = embeddedIPv4(address as ipaddr.IPv6) ?? address;
  return { shown: address.toString(), range: address.range() };
}

/** Why a webhook may not reach this IP address, or null when it may. */
export function addressProblem(ip: string, policy: AddressPolicy): string | null {
  if (!ipaddr.isValid(ip)) return `${ip} is not an IP address`;
  const { shown, range } = classify(ip);
  if (METADATA.has(shown)) return `${ip} is a cloud metadata address; webhooks never go there`;
  if (range === "unicast") return null;
  const privateKind = PRIVATE_RANGES[range];
  if (privateKind) {
    return policy.allowPrivate
      ? null
      : `${ip} is ${privateKind}; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=on`;
  }
  return `${ip} is ${NEVER_RANGES[range] ?? `not a public address (${range})`}; webhooks never go there`;
}

/** localhost and names under it are this machine by definition (RFC 6761), whatever DNS says. */
const isLocalName = (host: string) => host === "localhost" || host.endsWith(".localhost");

const HTTPS_ONLY =
  "give an https URL (plain http only to an address inside your own network, with WEBHOOK_ALLOW_PRIVATE=on)";

/**
 * Why a webhook may not go to this URL, or null. An IP address written in the URL (in whatever
 * notation: the URL parser turns 2130706433, 0177.0.0.1 and 127.1 into 127.0.0.1) is judged here;
 * a name is judged when it is resolved, at each connection.
 */
export function webhookUrlProblem(value: string, policy: AddressPolicy): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "give a full URL, like https://crm.example/hook";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return HTTPS_ONLY;
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (ipaddr.isValid(host)) {
    const problem = addressProblem(host, policy);
    if (problem) return problem;
    // Allowed and not public: the owner's own network, where plain http is the owner's choice.
    if (url.protocol === "http:" && classify(host).range === "unicast") return HTTPS_ONLY;
    return null;
  }
  if (isLocalName(host)) {
    return policy.allowPrivate
      ? null
      : `${host} is this machine; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=on`;
  }
  return url.protocol === "https:" ? null : HTTPS_ONLY;
}
