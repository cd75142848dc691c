using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace TcpMsg.Protocol;

/// <summary>
/// Turns one complete message's bytes into text. Called once per message, never per read or segment,
/// so a character split across reads is decoded whole.
/// </summary>
internal static class Utf8MessageDecoder
{
    // Messages up to this size are copied to the stack when they span several segments.
    private const int StackCopyLimit = 512;

    // Messages up to this many bytes are transcoded into a buffer on the stack (2 KiB), larger ones
    // into a pooled one: UTF-16 never needs more units than the UTF-8 had bytes.
    private const int StackCharLimit = 1024;

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
    /// <remarks>
    /// One transcoding pass that also validates, then a copy into the string; rather than a
    /// validation pass, a counting pass and a transcoding pass (IsValid, then GetString).
    /// </remarks>
    public static string Decode(ReadOnlySpan<byte> message, out bool isValid)
    {
        if (message.IsEmpty)
        {
            isValid = true;
            return string.Empty;
        }

        if (message.Length <= StackCharLimit)
        {
            Span<char> chars = stackalloc char[StackCharLimit];
            return Transcode(message, chars, out isValid);
        }

        var rented = ArrayPool<char>.Shared.Rent(message.Length);
        try
        {
            return Transcode(message, rented, out isValid);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static string Transcode(ReadOnlySpan<byte> message, Span<char> chars, out bool isValid)
    {
        isValid = Utf8.ToUtf16(message, chars, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done;

        // Invalid input is rare: let the encoder put U+FFFD where the bad bytes were.
        return isValid ? new string(chars[..written]) : Encoding.UTF8.GetString(message);
    }
}
