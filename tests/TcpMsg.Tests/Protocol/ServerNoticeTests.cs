using System.Buffers;
using System.Text;
using CsCheck;
using TcpMsg.Protocol.Internal;
using TcpMsg.Server.Internal.Transport;

namespace TcpMsg.Tests.Protocol;

/// <summary>The refusal line a server writes before it closes, and the client's reading of it, whatever follows it and however it is split.</summary>
public sealed class ServerNoticeTests
{
    private static readonly Gen<string> s_words = Gen.OneOf("try again later", "你好,世界!!!", "a (b): c", "", "x").Array[1, 3].Select(p => string.Join(' ', p));

    private static readonly Gen<string> s_reason = Gen.OneOf(ServerNotice.AccessDenied, ServerNotice.ConnectionLimit, ServerNotice.AddressLimit, "future-reason");

    [Theory]
    [InlineData(TcpMsgErrorCode.AccessDenied, ServerNotice.AccessDenied)]
    [InlineData(TcpMsgErrorCode.ConnectionLimit, ServerNotice.ConnectionLimit)]
    [InlineData(TcpMsgErrorCode.AddressConnectionLimit, ServerNotice.AddressLimit)]
    public void What_the_server_writes_at_accept_the_client_reads_as_its_reason(TcpMsgErrorCode code, string reason)
    {
        var bytes = RefusalNotice.For(code, tls: false).ToArray();

        Assert.Equal(OperationStatus.Done, ServerNotice.TryRead(new ReadOnlySequence<byte>(bytes), isFinal: false, out var notice));
        Assert.Equal(reason, notice.Reason);
        Assert.False(string.IsNullOrWhiteSpace(notice.Words));
        Assert.EndsWith("\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_tls_endpoint_the_refusal_is_a_fatal_access_denied_alert_record()
    {
        Assert.Equal([21, 3, 3, 0, 2, 2, 49], RefusalNotice.For(TcpMsgErrorCode.AccessDenied, tls: true).ToArray());
        Assert.Equal([21, 3, 3, 0, 2, 2, 49], RefusalNotice.For(TcpMsgErrorCode.ConnectionLimit, tls: true).ToArray());
    }

    [Fact]
    public void A_refusal_line_reads_back_whatever_follows_it_and_however_it_arrives()
    {
        Gen.Select(s_reason, s_words, Gen.Byte.Array[0, 40], Gen.Int[0, 200])
            .Sample((reason, words, after, cut) =>
            {
                var bytes = Encoding.UTF8.GetBytes($"tcpmsg: refused ({reason}): {words}\n").Concat(after).ToArray();
                var lineLength = Array.IndexOf(bytes, (byte)'\n') + 1;
                var part = bytes[..Math.Min(cut, bytes.Length)];

                var early = ServerNotice.TryRead(SegmentedSequence.Split(part, 3), isFinal: false, out _);
                var whole = ServerNotice.TryRead(SegmentedSequence.Split(bytes, 3), isFinal: false, out var notice);

                Assert.Equal(part.Length >= lineLength ? OperationStatus.Done : OperationStatus.NeedMoreData, early);
                Assert.Equal(OperationStatus.Done, whole);
                Assert.Equal((reason, words), (notice.Reason, notice.Words));
            }, iter: 2000);
    }

    [Fact]
    public void Anything_that_does_not_start_like_a_notice_is_not_one_and_nothing_throws()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            var status = ServerNotice.TryRead(new ReadOnlySequence<byte>(bytes), isFinal: true, out _);
            var looksLikeOne = bytes.AsSpan().StartsWith("tcpmsg: "u8);
            Assert.Equal(looksLikeOne, status == OperationStatus.Done);
        }, iter: 5000);
    }

    [Theory]
    [InlineData("tcpmsg:")]
    [InlineData("tcp")]
    [InlineData("")]
    public void A_start_that_may_still_become_a_notice_waits_for_more(string start)
    {
        Assert.Equal(OperationStatus.NeedMoreData, ServerNotice.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(start)), isFinal: false, out _));
        Assert.Equal(OperationStatus.InvalidData, ServerNotice.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(start)), isFinal: true, out _));
    }

    [Fact]
    public void A_frame_is_never_taken_for_a_notice()
    {
        // A frame starts with the high byte of its length: 0 for anything below 16 MiB.
        Assert.Equal(OperationStatus.InvalidData, ServerNotice.TryRead(new ReadOnlySequence<byte>([0, 0, 0, 9, 2, 1]), isFinal: false, out _));
    }

    [Fact]
    public void A_plain_notice_without_a_reason_keeps_its_words()
    {
        var bytes = "tcpmsg: this server accepts only tcpmsg clients in confirmed mode (tcpmsg send)\n"u8.ToArray();

        Assert.Equal(OperationStatus.Done, ServerNotice.TryRead(new ReadOnlySequence<byte>(bytes), isFinal: false, out var notice));
        Assert.Null(notice.Reason);
        Assert.Equal("this server accepts only tcpmsg clients in confirmed mode (tcpmsg send)", notice.Words);
    }
}
