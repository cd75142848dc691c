using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Kestrel's socket transport for tcpmsg's endpoints, with the <see cref="AdmissionGate"/> between
/// accepting a socket and making a connection of it. Kestrel's accept loop drives it like its own
/// transport, and the connections are Kestrel's own (<see cref="SocketConnectionContextFactory"/>,
/// configured by the same <see cref="SocketTransportOptions"/>); what it adds is that a refused peer
/// never becomes one. Other endpoints of an embedding host are left to Kestrel's factory.
/// </summary>
internal sealed class AdmittingListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly GatedEndpoints _endpoints;
    private readonly AdmissionGate _gate;
    private readonly TimeProvider _time;

    public AdmittingListenerFactory(IOptions<SocketTransportOptions> options, ILoggerFactory loggers, GatedEndpoints endpoints, AdmissionGate gate, TimeProvider time)
    {
        _time = time;
        _options = options.Value;
        _loggers = loggers;
        _endpoints = endpoints;
        _gate = gate;
    }

    public bool CanBind(EndPoint endpoint) => _endpoints.Contains(endpoint);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var contexts = new SocketConnectionContextFactory(
            SocketConnectionSettings.From(_options),
            _loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        try
        {
            return ValueTask.FromResult<IConnectionListener>(AdmittingListener.Bind(endpoint, _endpoints.IsTls(endpoint), _options, contexts, _gate, _time, _loggers.CreateLogger<AdmittingListener>()));
        }
        catch
        {
            contexts.Dispose();
            throw;
        }
    }
}
