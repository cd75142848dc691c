using TcpMsg.Server.Internal;

namespace TcpMsg.Server;

/// <summary>
/// One batch of the server's events, in order, as the dispatcher hands it to an
/// <see cref="IServerEventSink"/>: received messages are read in place as UTF-8
/// (<see cref="GetMessage"/>), the other events are their objects (<see cref="GetEvent"/>).
/// Event objects for the messages are made only when <see cref="Events"/> is asked for.
/// </summary>
/// <remarks>Do not keep the batch or anything read from it: it is reused for the next one.</remarks>
public sealed class ServerEventBatch
{
    private readonly List<Slot> _slots = [];
    private readonly List<ServerEvent> _events = [];
    private bool _eventsMade;

    internal ServerEventBatch()
    {
    }

    /// <summary>How many events the batch holds.</summary>
    public int Count => _slots.Count;

    /// <summary>Every event of the batch as an object; messages become <see cref="ReceivedMessage"/>s (and strings) here, once per batch.</summary>
    public IReadOnlyList<ServerEvent> Events
    {
        get
        {
            if (!_eventsMade)
            {
                _eventsMade = true;
                foreach (var slot in _slots)
                {
                    _events.Add(slot.Event ?? new ReceivedMessageView(slot.Messages!, slot.Index).ToReceivedMessage());
                }
            }

            return _events;
        }
    }

    internal ServerEventKind GetKind(int index) => _slots[index].Event?.Kind ?? ServerEventKind.Message;

    /// <summary>True when the event at <paramref name="index"/> is a received message.</summary>
    public bool IsMessage(int index) => _slots[index].Event is null;

    /// <summary>The received message at <paramref name="index"/>, read in place.</summary>
    /// <exception cref="InvalidOperationException">The event there is not a message.</exception>
    public ReceivedMessageView GetMessage(int index)
    {
        var slot = _slots[index];
        return slot.Event is null
            ? new ReceivedMessageView(slot.Messages!, slot.Index)
            : throw new InvalidOperationException($"event {index} is a {slot.Event.GetType().Name}, not a message");
    }

    /// <summary>The event at <paramref name="index"/> as an object; for a message, made now unless <see cref="Events"/> made it already.</summary>
    public ServerEvent GetEvent(int index)
    {
        if (_eventsMade)
        {
            return _events[index];
        }

        var slot = _slots[index];
        return slot.Event ?? new ReceivedMessageView(slot.Messages!, slot.Index).ToReceivedMessage();
    }

    internal void Clear()
    {
        _slots.Clear();
        _events.Clear();
        _eventsMade = false;
    }

    internal void Add(ServerEvent serverEvent) => _slots.Add(new Slot(serverEvent, null, 0));

    internal void Add(MessageBatch messages, int index) => _slots.Add(new Slot(null, messages, index));

    private readonly record struct Slot(ServerEvent? Event, MessageBatch? Messages, int Index);
}
