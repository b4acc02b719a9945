/**
 * Sockets in other network namespaces, for one Node.js process per node.
 *
 * Why: a socket belongs to the network namespace it was created in, for its whole life, and
 * Node.js cannot enter a namespace (it has no setns(2)). One Node process per pod (~15 MiB and
 * 50-150 ms of CPU to start) is what limited a node to a few dozen pods.
 * So a tiny launcher makes the sockets instead: it enters each pod's namespace with setns(2),
 * creates the sockets asked for there (listeners for the pod's server, unconnected sockets for
 * its probes), returns to the node's namespace and execs the Node program, which inherits
 * them and adopts each by its file descriptor (`server.listen({ fd })`, `dgram bind({ fd })`,
 * `new net.Socket({ fd }).connect(…)`): one Node process serves or probes for every pod.
 *
 * The launcher is Perl because perl-base is Essential in Debian (in every node image, however
 * minimal) and reaches setns through syscall(2). Its source is fixed; what it is asked for
 * arrives as argv words it checks itself (namespace names against NETNS_RE, numbers), and it
 * never runs a shell. It tells the exec'd program what it made in the environment variable
 * NETSPEC_SOCKETS: `REQUEST=RESULT` entries joined by `;`, where RESULT is `F:first-last`
 * (the socket family it got and a range of consecutive descriptors) or `!ERRNO`.
 */
import { NETNS_RE, type ServerSpec } from './protocol.js';

/** tcp-listen/udp-bind: a pod's served port (family 6 is dual-stack, falling back to 4 when the namespace has no IPv6). tcp/udp: unconnected client sockets. */
export type SocketKind = 'tcp-listen' | 'udp-bind' | 'tcp' | 'udp';

export interface SocketRequest {
  netns: string;
  kind: SocketKind;
  family: 4 | 6;
  /** The port to bind (listeners); 0 for client sockets. */
  port: number;
  /** How many sockets (listeners: 1). */
  count: number;
}

export type SocketResult = { family: 4 | 6; fds: number[] } | { error: string };

const KIND_LETTER: Record<SocketKind, string> = { 'tcp-listen': 'L', 'udp-bind': 'U', tcp: 'T', udp: 'D' };

/** The request's argv word, e.g. `p-1a2b3c,L,6,80,1` (also its key in NETSPEC_SOCKETS). */
export function requestWord(r: SocketRequest): string {
  if (!NETNS_RE.test(r.netns)) throw new Error(`unsafe netns name ${JSON.stringify(r.netns)}`);
  if (!Number.isInteger(r.port) || r.port < 0 || r.port > 65535) throw new Error(`bad port ${r.port}`);
  if (!Number.isInteger(r.count) || r.count < 1) throw new Error(`bad socket count ${r.count}`);
  return `${r.netns},${KIND_LETTER[r.kind]},${r.family},${r.port},${r.count}`;
}

/**
 * setns(2)'s system call number per machine (the kernel's syscall tables: arch/x86/entry/syscalls,
 * include/uapi/asm-generic/unistd.h for arm64 and riscv64, arch/arm/tools/syscall.tbl, …).
 */
const LAUNCHER = String.raw`
use strict; use warnings; use Socket qw(:all); use POSIX (); use Errno;
my %setns = (x86_64 => 308, aarch64 => 268, riscv64 => 268, armv7l => 375, armv6l => 375, i686 => 346, i386 => 346, ppc64le => 350, s390x => 339);
my $nr = $setns{(POSIX::uname())[4]} // die "netspec sockets: no setns number for this machine\n";
my $CLONE_NEWNET = 0x40000000; my $IPV6_V6ONLY = 26;
my $n = shift @ARGV; die "netspec sockets: bad request count\n" unless defined $n && $n =~ /^\d+$/ && $n <= @ARGV;
my @requests = splice(@ARGV, 0, $n);
die "netspec sockets: no command to run\n" unless @ARGV;
open(my $root, '<', '/proc/self/ns/net') or die "netspec sockets: /proc/self/ns/net: $!\n";
$^F = 1 << 30;   # from here on every descriptor survives the exec
sub errname { my $e = 0 + $!; for (keys %!) { return $_ if $!{$_} } return "E$e" }
sub enter { my ($fh) = @_; syscall($nr, fileno($fh), $CLONE_NEWNET) == 0 }
sub make {
  my ($kind, $family, $port) = @_;
  my $domain = $family == 6 ? AF_INET6 : AF_INET;
  my $type = ($kind eq 'L' || $kind eq 'T') ? SOCK_STREAM : SOCK_DGRAM;
  socket(my $s, $domain, $type, 0) or return (undef, errname());
  if ($kind eq 'L' || $kind eq 'U') {
    setsockopt($s, IPPROTO_IPV6, $IPV6_V6ONLY, pack('l', 0)) if $family == 6;
    setsockopt($s, SOL_SOCKET, SO_REUSEADDR, pack('l', 1)) if $kind eq 'L';
    my $addr = $family == 6 ? pack_sockaddr_in6($port, IN6ADDR_ANY) : pack_sockaddr_in($port, INADDR_ANY);
    bind($s, $addr) or return (undef, errname());
    if ($kind eq 'L') { listen($s, 1024) or return (undef, errname()) }
  }
  return ($s, undef);
}
my (@keep, @out);
for my $req (@requests) {
  my ($ns, $kind, $family, $port, $count) = split /,/, $req, -1;
  die "netspec sockets: bad request '$req'\n" unless defined $count && $ns =~ /^[a-z0-9][a-z0-9-]{0,31}$/
    && $kind =~ /^[LUTD]$/ && $family =~ /^[46]$/ && $port =~ /^\d{1,5}$/ && $port <= 65535 && $count =~ /^\d{1,6}$/ && $count >= 1;
  my $fh;
  unless (open($fh, '<', "/run/netns/$ns") && enter($fh)) { push @out, "$req=!" . errname(); next }
  close $fh;
  my ($first, $got, $error) = (undef, $family, undef);
  my (@mine, @fds);
  for (1 .. $count) {
    my ($s, $err) = make($kind, $got, $port);
    # A namespace without IPv6 cannot hold a dual-stack listener: serve IPv4 alone, as before.
    if (!$s && ($kind eq 'L' || $kind eq 'U') && $got == 6 && $err =~ /^(EAFNOSUPPORT|EADDRNOTAVAIL|EINVAL)$/) { $got = 4; ($s, $err) = make($kind, 4, $port) }
    if (!$s) { $error = $err; last }
    push @mine, $s; push @fds, fileno($s);
  }
  enter($root) or die "netspec sockets: back to the node's namespace: $!\n";
  if (defined $error) { close $_ for @mine; push @out, "$req=!$error"; next }
  push @keep, @mine;
  # Descriptors come lowest-free first, so a run of sockets is one range unless holes were reused.
  my @ranges; my ($lo, $hi);
  for my $fd (@fds) { if (defined $hi && $fd == $hi + 1) { $hi = $fd } else { push @ranges, "$lo-$hi" if defined $lo; ($lo, $hi) = ($fd, $fd) } }
  push @ranges, "$lo-$hi" if defined $lo;
  push @out, "$req=$got:" . join('.', @ranges);
}
$ENV{NETSPEC_SOCKETS} = join(';', @out);
exec { $ARGV[0] } @ARGV or die "netspec sockets: exec $ARGV[0]: $!\n";
`;

/** The argv that makes `requests`' sockets, then runs `command` (an argv) with them. */
export function socketLauncherArgv(requests: readonly SocketRequest[], command: readonly string[]): string[] {
  if (command.length === 0) throw new Error('no command');
  return ['perl', '-e', LAUNCHER, String(requests.length), ...requests.map(requestWord), ...command];
}

/**
 * What the launcher made, in request order (the exec'd program rebuilds the same request list
 * and pairs them by position: two equal requests, a port asked for twice, stay apart).
 */
export function parseSockets(text: string | undefined, requests: readonly SocketRequest[]): SocketResult[] {
  const entries = (text ?? '').split(';').filter(Boolean);
  return requests.map((request, i) => {
    const entry = entries[i];
    const word = requestWord(request);
    if (entry === undefined || !entry.startsWith(`${word}=`)) return { error: `the launcher made nothing for ${word}` };
    const value = entry.slice(word.length + 1);
    if (value.startsWith('!')) return { error: value.slice(1) };
    const [family, ranges = ''] = value.split(':');
    const fds: number[] = [];
    for (const range of ranges.split('.').filter(Boolean)) {
      const [lo, hi] = range.split('-').map(Number);
      for (let fd = lo!; fd <= hi!; fd++) fds.push(fd);
    }
    return { family: family === '4' ? 4 : 6, fds };
  });
}

/** The listeners a set of pod servers needs, in the order the launcher is asked for them; `server` is the index of the one it serves. */
export function serverSocketRequests(servers: readonly ServerSpec[]): Array<SocketRequest & { server: number }> {
  return servers.flatMap((s, server) => s.ports.filter((p) => p.protocol !== 'SCTP').map((p) => ({
    netns: s.netns, kind: p.protocol === 'TCP' ? 'tcp-listen' as const : 'udp-bind' as const, family: 6 as const, port: p.port, count: 1, server,
  })));
}
