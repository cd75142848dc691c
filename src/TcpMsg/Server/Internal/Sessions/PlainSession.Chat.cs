using System.Buffers;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>A plain-mode connection in the chat room: joining, commands, leaving.</summary>
internal sealed partial class PlainSession
{
    private readonly ChatRoom? _chat;
    private ChatMember? _member;
    private PlainOutbox? _outbox;
    private bool _quit;

    /// <summary>In a chat room, every plain connection is a member, named by its address.</summary>
    private void JoinChat()
    {
        if (_chat is null)
        {
            return;
        }

        _outbox = new PlainOutbox(_state.Context.Transport.Output);
        _member = _chat.Join(_state, plain: true, _outbox, requested: null, out _);
        _outbox.Start(_member);
        _pipeline.Publish(new ChatMemberEvent(_state.Info, _time.GetUtcNow(), ChatMemberChange.Joined, _member.Name) { Member = _member });
    }

    private async Task LeaveChatAsync()
    {
        if (_outbox is not null)
        {
            await _outbox.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A slow member's disconnect is reported with what it was behind by.</summary>
    private DisconnectReason Ended(DisconnectReason reason) => ChatMember.ReportEnd(_member, reason, _state, _pipeline, _time);

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
            _pipeline.Publish(new ChatMemberEvent(_state.Info, _time.GetUtcNow(), ChatMemberChange.Renamed, name, previous) { Member = member });
        }
        else
        {
            member.Tell(new NoticeFrame(NoticeKind.Refused, Name: name, Reason: refusal));
        }
    }
}
