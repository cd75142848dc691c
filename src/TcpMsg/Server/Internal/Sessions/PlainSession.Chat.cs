using System.Buffers;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>A plain-mode connection in the chat room: joining, commands, leaving.</summary>
internal sealed partial class PlainSession
{
    // How long a connection that joined early stays silent before the others are told it joined.
    private static readonly TimeSpan s_quietAnnouncement = TimeSpan.FromSeconds(1);

    private readonly ChatRoom? _chat;
    private ChatMember? _member;
    private PlainOutbox? _outbox;
    private bool _quit;
    private ITimer? _announcement;

    /// <summary>In a chat room, every plain connection is a member, named by its address.</summary>
    private void JoinChat()
    {
        if (_chat is null)
        {
            return;
        }

        if (_member is not null)
        {
            // Joined early, and now its first bytes are plain: the others hear of it.
            _chat.Relay!.Announce(_member);
            return;
        }

        _outbox = new PlainOutbox(_state.Context.Transport.Output, _state, _chat);
        _member = _chat.Join(_state, plain: true, _outbox, requested: null, out _);
        _outbox.Start(_member);
        _pipeline.Publish(new ChatMemberEvent(_state.Info, _time.GetUtcNow(), _member.Name) { Member = _member });
    }

    /// <summary>
    /// A connection that has sent nothing yet is a member at once (a silent <c>nc</c> only reads):
    /// in the room's order from now on, its first lines written once the relay reaches its arrival.
    /// Call before <see cref="ClientConnected"/> is published. If it turns out to be a confirmed
    /// client, <see cref="WithdrawAsync"/>.
    /// </summary>
    public void JoinEarly()
    {
        var chat = _chat!;
        _outbox = new PlainOutbox(_state.Context.Transport.Output, _state, chat);
        var member = chat.Join(_state, plain: true, _outbox, requested: null, out _);
        member.OnAnnounced = () => _pipeline.Publish(new ChatMemberEvent(_state.Info, _time.GetUtcNow(), member.Name) { Member = member });
        _member = member;
        _outbox.Start(member);
        chat.Relay!.Register(member);

        // A listener never sends a byte: after a quiet moment it is announced all the same. Only
        // the others' notice waits for this; the member itself is in the room already.
        _announcement = _time.CreateTimer(static s => ((PlainSession)s!).AnnounceQuietMember(), this, s_quietAnnouncement, Timeout.InfiniteTimeSpan);
    }

    private void AnnounceQuietMember()
    {
        if (Volatile.Read(ref _member) is { } member)
        {
            _chat!.Relay!.Announce(member);
        }
    }

    /// <summary>The confirmed preamble came: it is no plain member. Its writer has stopped when this returns.</summary>
    public async Task WithdrawAsync()
    {
        _announcement?.Dispose();
        if (_member is { } member)
        {
            _chat!.Relay!.Withdraw(member);
            await _outbox!.CompleteAsync().ConfigureAwait(false);
            _member = null;
            _outbox = null;
        }
    }

    /// <summary>A connection joined early ended before it sent a byte.</summary>
    public async Task<TcpMsgErrorCode> EndUndecidedAsync(TcpMsgErrorCode reason)
    {
        await LeaveChatAsync().ConfigureAwait(false);
        return Ended(reason);
    }

    /// <summary>Writes what is waiting (briefly), then holds nothing back while the relay gets to its end. Once.</summary>
    public async Task LeaveChatAsync()
    {
        _announcement?.Dispose();
        if (_outbox is { } outbox)
        {
            _outbox = null;
            await outbox.CompleteAsync().ConfigureAwait(false);
            _member!.Depart();
        }
    }

    /// <summary>A slow member's disconnect is reported with what it was behind by.</summary>
    private TcpMsgErrorCode Ended(TcpMsgErrorCode reason) => ChatMember.ReportEnd(_member, reason, _state, _pipeline, _time);

    /// <summary>
    /// Handles a valid line that starts with "/" when it is a command; a line escaped with "//" loses
    /// one slash and is a message. Only such lines are decoded here.
    /// </summary>
    private bool IsCommandLine(ref ReadOnlySequence<byte> line)
    {
        var text = Utf8MessageDecoder.Decode(line, out var valid);
        if (!valid)
        {
            return false;
        }

        if (!PlainCommand.TryParse(text, out var command, out var message))
        {
            if (!ReferenceEquals(message, text))
            {
                line = line.Slice(1);
            }

            return false;
        }

        var member = _member!;
        switch (command.Kind)
        {
            case PlainCommandKind.Nick when command.Argument.Length == 0:
                member.Tell(new NoticeFrame(NoticeKind.Refused, Reason: "say which name: /nick NAME"));
                break;
            case PlainCommandKind.Nick:
                Rename(member, command.Argument);
                break;
            case PlainCommandKind.Who:
                member.Tell(new NoticeFrame(NoticeKind.Who, Members: _chat!.Who()));
                break;
            case PlainCommandKind.Quit:
                member.Tell(new NoticeFrame(NoticeKind.Left), "bye");
                _quit = true;
                break;
            default:
                member.Tell(new NoticeFrame(NoticeKind.Refused), ChatLines.Help);
                break;
        }

        return true;
    }

    private void Rename(ChatMember member, string name)
    {
        if (_chat!.TryRename(member, name, out var previous, out var refusal))
        {
            member.Tell(new NoticeFrame(NoticeKind.Name, Name: name));

            // The lines before the rename go out under the old name.
            Flush();
            _pipeline.Publish(new ChatMemberEvent(_state.Info, _time.GetUtcNow(), name, previous) { Member = member });
        }
        else
        {
            member.Tell(new NoticeFrame(NoticeKind.Refused, Name: name, Reason: refusal));
        }
    }
}
