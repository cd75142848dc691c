using TcpMsg.Server.Internal;

namespace TcpMsg.Storage.Internal;

/// <summary>Where the dispatcher commits messages. One writer; each call is one transaction.</summary>
internal interface IMessageStore : IDisposable
{
    /// <summary>Opens the store and migrates its schema; fails fast on a store that cannot work.</summary>
    void Open();

    /// <summary>
    /// Commits <paramref name="messages"/> in one transaction and sets each one's id. A confirmed
    /// message the store already has is not stored again: it gets its original id and is marked duplicate.
    /// </summary>
    /// <exception cref="StoreException">Nothing was committed.</exception>
    void Append(IReadOnlyList<PendingMessage> messages);

    /// <summary>
    /// True when other servers write the same store (PostgreSQL): a sender may have moved here from
    /// one of them, so what this server remembers of it can be behind the store.
    /// </summary>
    bool IsShared => false;

    /// <summary>The highest sequence stored for <paramref name="clientId"/>, or 0. Safe to call from any thread.</summary>
    long GetLastSequence(string clientId);
}
