using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Server.Internal;

/// <summary>
/// The highest committed sequence of every confirmed sender. Without a store it is what finds
/// duplicates; with one, the store finds them and this keeps count. Either way it shows gaps.
/// Written by the dispatcher only; read by connections for WELCOME.
/// </summary>
internal sealed partial class SenderSequences
{
    private readonly ConcurrentDictionary<string, long> _last = new(StringComparer.Ordinal);
    private readonly IMessageStore? _store;

    public SenderSequences(IMessageStore? store) => _store = store;

    /// <summary>
    /// The highest committed sequence; with a store, a query for a sender not seen since the start,
    /// and always with a shared store (the sender may have stored more through another server since:
    /// a WELCOME below that would make a restarted sender reuse sequences, and lose its new messages
    /// as duplicates).
    /// </summary>
    public long LastCommitted(string clientId)
    {
        var known = _last.TryGetValue(clientId, out var last);
        return _store is null ? last : known && !_store.IsShared ? last : Math.Max(last, _store.GetLastSequence(clientId));
    }

    /// <summary>The highest committed sequence when it is known without asking the store.</summary>
    public bool TryGetLastCommitted(string clientId, out long last)
    {
        if (_last.TryGetValue(clientId, out last) && _store is not { IsShared: true })
        {
            return true;
        }

        last = 0;
        return _store is null;
    }

    /// <summary>
    /// Before a commit: learn the stored position of senders seen for the first time, and mark as
    /// duplicates the sequences not above the highest stored one (docs/protocol.md: acknowledged,
    /// never stored, even where the sender jumped ahead before).
    /// </summary>
    public void Prepare(List<PendingMessage> messages)
    {
        // The messages of a batch share their client id: one lookup per run of them, not per message.
        string? clientId = null;
        long last = 0;
        foreach (var message in messages)
        {
            if (message.ClientId is not { } id)
            {
                continue;
            }

            if (!ReferenceEquals(id, clientId))
            {
                clientId = id;
                if (!_last.TryGetValue(clientId, out last))
                {
                    last = _store?.GetLastSequence(clientId) ?? 0;
                    _last[clientId] = last;
                }
            }

            if (message.Sequence <= last)
            {
                message.IsDuplicate = true;
            }
        }
    }

    /// <summary>After a commit: mark duplicates (when there is no store), count them and the gaps.</summary>
    public void Settle(List<PendingMessage> messages, ServerStatistics statistics, ILogger logger)
    {
        // As in Prepare, per run of messages of one client id: its highest sequence is read at the
        // start of the run and written back once at its end.
        string? clientId = null;
        long last = 0;
        foreach (var message in messages)
        {
            if (message.ClientId is not { } id)
            {
                continue;
            }

            if (!ReferenceEquals(id, clientId))
            {
                if (clientId is not null)
                {
                    _last[clientId] = last;
                }

                clientId = id;
                last = _last.GetValueOrDefault(clientId);
            }

            if (_store is null && message.Sequence <= last)
            {
                message.IsDuplicate = true;
            }

            if (message.IsDuplicate)
            {
                if (message.Sequence > last && message.Id > 0)
                {
                    // Stored through another server (a shared store): it is where this sender is.
                    last = message.Sequence;
                }

                statistics.OnDuplicate();
                LogDuplicate(logger, clientId, message.Sequence, message.Connection.EndPoint);
                continue;
            }

            if (message.Sequence > last + 1)
            {
                statistics.OnGap(message.Sequence - last - 1);
                LogGap(logger, clientId, last, message.Sequence, message.Connection.EndPoint);
            }

            if (message.Sequence > last)
            {
                last = message.Sequence;
            }
        }

        if (clientId is not null)
        {
            _last[clientId] = last;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "duplicate: sender {ClientId} ({Peer}) resent sequence {Sequence}; acknowledged, not stored again")]
    private static partial void LogDuplicate(ILogger logger, string clientId, long sequence, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "gap: sender {ClientId} ({Peer}) jumped from sequence {Last} to {Sequence}")]
    private static partial void LogGap(ILogger logger, string clientId, long last, long sequence, string peer);
}
