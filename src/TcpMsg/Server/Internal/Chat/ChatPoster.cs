using System.Text;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The server's own voice in the chat room (<c>tcpmsg serve --chat</c> reading its standard input):
/// a post goes through the pipeline like any message, so it is stored, shown and relayed in order,
/// and the caller learns its id once it is stored.
/// </summary>
internal sealed class ChatPoster
{
    private readonly MessagePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly int _maxMessageSize;
    private readonly string _name;
    private readonly ConnectionInfo _source;

    public ChatPoster(MessagePipeline pipeline, TcpMsgServerOptions options, TimeProvider time)
    {
        _pipeline = pipeline;
        _time = time;
        _maxMessageSize = options.MaxMessageSize;
        _name = options.Chat!.ServerName;
        _source = new ConnectionInfo("server", _name, time.GetUtcNow());
    }

    public async Task<long> PostAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > _maxMessageSize)
        {
            throw new MessageTooLargeException(_maxMessageSize, bytes.Length);
        }

        if (_pipeline.IsFull)
        {
            await _pipeline.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        }

        var receipt = new Receipt();
        var batch = _pipeline.RentBatch(_source, _time.GetUtcNow(), MessageFraming.Line, ackTarget: receipt);
        batch.Add(bytes, _name);
        _pipeline.Publish(batch);
        return await receipt.Stored.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where the dispatcher reports the post stored (or not).</summary>
    private sealed class Receipt : IAckTarget
    {
        private readonly TaskCompletionSource<long> _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<long> Stored => _stored.Task;

        // One post per receipt: nothing of it can come after a failure.
        public bool StoreFailed => false;

        public void Acknowledge(long sequence, long id) => _stored.TrySetResult(id);

        public void Reject(long sequence, ProtocolErrorCode code, string reason) =>
            _stored.TrySetException(new TcpMsgException(code.ToErrorCode(), $"the post was not stored ({code}): {reason}") { Reason = reason });
    }
}
