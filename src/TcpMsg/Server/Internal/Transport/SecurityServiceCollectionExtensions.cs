using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TcpMsg.Server.Internal.Transport.Tls;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>Registers what the protection layers share: the reporter, the per-address table, the admission gate and its transport, the access rules, the tokens, the certificates, the sweeper.</summary>
internal static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddTcpMsgSecurity(this IServiceCollection services, TcpMsgServerOptions options)
    {
        services.TryAddSingleton<PeerReporter>();
        services.AddHostedService(static s => s.GetRequiredService<PeerReporter>());
        services.TryAddSingleton<AddressTable>();
        services.TryAddSingleton<AdmissionGate>();
        services.TryAddSingleton<GatedEndpoints>();
        services.TryAddSingleton<ReadBudget>();
        services.TryAddSingleton<MemoryTrimmer>();

        // Kestrel's own socket transport stays for a host's other endpoints; tcpmsg's endpoints are bound
        // by the admitting factory, which Kestrel asks first (it tries the last registered first).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, SocketTransportFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, AdmittingListenerFactory>());
        services.TryAddSingleton<AccessPolicySource>();
        services.AddHostedService(static s => s.GetRequiredService<AccessPolicySource>());
        services.TryAddSingleton<TokenAttemptLimiter>();
        services.TryAddSingleton<TokenVerifier>();
        services.AddHostedService(static s => s.GetRequiredService<TokenVerifier>());
        if (options.Security.Tls is not null)
        {
            services.TryAddSingleton<ServerCertificateStore>();
            services.AddHostedService(static s => s.GetRequiredService<ServerCertificateStore>());
        }

        services.AddHostedService<DeadlineSweeper>();
        return services;
    }
}
