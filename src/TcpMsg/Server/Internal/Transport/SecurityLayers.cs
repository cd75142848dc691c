using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Server.Internal.Transport.Tls;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Puts the protection layers under the tcpmsg handler on one Kestrel endpoint, outermost first:
/// admission (holds the connection's <see cref="AdmissionLease"/>) -> PROXY header (when on; rebinds
/// the lease to the client) -> TLS (on TLS endpoints) -> input guard (the read budget; rate limits, when on) -> the
/// protocol handler. The deadlines need no layer of their own: the sessions keep their clocks in the
/// connection's state and the <see cref="DeadlineSweeper"/> closes what expired, which spares every
/// connection the guard's memory.
/// </summary>
internal static class SecurityLayers
{
    public static void Add(ListenOptions listen, bool tls)
    {
        // Refusals by address happen at accept, on this endpoint's listener (AdmittingListenerFactory).
        listen.ApplicationServices.GetRequiredService<GatedEndpoints>().Add(listen.EndPoint, tls);
        listen.Use(next => Create<AdmissionMiddleware>(listen, next, static _ => true, static m => m.OnConnectionAsync));
        listen.Use(next => Create<ProxyProtocolMiddleware>(listen, next, static s => s.UsesProxyProtocol, static m => m.OnConnectionAsync));
        if (tls)
        {
            listen.Use(next => Create<TlsServerMiddleware>(
                listen,
                next,
                static s => s.Tls is not null ? true : throw new InvalidOperationException("A TLS endpoint needs TcpMsgSecurityOptions.Tls."),
                static m => m.OnConnectionAsync));
        }

        listen.Use(next => Create<InputGuardMiddleware>(
            listen,
            next,
            static _ => true,
            static m => m.OnConnectionAsync));
    }

    /// <summary>Creates a layer when <paramref name="wanted"/> says the options call for it; otherwise passes straight through.</summary>
    private static ConnectionDelegate Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(
        ListenOptions listen,
        ConnectionDelegate next,
        Func<TcpMsgSecurityOptions, bool> wanted,
        Func<T, ConnectionDelegate> entry)
        where T : class
    {
        var services = listen.ApplicationServices;
        var options = services.GetRequiredService<TcpMsgServerOptions>();
        return wanted(options.Security) ? entry(ActivatorUtilities.CreateInstance<T>(services, next)) : next;
    }
}
