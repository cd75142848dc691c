using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace TcpMsg.Server.Internal;

/// <summary>
/// The options of Kestrel's socket connections for a listener of tcpmsg's own, made the way Kestrel
/// makes them for its listeners: from <see cref="SocketTransportOptions"/>, including what the public
/// <see cref="SocketConnectionFactoryOptions"/> cannot be given (the memory pool and the FIN on error).
/// </summary>
/// <remarks>
/// With the public constructor, the connections' pipes rent their 4 KiB segments from the shared
/// array pool instead of Kestrel's pinned block pool. A pipe that fills up (up to about 1 MiB while
/// the pipeline is full) holds hundreds of segments, more than the array pool keeps, so every read
/// allocated and dropped buffers: four fifths of all the server's allocations in the streams profile
/// (bench/analysis.md). Kestrel's own internal constructor copies the pool factory its host set up.
/// </remarks>
internal static class SocketConnectionSettings
{
    public static SocketConnectionFactoryOptions From(SocketTransportOptions transport)
    {
        try
        {
            return FromTransportOptions(transport);
        }
        catch (MissingMethodException)
        {
            // Another Kestrel than the one this was written for: the public options, without the pool.
            return new SocketConnectionFactoryOptions
            {
                IOQueueCount = transport.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = transport.MaxReadBufferSize,
                MaxWriteBufferSize = transport.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
            };
        }
    }

    // Kestrel's internal SocketConnectionFactoryOptions(SocketTransportOptions), which its own
    // SocketTransportFactory uses; bound at compile time (no reflection), so NativeAOT keeps it.
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern SocketConnectionFactoryOptions FromTransportOptions(SocketTransportOptions transport);
}
