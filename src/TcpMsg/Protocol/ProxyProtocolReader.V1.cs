using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Protocol;

internal static partial class ProxyProtocolReader
{
    // The longest IPv6 text, an embedded IPv4 address included (::ffff:255.255.255.255 and longer forms).
    private const int MaxIPv6TextLength = 45;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /*
     * Version 1, section 2.1 (ABNF, RFC 5234):
     *   v1        = "PROXY" SP ( tcp4 / tcp6 / unknown ) CRLF     ; 107 bytes at most
     *   tcp4      = "TCP4" SP ipv4 SP ipv4 SP port SP port
     *   tcp6      = "TCP6" SP ipv6 SP ipv6 SP port SP port
     *   unknown   = "UNKNOWN" [SP *NOTCRLF]                          ; the rest is ignored
     *   ipv4      = dec-octet 3( "." dec-octet )                     ; no leading zeroes
     *   dec-octet = "0" / %x31-39 0*2DIGIT                           ; 0-255
     *   ipv6      = <RFC 4291 text form, no zone>
     *   port      = "0" / %x31-39 0*4DIGIT                           ; 0-65535, no leading zeroes
     * "The receiver must not tolerate a single CR or LF character to end the line."
     */
    private static int TryReadV1(in ReadOnlySequence<byte> input, out ProxyHeader? header)
    {
        header = null;
        Span<byte> buffer = stackalloc byte[MaxV1Length];
        var available = (int)Math.Min(input.Length, MaxV1Length);
        input.Slice(0, available).CopyTo(buffer);
        var line = buffer[..available];
        if (!MatchesPrefix(line, V1Prefix))
        {
            throw NotAHeader(input);
        }

        var lf = line.IndexOf((byte)'\n');
        var cr = line.IndexOf((byte)'\r');
        if (lf < 0)
        {
            if (cr >= 0 && cr < available - 1)
            {
                throw new ProxyProtocolException("PROXY v1: a CR not followed by LF");
            }

            return available < MaxV1Length
                ? 0
                : throw new ProxyProtocolException($"PROXY v1: no CRLF within {MaxV1Length} bytes");
        }

        if (cr != lf - 1)
        {
            throw new ProxyProtocolException("PROXY v1: the line must end with CRLF, and contain no other CR or LF");
        }

        header = ParseV1(line[V1Prefix.Length..cr], lf + 1);
        return lf + 1;
    }

    private static ProxyHeader ParseV1(ReadOnlySpan<byte> fields, int length)
    {
        // "UNKNOWN", then anything (even nothing after a space) up to the CRLF.
        if (fields.StartsWith("UNKNOWN"u8) && (fields.Length == 7 || fields[7] == (byte)' '))
        {
            return new ProxyHeader(1, ProxyCommand.Local, null, null, length);
        }

        var protocol = NextField(ref fields, "protocol");

        var family = protocol.SequenceEqual("TCP4"u8) ? AddressFamily.InterNetwork
            : protocol.SequenceEqual("TCP6"u8) ? AddressFamily.InterNetworkV6
            : throw new ProxyProtocolException("PROXY v1: the protocol must be TCP4, TCP6 or UNKNOWN");
        var source = ParseAddress(NextField(ref fields, "source address"), family);
        var destination = ParseAddress(NextField(ref fields, "destination address"), family);
        var sourcePort = ParsePort(NextField(ref fields, "source port"));
        var destinationPort = ParsePort(NextField(ref fields, "destination port"));
        if (!fields.IsEmpty)
        {
            throw new ProxyProtocolException("PROXY v1: unexpected text after the destination port");
        }

        return new ProxyHeader(1, ProxyCommand.Proxy, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort), length);
    }

    /// <summary>Takes the next field; fields are separated by exactly one space.</summary>
    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest, string name)
    {
        if (rest.IsEmpty)
        {
            throw new ProxyProtocolException($"PROXY v1: the {name} is missing");
        }

        var space = rest.IndexOf((byte)' ');
        var field = space < 0 ? rest : rest[..space];
        rest = space < 0 ? default : rest[(space + 1)..];
        if (field.IsEmpty || (space >= 0 && rest.IsEmpty))
        {
            throw new ProxyProtocolException("PROXY v1: fields must be separated by exactly one space");
        }

        return field;
    }

    private static IPAddress ParseAddress(ReadOnlySpan<byte> text, AddressFamily family) =>
        family == AddressFamily.InterNetwork ? ParseIPv4(text) : ParseIPv6(text);

    private static IPAddress ParseIPv4(ReadOnlySpan<byte> text)
    {
        Span<byte> octets = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var dot = text.IndexOf((byte)'.');
            var part = i < 3 ? (dot < 0 ? default : text[..dot]) : text;
            if (!TryParseDecimal(part, 255, out var value))
            {
                throw new ProxyProtocolException("PROXY v1: an IPv4 address must be four numbers 0-255 without leading zeroes");
            }

            octets[i] = (byte)value;
            text = i < 3 ? text[(dot + 1)..] : default;
        }

        return new IPAddress(octets);
    }

    private static IPAddress ParseIPv6(ReadOnlySpan<byte> text)
    {
        Span<char> chars = stackalloc char[MaxIPv6TextLength];
        if (text.Length is < 2 or > MaxIPv6TextLength || text.IndexOf((byte)':') < 0)
        {
            throw new ProxyProtocolException("PROXY v1: not an IPv6 address");
        }

        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            if (!(char.IsAsciiHexDigit((char)b) || b is (byte)':' or (byte)'.'))
            {
                throw new ProxyProtocolException("PROXY v1: an IPv6 address may hold only hex digits, ':' and '.'");
            }

            chars[i] = (char)b;
        }

        return IPAddress.TryParse(chars[..text.Length], out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? address
            : throw new ProxyProtocolException("PROXY v1: not an IPv6 address");
    }

    private static int ParsePort(ReadOnlySpan<byte> text) =>
        TryParseDecimal(text, IPEndPoint.MaxPort, out var port)
            ? port
            : throw new ProxyProtocolException("PROXY v1: a port must be a number 0-65535 without leading zeroes");

    /// <summary>Parses 1-5 decimal digits without a leading zero (except "0" itself), up to <paramref name="max"/>.</summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> text, int max, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 5 || (text[0] == (byte)'0' && text.Length > 1))
        {
            return false;
        }

        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return value <= max;
    }
}
