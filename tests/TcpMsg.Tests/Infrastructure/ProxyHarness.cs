using TcpMsg.Protocol;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// Feeds chunks to <see cref="ProxyProtocolReader"/> the way the PROXY middleware does: each read
/// appends a segment; the reader is asked again until it has a header or throws.
/// </summary>
internal static class ProxyHarness
{
    /// <param name="Header">The header, when one was read.</param>
    /// <param name="Consumed">How many bytes the header took.</param>
    /// <param name="Error">The rejection, when the input was not a header.</param>
    /// <param name="Reads">After how many chunks the reader decided (header or error); -1 when it still wants more.</param>
    public sealed record Result(ProxyHeader? Header, long Consumed, ProxyProtocolException? Error, int Reads);

    public static Result Run(IReadOnlyList<byte[]> chunks)
    {
        var pending = new List<ReadOnlyMemory<byte>>();
        for (var read = 0; read < chunks.Count; read++)
        {
            pending.Add(chunks[read]);
            var buffer = SegmentedSequence.Create(pending);
            try
            {
                if (ProxyProtocolReader.TryRead(buffer, out var header, out var consumed, out var examined))
                {
                    Assert.Equal(consumed, examined);
                    return new Result(header, buffer.Slice(0, consumed).Length, null, read + 1);
                }

                Assert.Equal(buffer.Start, consumed);
                Assert.Equal(buffer.End, examined);
            }
            catch (ProxyProtocolException ex)
            {
                return new Result(null, 0, ex, read + 1);
            }
        }

        return new Result(null, 0, null, -1);
    }

    public static Result Run(byte[] bytes, params int[] cuts) => Run(FramingHarness.Split(bytes, cuts));
}
