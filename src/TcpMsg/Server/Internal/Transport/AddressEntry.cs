using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// One address's entry in the <see cref="AddressTable"/>: its open connections and the rate bucket they
/// share. Connections hold it through their <see cref="AdmissionLease"/>.
/// </summary>
internal sealed class AddressEntry
{
    public AddressEntry(IPAddress key, TokenBucket? bucket)
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
