using TcpMsg.Protocol;
using System.Buffers;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// Feeds chunks to a <see cref="DetectingMessageReader"/> the way a plain session does: unconsumed bytes
/// stay, each read appends a segment, the reader is called until it wants more, the last call is final.
/// </summary>
internal static class DetectingFramingHarness
{
    public sealed record Result(List<byte[]> Messages, TcpMsgException? Error, FramingDetection Detected)
    {
        public List<string> Texts => [.. Messages.Select(m => System.Text.Encoding.UTF8.GetString(m))];
    }

    public static Result Run(IEnumerable<byte[]> chunks, long maxMessageSize = 1024 * 1024, PlainFraming framing = PlainFraming.Lines)
    {
        var reader = new DetectingMessageReader(framing, maxMessageSize);
        var pending = new List<ReadOnlyMemory<byte>>();
        var messages = new List<byte[]>();
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
                    messages.Add(message.ToArray());
                }
            }
            catch (Exception ex) when (ex is MessageTooLargeException or ProtocolException)
            {
                return new Result(messages, (TcpMsgException)ex, reader.Detected);
            }

            pending = SegmentedSequence.Chunks(buffer.Slice(consumed));
        }

        return pending.Count > 0
            ? throw new InvalidOperationException($"{pending.Sum(p => p.Length)} bytes left unconsumed after the final read")
            : new Result(messages, null, reader.Detected);
    }

    /// <summary>Every way of cutting <paramref name="bytes"/> into two reads, plus one read per byte.</summary>
    public static IEnumerable<List<byte[]>> EverySplit(byte[] bytes)
    {
        yield return [bytes];
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            yield return FramingHarness.Split(bytes, cut);
        }

        yield return [.. bytes.Select(b => new[] { b })];
    }
}
