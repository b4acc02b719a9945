import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { bigIntToIp, canonicalIp, cidr, cidrContains, cidrWithin, familyOf, ipToBigInt, isIpAddress, nthSubnet, parseCidr } from "./net.js";

describe("kube/net: addresses and CIDRs", () => {
  it("round-trips IPv6 in RFC 5952 form", () => {
    for (const text of ["fd00:10:244::2", "::1", "2001:db8::", "1:2:3:4:5:6:7:8", "fd00::1:0:0:1"]) {
      assert.equal(bigIntToIp(ipToBigInt(text), "ipv6"), text);
    }
    assert.equal(bigIntToIp(ipToBigInt("2001:0db8:0000:0000:0000:0000:0000:0001"), "ipv6"), "2001:db8::1");
  });

  it("clears host bits and tests containment per family", () => {
    const block = cidr("10.1.2.3/16");
    assert.equal(block.base, ipToBigInt("10.1.0.0"));
    assert.ok(cidrContains(block, "10.1.255.255"));
    assert.ok(!cidrContains(block, "10.2.0.0"));
    assert.ok(!cidrContains(block, "::ffff:10.1.0.1"), "an IPv4 block never matches an IPv6 address");
    assert.ok(cidrContains(cidr("::/0"), "fd00::1"));
    assert.ok(!cidrContains(cidr("0.0.0.0/0"), "fd00::1"));
  });

  it("knows nesting and sub-blocks", () => {
    assert.ok(cidrWithin(cidr("10.1.2.0/24"), cidr("10.1.0.0/16")));
    assert.ok(!cidrWithin(cidr("10.0.0.0/8"), cidr("10.1.0.0/16")));
    assert.equal(nthSubnet(cidr("fd00:10:244::/56"), 64, 3).text, "fd00:10:244:3::/64");
  });

  it("rejects malformed CIDRs with a reason", () => {
    assert.match(String(parseCidr("10.0.0.0")), /expected ADDRESS\/PREFIX/);
    assert.match(String(parseCidr("10.0.0.0/40")), /0-32/);
    assert.match(String(parseCidr("fd00::/129")), /0-128/);
  });

  it("takes only IP literals in their strict forms for addresses: a DNS name such as 'cafe' is none", () => {
    for (const name of ["cafe", "beef", "dead.beef", "a", "10", "0x0a.0.0.1", "010.0.0.1", "1.2.3.4.5", "fe80::1%eth0", "10.0.0.0/8", ""]) {
      assert.equal(familyOf(name), undefined, name);
      assert.equal(isIpAddress(name), false, name);
      assert.throws(() => canonicalIp(name), /not an IP address/, name);
    }
    assert.equal(familyOf("10.0.0.1"), "ipv4");
    assert.equal(familyOf("::cafe"), "ipv6");
    assert.equal(canonicalIp("FD00:0:0:0:0:0:0:CAFE"), "fd00::cafe");
    assert.equal(canonicalIp("::ffff:10.0.0.1"), "::ffff:a00:1");
    assert.equal(canonicalIp("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1", "RFC 5952: the first of two equal zero runs");
  });
});
