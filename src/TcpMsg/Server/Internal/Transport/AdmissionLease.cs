using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// A connection's place under the server's limits, taken once when the connection is accepted and given
/// back once when it ends (<see cref="Dispose"/>): one place under the connection limit, one under its
/// address's cap, and the rate buckets its reads draw from (its own, and the one its address shares).
/// Behind a trusted proxy the client is not known at accept: the lease then holds only the place under
/// the connection limit until the PROXY header names the client, and <see cref="Rebind"/> judges that
/// address and moves the lease to it. Every count a lease holds is taken and given back by the
/// <see cref="AdmissionGate"/>; nothing else counts connections. It is the connection feature the
/// layers above find it by.
/// </summary>
internal sealed class AdmissionLease : IDisposable
{
    private readonly AdmissionGate _gate;
    private int _released;

    public AdmissionLease(AdmissionGate gate, TokenBucket? connectionBucket)
    {
        _gate = gate;
        ConnectionBucket = connectionBucket;
    }

    /// <summary>The address (IPv6: the network) the limits count this connection under; null while unbound.</summary>
    public IPAddress? Key => Entry?.Key;

    /// <summary>The connection's own rate bucket; null without a connection rate.</summary>
    public TokenBucket? ConnectionBucket { get; }

    /// <summary>The rate bucket of the connection's address; null without an address rate, or while unbound.</summary>
    public TokenBucket? AddressBucket => Entry?.Bucket;

    /// <summary>True once a peer's address is counted (at accept, or after the PROXY header); false behind a proxy before its header.</summary>
    public bool IsBound { get; internal set; }

    /// <summary>The address's entry this lease holds a connection of; only the gate sets it.</summary>
    internal AddressEntry? Entry { get; set; }

    /// <summary>True once given back: the gate counts nothing for this connection any more.</summary>
    internal bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>
    /// Judges <paramref name="address"/> (the client a PROXY header names) as if it had connected itself,
    /// and counts the connection under it instead of any address counted before. False when refused:
    /// the lease then counts under no address, and the caller reports <paramref name="refusal"/> and closes.
    /// </summary>
    public bool Rebind(IPAddress address, out AdmissionRefusal refusal) => _gate.Rebind(this, address, out refusal);

    /// <summary>Gives every place back, once; later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _gate.Release(this);
        }
    }
}
