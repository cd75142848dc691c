using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;

namespace TcpMsg.Bench.Chat;

/// <summary>
/// A message that carries when it was sent: <c>TTTTTTTTTTTTTTTTTTT NNNNNNNN ....</c> (a
/// <see cref="Stopwatch"/> timestamp of this process, a number, padding to the size), so every
/// member can tell its delivery latency from the text alone.
/// </summary>
internal static class Payload
{
    private const int StampDigits = 19;

    public static string Create(long number, int size)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetTimestamp():D19} {number:D8} ");
        return size > head.Length ? head + new string('.', size - head.Length) : head;
    }

    /// <summary>The latency in Stopwatch ticks of a message received now; -1 when the text is not a payload.</summary>
    public static long Latency(ReadOnlySpan<char> text, long now) =>
        text.Length >= StampDigits && long.TryParse(text[..StampDigits], NumberStyles.None, CultureInfo.InvariantCulture, out var sent)
            ? now - sent
            : -1;

    /// <summary>The same, from the UTF-8 bytes of a line.</summary>
    public static long Latency(ReadOnlySpan<byte> text, long now) =>
        text.Length >= StampDigits && Utf8Parser.TryParse(text[..StampDigits], out long sent, out var used) && used == StampDigits
            ? now - sent
            : -1;
}
