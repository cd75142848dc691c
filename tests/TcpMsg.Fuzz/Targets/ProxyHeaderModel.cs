using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using TcpMsg.Protocol;

namespace TcpMsg.Fuzz.Targets;

/// <summary>
/// A second, independent reading of the PROXY specification (a regular expression for v1, plain index
/// arithmetic for v2), written to disagree with the real decoder wherever either is wrong. It judges
/// a complete input: the header it holds (null: invalid) and whether the input is too short to tell.
/// </summary>
internal static partial class ProxyHeaderModel
{
    private static readonly byte[] s_signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public enum Verdict
    {
        Valid,
        Invalid,
        Incomplete,
    }

    public static (Verdict Verdict, ProxyHeader? Header) Judge(byte[] input)
    {
        if (input.Length == 0)
        {
            return (Verdict.Incomplete, null);
        }

        return input[0] == 0x0D ? JudgeV2(input) : input[0] == (byte)'P' ? JudgeV1(input) : (Verdict.Invalid, null);
    }

    private static (Verdict, ProxyHeader?) JudgeV1(byte[] input)
    {
        var window = Encoding.Latin1.GetString(input, 0, Math.Min(input.Length, ProxyProtocolReader.MaxV1Length));
        var lf = window.IndexOf('\n', StringComparison.Ordinal);
        if (lf < 0)
        {
            // Still undecided only if everything so far can begin a valid line.
            var prefixOk = "PROXY ".StartsWith(window[..Math.Min(window.Length, 6)], StringComparison.Ordinal) &&
                (window.IndexOf('\r', StringComparison.Ordinal) is var cr && (cr < 0 || cr == window.Length - 1));
            return (prefixOk && window.Length < ProxyProtocolReader.MaxV1Length ? Verdict.Incomplete : Verdict.Invalid, null);
        }

        var line = window[..(lf + 1)];
        if (V1Unknown().IsMatch(line))
        {
            return (Verdict.Valid, new ProxyHeader(1, ProxyCommand.Local, null, null, lf + 1));
        }

        var match = V1Tcp().Match(line);
        if (!match.Success)
        {
            return (Verdict.Invalid, null);
        }

        var v6 = match.Groups["proto"].Value == "TCP6";
        var source = Address(match.Groups["src"].Value, v6);
        var destination = Address(match.Groups["dst"].Value, v6);
        var sport = Port(match.Groups["sport"].Value);
        var dport = Port(match.Groups["dport"].Value);
        if (source is null || destination is null || sport is null || dport is null)
        {
            return (Verdict.Invalid, null);
        }

        return (Verdict.Valid, new ProxyHeader(1, ProxyCommand.Proxy, new IPEndPoint(source, sport.Value), new IPEndPoint(destination, dport.Value), lf + 1));
    }

    private static IPAddress? Address(string text, bool v6)
    {
        if (!v6)
        {
            var parts = text.Split('.');
            return parts.Length == 4 && parts.All(p => Port(p) is <= 255) ? new IPAddress([.. parts.Select(byte.Parse)]) : null;
        }

        return text.Length <= 45 && text.Contains(':', StringComparison.Ordinal) && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.') &&
            IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? address
            : null;
    }

    private static int? Port(string text) =>
        text.Length is >= 1 and <= 5 && text.All(char.IsAsciiDigit) && (text == "0" || text[0] != '0') &&
        int.Parse(text, CultureInfo.InvariantCulture) is var port && port <= 65535
            ? port
            : null;

    private static (Verdict, ProxyHeader?) JudgeV2(byte[] input)
    {
        var known = Math.Min(input.Length, 16);
        for (var i = 0; i < Math.Min(known, 12); i++)
        {
            if (input[i] != s_signature[i])
            {
                return (Verdict.Invalid, null);
            }
        }

        if ((known > 12 && input[12] is not (0x20 or 0x21)) || (known > 13 && (input[13] >> 4 > 3 || (input[13] & 15) > 2)))
        {
            return (Verdict.Invalid, null);
        }

        if (known < 16)
        {
            return (Verdict.Incomplete, null);
        }

        var length = 16 + ((input[14] << 8) | input[15]);
        if (length > ProxyProtocolReader.MaxV2Length)
        {
            return (Verdict.Invalid, null);
        }

        if (input.Length < length)
        {
            return (Verdict.Incomplete, null);
        }

        if (input[12] == 0x20)
        {
            return (Verdict.Valid, new ProxyHeader(2, ProxyCommand.Local, null, null, length));
        }

        int? addresses = input[13] switch { 0x00 => length - 16, 0x11 or 0x12 => 12, 0x21 or 0x22 => 36, 0x31 or 0x32 => 216, _ => null };
        if (addresses is null || 16 + addresses > length || !TlvsValid(input.AsSpan(0, length).ToArray(), 16 + addresses.Value))
        {
            return (Verdict.Invalid, null);
        }

        var at = 16;
        ProxyHeader header = input[13] switch
        {
            0x11 => new(2, ProxyCommand.Proxy, new IPEndPoint(new IPAddress(input.AsSpan(at, 4)), (input[at + 8] << 8) | input[at + 9]), new IPEndPoint(new IPAddress(input.AsSpan(at + 4, 4)), (input[at + 10] << 8) | input[at + 11]), length),
            0x21 => new(2, ProxyCommand.Proxy, new IPEndPoint(new IPAddress(input.AsSpan(at, 16)), (input[at + 32] << 8) | input[at + 33]), new IPEndPoint(new IPAddress(input.AsSpan(at + 16, 16)), (input[at + 34] << 8) | input[at + 35]), length),
            _ => new(2, ProxyCommand.Proxy, null, null, length),
        };
        return (Verdict.Valid, header);
    }

    private static bool TlvsValid(byte[] header, int offset)
    {
        var crcAt = new List<int>();
        while (offset < header.Length)
        {
            if (header.Length - offset < 3)
            {
                return false;
            }

            var length = (header[offset + 1] << 8) | header[offset + 2];
            if (offset + 3 + length > header.Length)
            {
                return false;
            }

            if (header[offset] == 0x03)
            {
                if (length != 4)
                {
                    return false;
                }

                crcAt.Add(offset + 3);
            }

            offset += 3 + length;
        }

        if (crcAt.Count > 1)
        {
            return false;
        }

        if (crcAt.Count == 1)
        {
            var expected = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(crcAt[0]));
            Array.Clear(header, crcAt[0], 4);
            return Crc32C(header) == expected;
        }

        return true;
    }

    // A bitwise CRC-32C (reflected polynomial 0x82F63B78), independent of the decoder's hardware-assisted one.
    private static uint Crc32C(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }

    [GeneratedRegex(@"\APROXY UNKNOWN( [^\r\n]*)?\r\n\z")]
    private static partial Regex V1Unknown();

    [GeneratedRegex(@"\APROXY (?<proto>TCP4|TCP6) (?<src>[^ \r\n]+) (?<dst>[^ \r\n]+) (?<sport>[^ \r\n]+) (?<dport>[^ \r\n]+)\r\n\z")]
    private static partial Regex V1Tcp();
}
