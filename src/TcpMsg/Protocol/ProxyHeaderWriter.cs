using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpMsg.Protocol;

/// <summary>
/// Writes PROXY protocol headers, as a load balancer does. tcpmsg only reads them; this side exists for
/// the tests, the fuzzer and the benchmarks, which play the proxy.
/// </summary>
internal static class ProxyHeaderWriter
{
    /// <summary>A version 1 line: <c>PROXY TCP4 1.2.3.4 5.6.7.8 1234 2023\r\n</c>.</summary>
    public static byte[] V1(IPEndPoint source, IPEndPoint destination)
    {
        var protocol = source.AddressFamily == AddressFamily.InterNetworkV6 ? "TCP6" : "TCP4";
        return Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"PROXY {protocol} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n"));
    }

    /// <summary>A version 1 <c>UNKNOWN</c> line.</summary>
    public static byte[] V1Unknown() => "PROXY UNKNOWN\r\n"u8.ToArray();

    /// <summary>
    /// A version 2 header. Without <paramref name="source"/> it is a LOCAL command; <paramref name="tlvs"/>
    /// are appended as given; with <paramref name="crc"/>, a CRC32c TLV is added and filled in.
    /// </summary>
    public static byte[] V2(IPEndPoint? source, IPEndPoint? destination, IReadOnlyList<(byte Type, byte[] Value)>? tlvs = null, bool crc = false)
    {
        var header = new List<byte>
        {
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            (byte)(source is null ? 0x20 : 0x21),
        };
        if (source is null || destination is null)
        {
            header.Add(0x00);
        }
        else
        {
            header.Add(source.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)0x21 : (byte)0x11);
        }

        header.AddRange([0, 0]);
        if (source is not null && destination is not null)
        {
            header.AddRange(source.Address.GetAddressBytes());
            header.AddRange(destination.Address.GetAddressBytes());
            header.AddRange(BigEndian((ushort)source.Port));
            header.AddRange(BigEndian((ushort)destination.Port));
        }

        foreach (var (type, value) in tlvs ?? [])
        {
            header.Add(type);
            header.AddRange(BigEndian((ushort)value.Length));
            header.AddRange(value);
        }

        var crcAt = -1;
        if (crc)
        {
            header.AddRange([0x03, 0x00, 0x04]);
            crcAt = header.Count;
            header.AddRange([0, 0, 0, 0]);
        }

        var bytes = header.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(14), (ushort)(bytes.Length - 16));
        if (crcAt >= 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(crcAt), ProxyProtocolReader.Crc32C(bytes));
        }

        return bytes;
    }

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
