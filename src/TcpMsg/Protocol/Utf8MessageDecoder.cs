using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace TcpMsg.Protocol;

/// <summary>
/// Turns one complete message's bytes into text. Called once per message, never per read or segment,
/// so a character split across reads is decoded whole.
/// </summary>
public static class Utf8MessageDecoder
{
    // Messages up to this size are copied to the stack when they span several segments.
    private const int StackCopyLimit = 512;

    /// <summary>
    /// Decodes <paramref name="message"/> as UTF-8. Invalid sequences become U+FFFD and
    /// <paramref name="isValid"/> is false; the caller decides whether to keep the raw bytes.
    /// </summary>
    public static string Decode(in ReadOnlySequence<byte> message, out bool isValid)
    {
        if (message.IsSingleSegment)
        {
            return Decode(message.FirstSpan, out isValid);
        }

        var length = checked((int)message.Length);
        if (length <= StackCopyLimit)
        {
            Span<byte> copy = stackalloc byte[StackCopyLimit];
            message.CopyTo(copy);
            return Decode(copy[..length], out isValid);
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            message.CopyTo(rented);
            return Decode(rented.AsSpan(0, length), out isValid);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes a contiguous message; see <see cref="Decode(in ReadOnlySequence{byte}, out bool)"/>.</summary>
    public static string Decode(ReadOnlySpan<byte> message, out bool isValid)
    {
        isValid = Utf8.IsValid(message);
        return message.IsEmpty ? string.Empty : Encoding.UTF8.GetString(message);
    }
}
