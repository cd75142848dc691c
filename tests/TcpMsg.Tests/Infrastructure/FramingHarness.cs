using TcpMsg.Protocol;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// Feeds chunks to a <see cref="PlainMessageReader"/> the way the connection handler does: unconsumed
/// bytes stay, each new read appends a segment, the reader is called until it wants more.
/// </summary>
internal static class FramingHarness
{
    public sealed record Result(List<string> Messages, List<bool> Valid, MessageTooLargeException? TooLarge, int ReadsWhenRejected);

    public static Result Run(IEnumerable<byte[]> chunks, PlainFraming framing = PlainFraming.Lines, long maxMessageSize = 1024 * 1024)
    {
        var reader = new PlainMessageReader(framing, maxMessageSize);
        var pending = new List<ReadOnlyMemory<byte>>();
        var messages = new List<string>();
        var valid = new List<bool>();
        var list = chunks.ToList();
        for (var read = 0; read <= list.Count; read++)
        {
            var isFinal = read == list.Count;
            if (!isFinal)
            {
                pending.Add(list[read]);
            }

            var buffer = SegmentedSequence.Create(pending);
            var consumed = buffer.Start;
            try
            {
                while (reader.TryReadMessage(buffer.Slice(consumed), isFinal, out var message, out consumed, out _))
                {
                    messages.Add(Utf8MessageDecoder.Decode(message, out var ok));
                    valid.Add(ok);
                }
            }
            catch (MessageTooLargeException ex)
            {
                return new Result(messages, valid, ex, read);
            }

            pending = SegmentedSequence.Chunks(buffer.Slice(consumed));
        }

        if (pending.Count > 0)
        {
            throw new InvalidOperationException($"{pending.Sum(p => p.Length)} bytes left unconsumed after the final read");
        }

        return new Result(messages, valid, null, -1);
    }

    /// <summary>Cuts <paramref name="bytes"/> at the given offsets.</summary>
    public static List<byte[]> Split(byte[] bytes, params int[] cuts)
    {
        var chunks = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order())
        {
            chunks.Add(bytes[start..cut]);
            start = cut;
        }

        chunks.Add(bytes[start..]);
        return chunks;
    }
}
