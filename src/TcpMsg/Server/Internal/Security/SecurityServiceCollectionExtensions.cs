using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TcpMsg.Server.Internal.Tls;

namespace TcpMsg.Server.Internal.Security;

/// <summary>Registers what the protection layers share: the reporter, the per-address table, the access rules, the tokens, the certificates, the sweeper.</summary>
internal static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddTcpMsgSecurity(this IServiceCollection services, TcpMsgServerOptions options)
    {
        services.TryAddSingleton<PeerReporter>();
        services.AddHostedService(static s => s.GetRequiredService<PeerReporter>());
        services.TryAddSingleton<AddressTable>();
        services.TryAddSingleton<AccessPolicySource>();
        services.AddHostedService(static s => s.GetRequiredService<AccessPolicySource>());
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
