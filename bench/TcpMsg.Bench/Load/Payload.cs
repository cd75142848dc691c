using System.Text;

namespace TcpMsg.Bench.Load;

/// <summary>
/// The messages every scenario sends: fixed-size UTF-8 text with Chinese characters and an 8-digit
/// message id, so that the receiver's output can be checked message by message. A message is its
/// template with the id written in; encoding one costs eight byte stores, no allocation.
/// </summary>
/// <remarks>
/// Layout: <c>你好,世界!!! #</c> (18 bytes), the id as 8 decimal digits, then filler of ASCII and
/// Chinese cut at a character boundary to the exact size. It starts with a non-digit (rsyslog takes
/// a leading digit for an octet count) and contains no line end.
/// </remarks>
internal sealed class Payload
{
    public const int IdDigits = 8;
    public const long MaxId = 99_999_999;

    private static readonly byte[] s_head = Encoding.UTF8.GetBytes("你好,世界!!! #");
    private const string FillerPattern = " 消息 message 数据 data 中文 text";

    private readonly byte[] _template;

    public Payload(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        Size = size;
        _template = new byte[size];
        s_head.CopyTo(_template, 0);
        FillDigits(_template.AsSpan(s_head.Length, IdDigits), 0);
        WriteFiller(_template.AsSpan(s_head.Length + IdDigits));
    }

    public static int MinSize => s_head.Length + IdDigits;

    /// <summary>The message's size in bytes, without its line end.</summary>
    public int Size { get; }

    /// <summary>The size on the wire: the message and its LF.</summary>
    public int LineSize => Size + 1;

    public static int IdOffset => s_head.Length;

    /// <summary>Writes message <paramref name="id"/> and its LF into <paramref name="destination"/>.</summary>
    public void WriteLine(Span<byte> destination, long id)
    {
        _template.CopyTo(destination);
        FillDigits(destination.Slice(IdOffset, IdDigits), id);
        destination[Size] = (byte)'\n';
    }

    /// <summary>Patches only the id of a line already written with <see cref="WriteLine"/>.</summary>
    public static void PatchId(Span<byte> line, long id) => FillDigits(line.Slice(IdOffset, IdDigits), id);

    /// <summary>Reads the id of <paramref name="message"/> if it is exactly this payload with some id.</summary>
    public bool TryMatch(ReadOnlySpan<byte> message, out long id)
    {
        id = -1;
        if (message.Length != Size || !TryParseId(message, out id))
        {
            return false;
        }

        var digitsEnd = IdOffset + IdDigits;
        return message[..IdOffset].SequenceEqual(_template.AsSpan(0, IdOffset)) &&
               message[digitsEnd..].SequenceEqual(_template.AsSpan(digitsEnd));
    }

    /// <summary>The sum of all bytes of lines 0..count-1, LFs included (what the bare receiver sums).</summary>
    public ulong ByteSum(long count)
    {
        ulong fixedPart = 0;
        foreach (var b in _template)
        {
            fixedPart += b;
        }

        fixedPart -= (ulong)('0' * IdDigits); // the template's digits are all '0'
        ulong digits = 0;
        Span<byte> scratch = stackalloc byte[IdDigits];
        for (long id = 0; id < count; id++)
        {
            FillDigits(scratch, id);
            foreach (var b in scratch)
            {
                digits += b;
            }
        }

        return ((fixedPart + '\n') * (ulong)count) + digits;
    }

    /// <summary>Reads the id from any text that has the payload's head; false when it does not.</summary>
    public static bool TryParseId(ReadOnlySpan<byte> message, out long id)
    {
        id = 0;
        if (message.Length < IdOffset + IdDigits)
        {
            return false;
        }

        foreach (var b in message.Slice(IdOffset, IdDigits))
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                id = -1;
                return false;
            }

            id = (id * 10) + (b - '0');
        }

        return true;
    }

    private static void FillDigits(Span<byte> digits, long id)
    {
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = (byte)('0' + (id % 10));
            id /= 10;
        }
    }

    private static void WriteFiller(Span<byte> filler)
    {
        var pattern = Encoding.UTF8.GetBytes(FillerPattern);
        var written = 0;
        while (written < filler.Length)
        {
            // Copy whole characters only: stop before a character that would not fit.
            var take = Math.Min(pattern.Length, filler.Length - written);
            while (take > 0 && take < pattern.Length && (pattern[take] & 0xC0) == 0x80)
            {
                take--;
            }

            pattern.AsSpan(0, take).CopyTo(filler[written..]);
            written += take;
            if (take < pattern.Length)
            {
                filler[written..].Fill((byte)'.');
                break;
            }
        }

        // rsyslog and some terminals trim trailing blanks; end on a visible character.
        if (!filler.IsEmpty && filler[^1] == (byte)' ')
        {
            filler[^1] = (byte)'.';
        }
    }
}
