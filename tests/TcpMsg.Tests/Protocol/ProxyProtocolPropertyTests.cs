using System.Net;
using CsCheck;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol;

/// <summary>Property tests: valid headers decode to what was encoded however they are cut; anything else is a clean rejection.</summary>
public sealed class ProxyProtocolPropertyTests
{
    private static readonly Gen<IPAddress> s_ipv4 = Gen.Byte.Array[4].Select(b => new IPAddress(b));
    private static readonly Gen<IPAddress> s_ipv6 = Gen.Byte.Array[16].Select(b => new IPAddress(b));
    private static readonly Gen<int> s_port = Gen.Frequency((1, Gen.OneOf(Gen.Const(0), Gen.Const(65535))), (5, Gen.Int[0, 65535]));

    private static readonly Gen<(IPEndPoint Source, IPEndPoint Destination)> s_endpoints =
        Gen.Bool.SelectMany(v6 =>
        {
            var address = v6 ? s_ipv6 : s_ipv4;
            return Gen.Select(address, s_port, address, s_port, (a, p, b, q) => (new IPEndPoint(a, p), new IPEndPoint(b, q)));
        });

    private static readonly Gen<(byte Type, byte[] Value)[]> s_tlvs =
        Gen.Select(Gen.Byte.Where(t => t != 0x03), Gen.Byte.Array[0, 40]).Array[0, 4];

    /// <summary>A valid header, its expected decoding, and a payload after it.</summary>
    private static readonly Gen<(byte[] Bytes, ProxyHeader Expected)> s_valid =
        Gen.Select(Gen.Int[0, 3], s_endpoints, s_tlvs, Gen.Bool).Select(t =>
        {
            var (kind, (source, destination), tlvs, crc) = t;
            var bytes = kind switch
            {
                0 => ProxyHeaderWriter.V1(source, destination),
                1 => ProxyHeaderWriter.V1Unknown(),
                2 => ProxyHeaderWriter.V2(source, destination, tlvs, crc),
                _ => ProxyHeaderWriter.V2(null, null, tlvs, crc),
            };
            var relayed = kind is 0 or 2;
            var expected = new ProxyHeader(
                kind < 2 ? 1 : 2,
                relayed ? ProxyCommand.Proxy : ProxyCommand.Local,
                relayed ? source : null,
                relayed ? destination : null,
                bytes.Length);
            return (bytes, expected);
        });

    private static readonly Gen<int[]> s_cuts = Gen.Int[0, 200].Array[0, 6];

    [Fact]
    public void Valid_headers_decode_to_what_was_encoded_under_any_split()
    {
        Gen.Select(s_valid, Gen.Byte.Array[0, 20], s_cuts).Sample(t =>
        {
            var ((bytes, expected), payload, cuts) = t;
            var result = ProxyHarness.Run([.. bytes, .. payload], cuts);

            Assert.Null(result.Error);
            Assert.Equal(expected, result.Header);
            Assert.Equal(bytes.Length, result.Consumed);
        }, iter: 5000);
    }

    [Fact]
    public void Every_strict_prefix_of_a_valid_header_asks_for_more()
    {
        Gen.Select(s_valid, Gen.Double[0, 1]).Sample(t =>
        {
            var ((bytes, _), fraction) = t;
            var length = (int)(fraction * (bytes.Length - 1));

            var result = ProxyHarness.Run(bytes[..length]);

            Assert.Equal(-1, result.Reads);
        }, iter: 5000);
    }

    [Fact]
    public void Mutated_headers_decode_or_are_rejected_cleanly_and_the_same_however_they_are_cut()
    {
        var mutated = Gen.Select(s_valid, Gen.Int[0, 400].Array[1, 4], Gen.Byte.Array[1, 4], Gen.Int[0, 3]).Select(t =>
        {
            var ((bytes, _), positions, values, operation) = t;
            var list = bytes.ToList();
            for (var i = 0; i < positions.Length && list.Count > 0; i++)
            {
                var at = positions[i] % list.Count;
                var value = values[i % values.Length];
                switch (operation)
                {
                    case 0: list[at] = value; break;
                    case 1: list.Insert(at, value); break;
                    case 2: list.RemoveAt(at); break;
                    default: list[at] ^= (byte)(1 << (value & 7)); break;
                }
            }

            return list.ToArray();
        });

        Gen.Select(Gen.Frequency((3, mutated), (1, Gen.Byte.Array[0, 200])), s_cuts).Sample(t =>
        {
            var (bytes, cuts) = t;

            // Anything but ProxyProtocolException escaping fails the property.
            var once = ProxyHarness.Run([bytes]);
            var split = ProxyHarness.Run(bytes, cuts);

            Assert.Equal(once.Header, split.Header);
            Assert.Equal(once.Error is null, split.Error is null);
            Assert.Equal(once.Consumed, split.Consumed);
            Assert.InRange(once.Consumed, 0, Math.Min(bytes.Length, ProxyProtocolReader.MaxV2Length));
            if (once.Header is { Version: 1 })
            {
                Assert.InRange(once.Consumed, 15, ProxyProtocolReader.MaxV1Length);
            }
        }, iter: 20_000);
    }
}
