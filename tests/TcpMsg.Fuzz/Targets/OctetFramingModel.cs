namespace TcpMsg.Fuzz.Targets;

/// <summary>
/// An independent model of plain-connection framing with octet-counting detection, written from the
/// grammar (RFC 6587 3.4.1 and docs/syslog.md) over the whole input at once.
/// </summary>
public static class OctetFramingModel
{
    public enum Outcome { Ok, TooLarge, Protocol }

    public static (List<byte[]> Messages, Outcome Outcome, bool OctetCounted) Frame(byte[] bytes, int max)
    {
        var octetCounted = StartsLikeAFrame(bytes);
        return octetCounted ? Octets(bytes, max, true) : Lines(bytes, max);
    }

    // 1*20DIGIT SP "<" 1*3DIGIT ">"
    private static bool StartsLikeAFrame(byte[] b)
    {
        var i = 0;
        while (i < b.Length && i < 20 && char.IsAsciiDigit((char)b[i]))
        {
            i++;
        }

        if (i == 0 || i >= b.Length || b[i] != ' ' || i + 1 >= b.Length || b[i + 1] != '<')
        {
            return false;
        }

        var pri = i + 2;
        var j = pri;
        while (j < b.Length && j - pri < 3 && char.IsAsciiDigit((char)b[j]))
        {
            j++;
        }

        return j > pri && j < b.Length && b[j] == '>';
    }

    private static (List<byte[]>, Outcome, bool) Octets(byte[] b, int max, bool octetCounted)
    {
        var messages = new List<byte[]>();
        var i = 0;
        while (true)
        {
            while (i < b.Length && b[i] is (byte)'\n' or (byte)'\r')
            {
                i++;
            }

            if (i == b.Length)
            {
                return (messages, Outcome.Ok, octetCounted);
            }

            if (b[i] is < (byte)'1' or > (byte)'9')
            {
                return (messages, Outcome.Protocol, octetCounted);
            }

            var length = 0L;
            while (i < b.Length && char.IsAsciiDigit((char)b[i]))
            {
                length = (length * 10) + (b[i] - '0');
                i++;
                if (length > max)
                {
                    return (messages, Outcome.TooLarge, octetCounted);
                }
            }

            if (i >= b.Length || b[i] != ' ' || b.Length - (i + 1) < length)
            {
                return (messages, Outcome.Protocol, octetCounted);
            }

            var frame = b[(i + 1)..(i + 1 + (int)length)];
            i += 1 + (int)length;
            var end = frame.Length;
            if (end > 0 && frame[end - 1] == '\n')
            {
                end--;
                if (end > 0 && frame[end - 1] == '\r')
                {
                    end--;
                }
            }

            if (end > 0)
            {
                messages.Add(frame[..end]);
            }
        }
    }

    private static (List<byte[]>, Outcome, bool) Lines(byte[] bytes, int max)
    {
        var messages = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] != (byte)'\n')
            {
                continue;
            }

            var end = i > start && bytes[i - 1] == (byte)'\r' ? i - 1 : i;
            if (end - start > max)
            {
                return (messages, Outcome.TooLarge, false);
            }

            if (end > start)
            {
                messages.Add(bytes[start..end]);
            }

            start = i + 1;
        }

        return (messages, Outcome.Ok, false);
    }
}
