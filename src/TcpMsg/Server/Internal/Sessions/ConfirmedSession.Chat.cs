using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>A confirmed-mode connection in the chat room: joining from HELLO, COMMAND frames.</summary>
internal sealed partial class ConfirmedSession
{
    private readonly ChatRoom? _chat;
    private ChatMember? _member;
    private string? _posterName;

    /// <summary>
    /// With the CHAT capability the client becomes a member under its HELLO name (or, when that is
    /// refused, its address, and a REFUSED notice says why); without it, it only posts.
    /// </summary>
    private void JoinChat(HelloFrame hello, long lastSequence)
    {
        var chat = _chat!;
        var idle = _options.IdleTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : _options.IdleTimeout;
        if ((hello.Capabilities & ProtocolCapabilities.Chat) == 0)
        {
            _posterName = chat.PosterName(hello.Name, _state.Info);
            _outbox.Welcome(new WelcomeFrame(1, lastSequence, _options.MaxMessageSize, ProtocolCapabilities.Chat, null, idle));
            return;
        }

        var member = chat.Join(_state, plain: false, _outbox, hello.Name, out var refusal, hello.ClientId);
        _member = member;
        _outbox.Welcome(new WelcomeFrame(1, lastSequence, _options.MaxMessageSize, ProtocolCapabilities.Chat, member.Name, idle));
        _outbox.AttachChat(member);
        if (refusal is not null)
        {
            member.Tell(new NoticeFrame(NoticeKind.Refused, Name: hello.Name, Reason: refusal));
        }

        _pipeline.Publish(new ChatMemberEvent(_state.Info, _time.GetUtcNow(), member.Name) { Member = member });
    }

    private void OnCommand(CommandFrame command)
    {
        var member = _member!;
        switch (command.Kind)
        {
            case ChatCommandKind.Nick:
                if (_chat!.TryRename(member, command.Argument, out var previous, out var refusal))
                {
                    member.Tell(new NoticeFrame(NoticeKind.Name, command.Request, command.Argument));

                    // The messages before the rename go out under the old name.
                    Flush();
                    _pipeline.Publish(new ChatMemberEvent(_state.Info, _time.GetUtcNow(), command.Argument, previous) { Member = member });
                }
                else
                {
                    member.Tell(new NoticeFrame(NoticeKind.Refused, command.Request, command.Argument, Reason: refusal));
                }

                break;
            case ChatCommandKind.Who:
                member.Tell(new NoticeFrame(NoticeKind.Who, command.Request, Members: _chat!.Who()));
                break;
            case ChatCommandKind.Ping:
                // Reading it reset the idle clock; that is all a PING is for.
                break;
            default:
                member.Tell(new NoticeFrame(NoticeKind.Refused, command.Request, Reason: $"unknown command {(byte)command.Kind}"));
                break;
        }
    }

    /// <summary>A slow member's disconnect is reported with what it was behind by.</summary>
    private TcpMsgErrorCode Ended(TcpMsgErrorCode reason) => ChatMember.ReportEnd(_member, reason, _state, _pipeline, _time);
}
