using System.Net;
using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;

namespace TcpMsg.Tests.Server.Security;

public sealed class AccessPolicyTests
{
    private static IPNetwork Net(string text) => IPNetwork.Parse(text);

    private static bool Allowed(AccessPolicy policy, string address) => policy.IsAllowed(IPAddress.Parse(address), out _);

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData(" 2001:db8::/32 ", "2001:db8::/32")]
    [InlineData("::1", "::1/128")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void Networks_parse_strictly_and_mapped_ipv4_becomes_ipv4(string text, string expected)
    {
        Assert.True(IPNetworkParser.TryParse(text, out var network, out var error), error);
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("10.1.2.3/8", "did you mean 10.0.0.0/8?")]
    [InlineData("10.0.0.0/33", "0-32")]
    [InlineData("2001:db8::/129", "0-128")]
    [InlineData("10.0.0/8", "not an IP network")]
    [InlineData("127.1", "not an IP network")]
    [InlineData("fe80::1%2", "not an IP network")]
    [InlineData("example.com", "not an IP network")]
    [InlineData("10.0.0.0/-1", "0-32")]
    public void Mistyped_networks_are_errors_not_surprises(string text, string reason)
    {
        Assert.False(IPNetworkParser.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_skip_comments_and_blank_lines_and_name_the_bad_line()
    {
        Assert.True(IPNetworkParser.TryParseLines(["# office", "", "10.0.0.0/8  # vpn", "  2001:db8::/32"], "allow.txt", out var networks, out _));
        Assert.Equal(["10.0.0.0/8", "2001:db8::/32"], networks.Select(n => n.ToString()));

        Assert.False(IPNetworkParser.TryParseLines(["10.0.0.0/8", "nonsense"], "allow.txt", out _, out var error));
        Assert.StartsWith("allow.txt:2: 'nonsense'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_rules_everyone_is_allowed()
    {
        Assert.True(Allowed(AccessPolicy.Open, "203.0.113.9"));
        Assert.True(Allowed(AccessPolicy.Open, "2001:db8::9"));
    }

    [Fact]
    public void The_longest_matching_prefix_decides_and_a_deny_wins_a_tie()
    {
        var policy = new AccessPolicy(
            allow: [Net("10.1.0.0/16"), Net("10.1.2.3/32"), Net("192.0.2.0/24")],
            deny: [Net("10.0.0.0/8"), Net("10.1.2.0/24"), Net("192.0.2.0/24")],
            allowList: true);

        Assert.True(Allowed(policy, "10.1.9.9"));    // /16 allow beats /8 deny
        Assert.False(Allowed(policy, "10.1.2.4"));   // /24 deny beats /16 allow
        Assert.True(Allowed(policy, "10.1.2.3"));    // /32 allow beats /24 deny
        Assert.False(Allowed(policy, "10.2.0.1"));   // /8 deny
        Assert.False(Allowed(policy, "192.0.2.1"));  // same network in both: deny
        Assert.False(Allowed(policy, "198.51.100.1")); // no rule, allow list: refused
    }

    [Fact]
    public void Ipv4_mapped_ipv6_peers_are_judged_as_ipv4_and_families_do_not_mix()
    {
        var policy = new AccessPolicy([], [Net("203.0.113.0/24"), Net("2001:db8::/32")], allowList: false);

        Assert.False(Allowed(policy, "::ffff:203.0.113.5"));
        Assert.False(Allowed(policy, "2001:db8:ffff::1"));
        Assert.True(Allowed(policy, "2001:db9::1"));
        Assert.True(Allowed(policy, "203.0.114.1"));
    }

    [Fact]
    public void Refusals_say_which_rule_matched()
    {
        var policy = new AccessPolicy([Net("10.0.0.0/8")], [Net("10.9.0.0/16")], allowList: true);

        policy.IsAllowed(IPAddress.Parse("10.9.1.1"), out var denied);
        policy.IsAllowed(IPAddress.Parse("11.0.0.1"), out var unknown);

        Assert.Equal("10.9.1.1 matches the deny rule 10.9.0.0/16", denied);
        Assert.Equal("11.0.0.1 matches no allow rule", unknown);
    }

    [Fact]
    public void A_large_blocklist_is_matched_by_prefix_tables()
    {
        var deny = Enumerable.Range(0, 50_000).Select(i => new IPNetwork(new IPAddress([100, (byte)(i >> 8), (byte)i, 0]), 24)).ToList();
        var policy = new AccessPolicy([], deny, allowList: false);

        Assert.False(Allowed(policy, "100.195.79.17")); // the last of the 50,000
        Assert.True(Allowed(policy, "100.195.80.17"));
        Assert.True(Allowed(policy, "101.0.0.1"));
        Assert.Equal(50_000, policy.RuleCount);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", 64, "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2:aaaa::1", 48, "2001:db8:1::")]
    [InlineData("2001:db8:1:2:aaaa::1", 128, "2001:db8:1:2:aaaa::1")]
    [InlineData("::ffff:192.0.2.1", 64, "192.0.2.1")]
    [InlineData("192.0.2.1", 64, "192.0.2.1")]
    public void Per_address_limits_count_ipv6_by_network(string address, int prefix, string key)
    {
        Assert.Equal(IPAddress.Parse(key), AddressGrouping.KeyOf(IPAddress.Parse(address), prefix));
    }
}
