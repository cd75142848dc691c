using System.Buffers;
using System.Threading.Channels;
using TcpMsg.Protocol;

namespace TcpMsg.Client.Internal;

/// <summary>
/// Chat (a <see cref="ChatClient"/>): deliveries and notices into a bounded channel
/// the application reads; commands with request ids matched to their answers; keep-alive pings.
/// </summary>
internal sealed partial class ConfirmedClientSession
{
    private readonly Channel<ChatEvent>? _chatEvents;
    private readonly Dictionary<uint, TaskCompletionSource<NoticeFrame>> _requests = [];
    private readonly Queue<CommandFrame> _commands = new();
    private uint _lastRequest;
    private string? _chatName;
    private string? _requestedName;
    private long _lastSeenId;
    private TimeSpan _idleTimeout;
    private bool _everConnected;

    public string? ChatName => Volatile.Read(ref _chatName);

    public ChannelReader<ChatEvent> ChatEvents =>
        _chatEvents?.Reader ?? throw new InvalidOperationException($"the client did not join the chat room ({nameof(MessageClientOptions)}.{nameof(MessageClientOptions.JoinChat)})");

    private uint HelloCapabilities => _chatEvents is null ? 0 : ProtocolCapabilities.Chat;

    private string? HelloName => _requestedName ?? _options.Name;

    /// <summary>Sends a command and waits for the answer that carries its request id.</summary>
    public async Task<NoticeFrame> CommandAsync(ChatCommandKind kind, string argument, CancellationToken cancellationToken)
    {
        _ = ChatEvents;
        var answer = new TaskCompletionSource<NoticeFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        uint request;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            if (_fatal is not null)
            {
                throw _fatal;
            }

            request = ++_lastRequest == 0 ? ++_lastRequest : _lastRequest;
            _requests[request] = answer;
            _commands.Enqueue(new CommandFrame(request, kind, argument));
        }

        _wake.Writer.TryWrite(true);
        try
        {
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _requests.Remove(request);
            }
        }
    }

    /// <summary>After WELCOME: the server must run a chat room if we asked to join one.</summary>
    private void OnChatWelcome(WelcomeFrame welcome)
    {
        if (_chatEvents is null)
        {
            return;
        }

        if ((welcome.Capabilities & ProtocolCapabilities.Chat) == 0)
        {
            throw new TcpMsgException(TcpMsgErrorCode.NoChatRoom, $"{_server} runs no chat room");
        }

        Volatile.Write(ref _chatName, welcome.ChatName);
        _idleTimeout = welcome.IdleTimeout;
        if (_everConnected)
        {
            _chatEvents.Writer.TryWrite(new ChatNotice(NoticeKind.Reconnected, welcome.ChatName, null, [], 0, null));
        }

        _everConnected = true;
    }

    /// <summary>A DELIVER or NOTICE: the event for the application, or null when it is an answer or already seen.</summary>
    private ChatEvent? OnChatFrame(FrameType type, in ReadOnlySequence<byte> payload)
    {
        if (_chatEvents is null)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"a {type} frame, but this client did not join a chat room");
        }

        if (type == FrameType.Deliver)
        {
            var deliver = DeliverFrame.Parse(payload);

            // After a reconnect the history comes again: what this client already had is not shown twice.
            var seen = Math.Max(Volatile.Read(ref _lastSeenId), Statistics.LastId);
            if (deliver.IsHistory && deliver.Id > 0 && deliver.Id <= seen)
            {
                return null;
            }

            if (deliver.Id > _lastSeenId)
            {
                Volatile.Write(ref _lastSeenId, deliver.Id);
            }

            return new ChatMessage(deliver.Id, deliver.Time, deliver.Name, deliver.Text, deliver.IsHistory);
        }

        var notice = NoticeFrame.Parse(payload);
        if (notice.Kind == NoticeKind.Name && notice.Name is { } name)
        {
            Volatile.Write(ref _chatName, name);
            _requestedName = name;
        }

        if (notice.Request != 0)
        {
            TaskCompletionSource<NoticeFrame>? answer;
            lock (_lock)
            {
                _requests.Remove(notice.Request, out answer);
            }

            answer?.TrySetResult(notice);
            return null;
        }

        // The kinds from 0x80 are the client's own news: a server that sends one is not believed.
        return (byte)notice.Kind < 0x80 ? new ChatNotice(notice.Kind, notice.Name, notice.NewName, notice.Members ?? [], notice.Count, notice.Reason) : null;
    }

    private async ValueTask PublishChatAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        // A full channel stops this read loop: the server sees a slow member, as it should.
        if (!_chatEvents!.Writer.TryWrite(chatEvent))
        {
            await _chatEvents.Writer.WriteAsync(chatEvent, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Under the lock: the commands to write on this pass.</summary>
    private void TakeCommands(List<CommandFrame> into)
    {
        while (_commands.TryDequeue(out var command))
        {
            into.Add(command);
        }
    }

    /// <summary>Under the lock: the connection is gone; its unanswered commands fail, queued ones are dropped.</summary>
    private void FailCommands(TcpMsgException cause, bool reconnecting)
    {
        foreach (var answer in _requests.Values)
        {
            answer.TrySetException(cause);
        }

        _requests.Clear();
        _commands.Clear();
        if (reconnecting)
        {
            _chatEvents?.Writer.TryWrite(new ChatNotice(NoticeKind.ConnectionLost, null, null, [], 0, cause.Message));
        }
    }

    /// <summary>A member that has said nothing for a third of the server's idle timeout pings.</summary>
    private void PingIfQuiet(Connection connection)
    {
        if (_chatEvents is null || _idleTimeout <= TimeSpan.Zero ||
            Environment.TickCount64 - connection.LastSent < _idleTimeout.TotalMilliseconds / 3)
        {
            return;
        }

        lock (_lock)
        {
            _commands.Enqueue(new CommandFrame(0, ChatCommandKind.Ping));
        }

        connection.MarkSent();
        _wake.Writer.TryWrite(true);
    }
}
