namespace TcpMsg.Server.Internal;

/// <summary>
/// Who may send under a client id (docs/security.md). A client id names one sender's sequence, so
/// two senders under one id would make each other's messages duplicates: at most one live
/// connection holds an id at a time, and on a server with tokens (or client certificates) the id is
/// bound, for the server's lifetime, to the credential that first used it.
/// </summary>
internal sealed class ClientIdRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Claim> _claims = new(StringComparer.Ordinal);

    /// <summary>Takes <paramref name="clientId"/> for <paramref name="holder"/>; false, with the reason, when another sender has it.</summary>
    /// <param name="clientId">The id from HELLO.</param>
    /// <param name="owner">What proves who the sender is (a token's digest, a certificate's subject), or null without either.</param>
    /// <param name="holder">The connection that takes it.</param>
    /// <param name="reason">Why it was refused.</param>
    public bool TryClaim(string clientId, string? owner, object holder, out string reason)
    {
        lock (_lock)
        {
            if (_claims.TryGetValue(clientId, out var claim))
            {
                if (claim.Owner is not null && owner != claim.Owner)
                {
                    reason = $"client id {clientId} belongs to another sender (it was first used with another token or client certificate)";
                    return false;
                }

                if (claim.Holder is not null)
                {
                    reason = $"client id {clientId} is in use by another connection; each sender needs its own client id";
                    return false;
                }

                claim.Holder = holder;
                claim.Owner ??= owner;
            }
            else
            {
                _claims[clientId] = new Claim { Holder = holder, Owner = owner };
            }
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>The connection that held <paramref name="clientId"/> ended; the id's binding to its owner stays.</summary>
    public void Release(string clientId, object holder)
    {
        lock (_lock)
        {
            if (_claims.TryGetValue(clientId, out var claim) && ReferenceEquals(claim.Holder, holder))
            {
                claim.Holder = null;
                if (claim.Owner is null)
                {
                    _claims.Remove(clientId);
                }
            }
        }
    }

    /// <summary>How many ids are held or bound (for tests and metrics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _claims.Count;
            }
        }
    }

    private sealed class Claim
    {
        public object? Holder { get; set; }

        public string? Owner { get; set; }
    }
}
