using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TcpMsg.Server.Internal;
using TcpMsg.Server.Internal.Transport;

namespace TcpMsg.Server;

// Kestrel endpoints that serve tcpmsg.
public static partial class TcpMsgHostingExtensions
{
    /// <summary>
    /// Serves tcpmsg on this endpoint, under the protection layers of <see cref="TcpMsgServerOptions.Security"/>;
    /// with <paramref name="tls"/>, clients must speak TLS here. Requires <see cref="TcpMsgHostingExtensions.AddTcpMsgServer"/>.
    /// </summary>
    public static ListenOptions UseTcpMsg(this ListenOptions listenOptions, bool tls = false)
    {
        SecurityLayers.Add(listenOptions, tls);
        listenOptions.UseConnectionHandler<MessageConnectionHandler>();
        return listenOptions;
    }

    /// <summary>
    /// Listens on <paramref name="endpoint"/> and serves tcpmsg there. <paramref name="bound"/>, if given,
    /// is called with each Kestrel endpoint, whose <see cref="ListenOptions.EndPoint"/> holds the bound
    /// port once the server has started.
    /// </summary>
    public static void ListenTcpMsg(this KestrelServerOptions kestrel, ListenEndpoint endpoint, Action<ListenOptions>? bound = null)
    {
        void Configure(ListenOptions listen)
        {
            listen.UseTcpMsg(endpoint.Tls);
            bound?.Invoke(listen);
        }

        KestrelListen.Endpoint(kestrel, endpoint, Configure);
    }
}
