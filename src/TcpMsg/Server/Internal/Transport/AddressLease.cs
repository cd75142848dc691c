using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>One address's entry in the <see cref="AddressTable"/>; also the connection feature that carries its rate bucket down the layers.</summary>
internal sealed class AddressLease
{
    public AddressLease(IPAddress key, TokenBucket? bucket)
    {
        Key = key;
        Bucket = bucket;
    }

    public IPAddress Key { get; }

    /// <summary>The rate bucket all connections from this address share; null without an address rate.</summary>
    public TokenBucket? Bucket { get; }

    /// <summary>Open connections; changed only under the table's lock.</summary>
    public int Connections { get; set; }
}
