namespace TcpMsg.Server;

/// <summary>Running totals of a server; safe to read from any thread at any time.</summary>
public sealed partial class ServerStatistics
{
    private long _connectionsAccepted;
    private long _connectionsRefused;
    private long _activeConnections;
    private long _messagesReceived;
    private long _bytesReceived;
    private long _invalidUtf8Messages;
    private long _oversizedMessages;
    private long _idleTimeouts;
    private long _peerResets;
    private long _connectionsDenied;
    private long _tlsHandshakeFailures;
    private long _messageTimeouts;
    private long _throttledReads;
    private long _messagesStored;
    private long _duplicateMessages;
    private long _sequenceGaps;
    private long _storeFailures;
    private long _acksSent;
    private int _storeFailing;

    /// <summary>Connections accepted since the server started.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Connections refused because a limit was reached.</summary>
    public long ConnectionsRefused => Volatile.Read(ref _connectionsRefused);

    /// <summary>Connections open now.</summary>
    public long ActiveConnections => Volatile.Read(ref _activeConnections);

    /// <summary>Complete messages received and dispatched (stored first, when there is a store).</summary>
    public long MessagesReceived => Volatile.Read(ref _messagesReceived);

    /// <summary>Bytes received on all connections.</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Messages that were not valid UTF-8.</summary>
    public long InvalidUtf8Messages => Volatile.Read(ref _invalidUtf8Messages);

    /// <summary>Messages over the size limit (each closed its connection).</summary>
    public long OversizedMessages => Volatile.Read(ref _oversizedMessages);

    /// <summary>Connections closed by the idle timeout.</summary>
    public long IdleTimeouts => Volatile.Read(ref _idleTimeouts);

    /// <summary>Connections the peer reset.</summary>
    public long PeerResets => Volatile.Read(ref _peerResets);

    /// <summary>Connections refused by access rules, an untrusted proxy or a bad PROXY header.</summary>
    public long ConnectionsDenied => Volatile.Read(ref _connectionsDenied);

    /// <summary>TLS handshakes that failed or timed out.</summary>
    public long TlsHandshakeFailures => Volatile.Read(ref _tlsHandshakeFailures);

    /// <summary>Connections closed because a message arrived too slowly.</summary>
    public long MessageTimeouts => Volatile.Read(ref _messageTimeouts);

    /// <summary>Times a connection's reading was paused by a rate limit.</summary>
    public long ThrottledReads => Volatile.Read(ref _throttledReads);
    /// <summary>Messages committed to the store.</summary>
    public long MessagesStored => Volatile.Read(ref _messagesStored);

    /// <summary>Confirmed messages received again (retries) and acknowledged without storing them twice.</summary>
    public long DuplicateMessages => Volatile.Read(ref _duplicateMessages);

    /// <summary>Confirmed sequence numbers skipped by their senders (a sender jumped ahead).</summary>
    public long SequenceGaps => Volatile.Read(ref _sequenceGaps);

    /// <summary>Commits that failed (each is retried).</summary>
    public long StoreFailures => Volatile.Read(ref _storeFailures);

    /// <summary>Acknowledgements sent to confirmed senders (one per connection per stored batch).</summary>
    public long AcksSent => Volatile.Read(ref _acksSent);

    /// <summary>True while the store is failing and messages are held back.</summary>
    public bool StoreFailing => Volatile.Read(ref _storeFailing) != 0;

    internal void OnStored(long count) => Interlocked.Add(ref _messagesStored, count);

    internal void OnAcks(int count) => Interlocked.Add(ref _acksSent, count);

    internal void OnDuplicate() => Interlocked.Increment(ref _duplicateMessages);

    internal void OnGap(long count) => Interlocked.Add(ref _sequenceGaps, count);

    internal void OnStoreFailure(bool failing)
    {
        if (failing)
        {
            Interlocked.Increment(ref _storeFailures);
        }

        Volatile.Write(ref _storeFailing, failing ? 1 : 0);
    }

    internal void OnAccepted()
    {
        Interlocked.Increment(ref _connectionsAccepted);
        Interlocked.Increment(ref _activeConnections);
    }

    internal void OnClosed() => Interlocked.Decrement(ref _activeConnections);

    internal void OnRefused() => Interlocked.Increment(ref _connectionsRefused);

    internal void OnBytes(long count) => Interlocked.Add(ref _bytesReceived, count);

    internal void OnMessages(long count) => Interlocked.Add(ref _messagesReceived, count);

    internal void OnInvalidUtf8() => Interlocked.Increment(ref _invalidUtf8Messages);

    internal void OnOversized() => Interlocked.Increment(ref _oversizedMessages);

    internal void OnIdleTimeout() => Interlocked.Increment(ref _idleTimeouts);

    internal void OnPeerReset() => Interlocked.Increment(ref _peerResets);

    internal void OnDenied() => Interlocked.Increment(ref _connectionsDenied);

    internal void OnTlsHandshakeFailed() => Interlocked.Increment(ref _tlsHandshakeFailures);

    internal void OnMessageTimeout() => Interlocked.Increment(ref _messageTimeouts);

    internal void OnThrottled() => Interlocked.Increment(ref _throttledReads);
}
