using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Numerics;

namespace TcpMsg.Protocol;

internal static partial class ProxyProtocolReader
{
    private const int V2FixedLength = 16;
    private const byte TlvCrc32C = 0x03;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /*
     * Version 2, section 2.2:
     *   v2        = signature ver-cmd fam len addresses *tlv   ; 16 + len bytes
     *   signature = %x0D.0A.0D.0A.00.0D.0A.51.55.49.54.0A
     *   ver-cmd   = %x20 / %x21                 ; version 2; command LOCAL or PROXY
     *   fam       = family-nibble transport-nibble
     *               ; %x00 UNSPEC, %x11 TCP4, %x12 UDP4, %x21 TCP6, %x22 UDP6, %x31 UNIX stream, %x32 UNIX dgram
     *   len       = 2OCTET                      ; big-endian: bytes of addresses and TLVs that follow
     *   addresses = 4OCTET 4OCTET 2OCTET 2OCTET         ; IPv4: source, destination, ports (12 bytes)
     *             / 16OCTET 16OCTET 2OCTET 2OCTET       ; IPv6 (36 bytes)
     *             / 108OCTET 108OCTET                   ; UNIX (216 bytes)
     *   tlv       = type 2OCTET(length) length*OCTET    ; PP2_TYPE_CRC32C (%x03) holds a CRC32c of the header
     * LOCAL: "the receiver must use the real connection endpoints and discard the protocol block".
     * A family the receiver does not implement falls back to UNSPEC: the real endpoints apply.
     */
    private static int TryReadV2(in ReadOnlySequence<byte> input, out ProxyHeader? header)
    {
        header = null;
        Span<byte> start = stackalloc byte[V2FixedLength];
        var available = (int)Math.Min(input.Length, V2FixedLength);
        input.Slice(0, available).CopyTo(start);
        var head = start[..available];
        if (!MatchesPrefix(head, V2Signature))
        {
            throw NotAHeader(input);
        }

        if (available > 12 && (head[12] >> 4 != 2 || (head[12] & 0x0F) > 1))
        {
            throw new ProxyProtocolException($"PROXY v2: bad version/command byte 0x{head[12]:X2} (expected 0x20 or 0x21)");
        }

        if (available > 13 && (head[13] >> 4 > 3 || (head[13] & 0x0F) > 2))
        {
            throw new ProxyProtocolException($"PROXY v2: bad family/transport byte 0x{head[13]:X2}");
        }

        if (available < V2FixedLength)
        {
            return 0;
        }

        var total = V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(head[14..]);
        if (total > MaxV2Length)
        {
            throw new ProxyProtocolException($"PROXY v2: a header of {total} bytes is longer than the {MaxV2Length} accepted");
        }

        if (input.Length < total)
        {
            return 0;
        }

        var rented = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var whole = rented.AsSpan(0, total);
            input.Slice(0, total).CopyTo(whole);
            header = ParseV2(whole);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ProxyHeader ParseV2(Span<byte> whole)
    {
        var local = (whole[12] & 0x0F) == 0;
        var family = whole[13];
        if (local)
        {
            return new ProxyHeader(2, ProxyCommand.Local, null, null, whole.Length);
        }

        var block = whole[V2FixedLength..];
        var addressLength = family switch
        {
            0x00 => block.Length, // UNSPEC: "the receiver should ignore address information"
            0x11 or 0x12 => 12,
            0x21 or 0x22 => 36,
            0x31 or 0x32 => 216,
            _ => throw new ProxyProtocolException($"PROXY v2: family/transport 0x{family:X2} is not a valid combination"),
        };
        if (block.Length < addressLength)
        {
            throw new ProxyProtocolException($"PROXY v2: {block.Length} bytes cannot hold the {addressLength}-byte address block of family 0x{family:X2}");
        }

        CheckTlvs(whole, V2FixedLength + addressLength);
        return family switch
        {
            0x11 => Relayed(new IPAddress(block[..4]), new IPAddress(block[4..8]), block[8..12], whole.Length),
            0x21 => Relayed(new IPAddress(block[..16]), new IPAddress(block[16..32]), block[32..36], whole.Length),
            _ => new ProxyHeader(2, ProxyCommand.Proxy, null, null, whole.Length),
        };
    }

    private static ProxyHeader Relayed(IPAddress source, IPAddress destination, ReadOnlySpan<byte> ports, int length) =>
        new(
            2,
            ProxyCommand.Proxy,
            new IPEndPoint(source, BinaryPrimitives.ReadUInt16BigEndian(ports)),
            new IPEndPoint(destination, BinaryPrimitives.ReadUInt16BigEndian(ports[2..])),
            length);

    /// <summary>Walks the TLVs: each must fit exactly; a CRC32c TLV must match the header (section 2.2.3).</summary>
    private static void CheckTlvs(Span<byte> whole, int offset)
    {
        var crcAt = -1;
        while (offset < whole.Length)
        {
            if (whole.Length - offset < 3)
            {
                throw new ProxyProtocolException("PROXY v2: a TLV is cut short");
            }

            var type = whole[offset];
            var length = BinaryPrimitives.ReadUInt16BigEndian(whole[(offset + 1)..]);
            var value = offset + 3;
            if (length > whole.Length - value)
            {
                throw new ProxyProtocolException($"PROXY v2: TLV 0x{type:X2} declares {length} bytes, more than the header holds");
            }

            if (type == TlvCrc32C)
            {
                if (length != 4 || crcAt >= 0)
                {
                    throw new ProxyProtocolException("PROXY v2: a CRC32c TLV must be 4 bytes, and only one");
                }

                crcAt = value;
            }

            offset = value + length;
        }

        if (crcAt >= 0)
        {
            var expected = BinaryPrimitives.ReadUInt32BigEndian(whole[crcAt..]);
            whole.Slice(crcAt, 4).Clear();
            if (Crc32C(whole) != expected)
            {
                throw new ProxyProtocolException("PROXY v2: the CRC32c checksum does not match the header");
            }
        }
    }

    /// <summary>CRC32c (Castagnoli) as RFC 4960 appendix B defines it: initial value and final XOR all ones.</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        var crc = uint.MaxValue;
        foreach (var b in bytes)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
