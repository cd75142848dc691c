using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Turns addresses into the units that limits count: an IPv4 address, or an IPv6 network of the
/// configured prefix (a host usually owns a whole /64, so single IPv6 addresses are too cheap to vary).
/// </summary>
internal static class AddressGrouping
{
    /// <summary>The address as the server reports and matches it: IPv4-mapped IPv6 addresses become IPv4.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The key that per-address limits count under.</summary>
    public static IPAddress KeyOf(IPAddress address, int ipv6PrefixLength)
    {
        address = Normalize(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || ipv6PrefixLength >= 128)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var masked = BinaryPrimitives.ReadUInt128BigEndian(bytes) & Mask128(ipv6PrefixLength);
        BinaryPrimitives.WriteUInt128BigEndian(bytes, masked);
        return new IPAddress(bytes);
    }

    /// <summary>The key as people read it: <c>192.0.2.7</c>, or <c>2001:db8:1:2::/64</c>.</summary>
    public static string Describe(IPAddress key, int ipv6PrefixLength) =>
        key.AddressFamily == AddressFamily.InterNetworkV6 && ipv6PrefixLength < 128 ? $"{key}/{ipv6PrefixLength}" : key.ToString();

    /// <summary>The address as a number: IPv4 in the low 32 bits, IPv6 in all 128.</summary>
    public static UInt128 Bits(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>A mask of the top <paramref name="prefixLength"/> bits of a <paramref name="width"/>-bit address.</summary>
    public static UInt128 Mask(int prefixLength, int width) =>
        width == 32 ? (prefixLength == 0 ? 0 : (UInt128)(uint.MaxValue << (32 - prefixLength))) : Mask128(prefixLength);

    private static UInt128 Mask128(int prefixLength) => prefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefixLength);
}
