using System.Net;
using System.Text;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol;

public sealed class ProxyProtocolReaderTests
{
    private static readonly IPEndPoint s_client4 = IPEndPoint.Parse("192.168.0.1:56324");
    private static readonly IPEndPoint s_server4 = IPEndPoint.Parse("192.168.0.11:443");
    private static readonly IPEndPoint s_client6 = IPEndPoint.Parse("[2001:db8::1]:65535");
    private static readonly IPEndPoint s_server6 = IPEndPoint.Parse("[2001:db8::ff]:2023");

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void The_specifications_v1_example_gives_the_client_and_leaves_the_payload()
    {
        var bytes = Ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");

        var result = ProxyHarness.Run(bytes);

        Assert.Equal(new ProxyHeader(1, ProxyCommand.Proxy, s_client4, s_server4, 47), result.Header);
        Assert.Equal(47, result.Consumed);
    }

    [Theory]
    [InlineData("PROXY TCP6 2001:db8::1 2001:db8::ff 65535 2023\r\n")]
    [InlineData("PROXY TCP6 2001:0db8:0000:0000:0000:0000:0000:0001 2001:DB8::FF 65535 2023\r\n")]
    public void A_v1_tcp6_line_gives_an_ipv6_client(string line)
    {
        var result = ProxyHarness.Run(Ascii(line));

        Assert.Equal(s_client6, result.Header!.Source);
        Assert.Equal(s_server6, result.Header.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN \r\n")]
    [InlineData("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n")]
    public void A_v1_unknown_line_means_the_connections_own_endpoints(string line)
    {
        var result = ProxyHarness.Run(Ascii(line + "payload"));

        Assert.Equal(ProxyCommand.Local, result.Header!.Command);
        Assert.Null(result.Header.Source);
        Assert.Equal(line.Length, result.Consumed);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.168.0.01 192.168.0.11 56324 443\r\n", "leading zeroes")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 056324 443\r\n", "leading zeroes")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n", "0-65535")]
    [InlineData("PROXY TCP4 192.168.0.256 192.168.0.11 1 443\r\n", "0-255")]
    [InlineData("PROXY TCP4 192.168.1 192.168.0.11 1 443\r\n", "0-255")]
    [InlineData("PROXY TCP4 0x7f.0.0.1 192.168.0.11 1 443\r\n", "0-255")]
    [InlineData("PROXY TCP4 2001:db8::1 192.168.0.11 1 443\r\n", "0-255")]
    [InlineData("PROXY TCP6 192.168.0.1 2001:db8::ff 1 443\r\n", "IPv6")]
    [InlineData("PROXY TCP6 fe80::1%eth0 2001:db8::ff 1 443\r\n", "hex digits")]
    [InlineData("PROXY TCP4  192.168.0.1 192.168.0.11 1 443\r\n", "exactly one space")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 1 443 \r\n", "exactly one space")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 1\r\n", "missing")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 1 2 3\r\n", "after the destination port")]
    [InlineData("PROXY UDP4 192.168.0.1 192.168.0.11 1 443\r\n", "TCP4, TCP6 or UNKNOWN")]
    [InlineData("PROXY UNKNOWNISH\r\n", "TCP4, TCP6 or UNKNOWN")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 1 443\n", "CRLF")]
    [InlineData("PROXY TCP4 192.168.0.1\r192.168.0.11 1 443\r\n", "no other CR")]
    [InlineData("proxy TCP4 192.168.0.1 192.168.0.11 1 443\r\n", "not a PROXY protocol header")]
    [InlineData("PROXYTCP4 192.168.0.1 192.168.0.11 1 443\r\n", "not a PROXY protocol header")]
    [InlineData("hello world\n", "not a PROXY protocol header")]
    public void Malformed_v1_lines_are_rejected_with_the_reason(string line, string reason)
    {
        var result = ProxyHarness.Run(Ascii(line));

        Assert.Null(result.Header);
        Assert.NotNull(result.Error);
        Assert.Contains(reason, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v1_line_without_crlf_is_rejected_at_107_bytes_not_buffered_further()
    {
        var line = Ascii("PROXY UNKNOWN " + new string('x', 200));

        Assert.Equal(-1, ProxyHarness.Run(line[..106]).Reads);
        var result = ProxyHarness.Run(line, 50, 106, 107, 150);

        Assert.Contains("no CRLF within 107 bytes", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(3, result.Reads);
    }

    [Fact]
    public void Garbage_is_rejected_at_its_first_byte_without_waiting_for_more()
    {
        Assert.Equal(1, ProxyHarness.Run(Ascii("GET / HTTP/1.1\r\n"), 1).Reads);
        Assert.Equal(1, ProxyHarness.Run(Ascii("PROXI"), 5).Reads);
        Assert.Equal(1, ProxyHarness.Run([0x0D, 0x0A, 0x0D, 0x0A, 0x01], 5).Reads);
        Assert.Equal(-1, ProxyHarness.Run(Ascii("PROX")).Reads);
    }

    [Fact]
    public void A_v2_proxy_header_for_ipv4_and_ipv6_gives_the_client()
    {
        var v4 = ProxyHeaderWriter.V2(s_client4, s_server4);
        var v6 = ProxyHeaderWriter.V2(s_client6, s_server6);

        Assert.Equal(new ProxyHeader(2, ProxyCommand.Proxy, s_client4, s_server4, 28), ProxyHarness.Run([.. v4, .. "rest"u8]).Header);
        Assert.Equal(new ProxyHeader(2, ProxyCommand.Proxy, s_client6, s_server6, 52), ProxyHarness.Run(v6).Header);
    }

    [Fact]
    public void A_v2_header_matches_the_specifications_byte_layout()
    {
        // TCP over IPv4, 127.0.0.1:1234 -> 127.0.0.2:2023, laid out by hand from section 2.2.
        byte[] bytes =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            0x21, 0x11, 0x00, 0x0C,
            127, 0, 0, 1, 127, 0, 0, 2, 0x04, 0xD2, 0x07, 0xE7,
        ];

        var header = ProxyHarness.Run(bytes).Header!;

        Assert.Equal(IPEndPoint.Parse("127.0.0.1:1234"), header.Source);
        Assert.Equal(IPEndPoint.Parse("127.0.0.2:2023"), header.Destination);
        Assert.Equal(bytes, ProxyHeaderWriter.V2(header.Source, header.Destination));
    }

    [Fact]
    public void A_v2_local_command_means_the_connections_own_endpoints_whatever_its_block_holds()
    {
        var local = ProxyHeaderWriter.V2(null, null, [(0x04, new byte[40])]);

        var header = ProxyHarness.Run(local).Header!;

        Assert.Equal(ProxyCommand.Local, header.Command);
        Assert.Null(header.Source);
        Assert.Equal(local.Length, header.Length);
    }

    [Theory]
    [InlineData(0x12)]
    [InlineData(0x22)]
    [InlineData(0x31)]
    [InlineData(0x32)]
    public void V2_families_tcpmsg_does_not_map_fall_back_to_the_real_endpoints(byte family)
    {
        var length = family >> 4 == 3 ? 216 : family >> 4 == 2 ? 36 : 12;
        byte[] bytes = [.. Signature, 0x21, family, 0, (byte)length, .. new byte[length]];

        var header = ProxyHarness.Run(bytes).Header!;

        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Null(header.Source);
    }

    [Fact]
    public void Tlvs_are_skipped_and_a_crc32c_is_verified()
    {
        var good = ProxyHeaderWriter.V2(s_client4, s_server4, [(0x01, "h2"u8.ToArray()), (0xE0, [])], crc: true);
        var bad = good.ToArray();
        bad[20] ^= 1;

        Assert.Equal(s_client4, ProxyHarness.Run(good).Header!.Source);
        Assert.Contains("CRC32c", ProxyHarness.Run(bad).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crc32c_is_the_castagnoli_checksum_of_rfc_4960()
    {
        // The standard check value for CRC-32C.
        Assert.Equal(0xE3069283u, ProxyProtocolReader.Crc32C("123456789"u8));
    }

    [Theory]
    [InlineData(0x31, 0x11, "version/command")]
    [InlineData(0x22, 0x11, "version/command")]
    [InlineData(0x21, 0x41, "family/transport")]
    [InlineData(0x21, 0x13, "family/transport")]
    [InlineData(0x21, 0x10, "not a valid combination")]
    [InlineData(0x21, 0x01, "not a valid combination")]
    public void Bad_v2_version_command_or_family_bytes_are_rejected(byte versionCommand, byte family, string reason)
    {
        byte[] bytes = [.. Signature, versionCommand, family, 0, 12, .. new byte[12]];

        Assert.Contains(reason, ProxyHarness.Run(bytes).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v2_address_block_shorter_than_its_family_needs_is_rejected()
    {
        byte[] bytes = [.. Signature, 0x21, 0x21, 0, 12, .. new byte[12]];

        Assert.Contains("cannot hold", ProxyHarness.Run(bytes).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v2_tlv_running_past_the_header_is_rejected()
    {
        byte[] bytes = [.. Signature, 0x21, 0x11, 0, 17, .. new byte[12], 0x20, 0x00, 0x09, 1, 2];

        Assert.Contains("more than the header holds", ProxyHarness.Run(bytes).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v2_header_declaring_more_than_the_limit_is_rejected_before_the_rest_arrives()
    {
        byte[] bytes = [.. Signature, 0x21, 0x11, 0xFF, 0xFF];

        var result = ProxyHarness.Run(bytes);

        Assert.Contains("longer than the 4096 accepted", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Reads);
    }

    [Fact]
    public void Every_split_of_a_header_and_payload_gives_the_same_header_once_complete()
    {
        byte[][] headers =
        [
            ProxyHeaderWriter.V1(s_client6, s_server6),
            ProxyHeaderWriter.V2(s_client4, s_server4, [(0x05, new byte[20])], crc: true),
        ];
        foreach (var header in headers)
        {
            byte[] bytes = [.. header, .. "hello\n"u8];
            for (var cut = 1; cut < bytes.Length; cut++)
            {
                var result = ProxyHarness.Run(bytes, cut);

                Assert.Equal(header.Length, result.Consumed);
                Assert.Equal(cut >= header.Length ? 1 : 2, result.Reads);
            }
        }
    }

    private static byte[] Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
}
