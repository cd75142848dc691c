using System.Net;
using System.Text;
using TcpMsg.Server;
using TcpMsg.Server.Internal;

namespace TcpMsg.Tests.Server;

/// <summary>
/// A batch that a long message grew takes its large buffer from a pool and gives it back when it
/// returns to the batch pool (one buffer reused by a burst of long messages instead of one
/// large-object-heap array left behind per message); its text is intact while it is read.
/// </summary>
public sealed class MessageBatchTests
{
    private static readonly ConnectionInfo s_connection = new("batch", new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);

    [Fact]
    public void A_batch_grown_by_a_long_message_holds_it_intact_and_is_small_again_once_returned()
    {
        var pool = new MessageBatchPool();
        var batch = pool.Rent(s_connection, DateTimeOffset.UtcNow, MessageFraming.Line);
        var small = batch.Capacity;
        var longText = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i % 10}你好"));
        batch.Add(Encoding.UTF8.GetBytes("short"), null);
        batch.Add(Encoding.UTF8.GetBytes(longText), null);

        Assert.True(batch.Capacity > 64 * 1024);
        Assert.Equal("short", Encoding.UTF8.GetString(batch.Text(0)));
        Assert.Equal(longText, Encoding.UTF8.GetString(batch.Text(1)));

        pool.Return(batch);
        var again = pool.Rent(s_connection, DateTimeOffset.UtcNow, MessageFraming.Line);

        Assert.Same(batch, again);
        Assert.Equal(small, again.Capacity);
        Assert.Equal(0, again.Count);
    }

    [Fact]
    public void Large_buffers_come_back_for_the_next_long_message_until_the_kept_ones_are_dropped()
    {
        var pool = new MessageBatchPool();
        var text = Encoding.UTF8.GetBytes(new string('x', 300_000));
        var first = pool.Rent(s_connection, DateTimeOffset.UtcNow, MessageFraming.Line);
        first.Add(text, null);
        var buffer = BufferOf(first);
        pool.Return(first);

        var second = pool.Rent(s_connection, DateTimeOffset.UtcNow, MessageFraming.Line);
        second.Add(text, null);
        Assert.Same(buffer, BufferOf(second));
        pool.Return(second);

        pool.DropKeptLargeBuffers();
        var third = pool.Rent(s_connection, DateTimeOffset.UtcNow, MessageFraming.Line);
        third.Add(text, null);
        Assert.NotSame(buffer, BufferOf(third));
    }

    private static byte[] BufferOf(MessageBatch batch) =>
        (byte[])typeof(MessageBatch).GetField("_bytes", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(batch)!;
}
