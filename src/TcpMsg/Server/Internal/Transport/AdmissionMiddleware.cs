using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The outermost layer: holds the connection's <see cref="AdmissionLease"/> while the layers above
/// serve it, and gives it back, once, when they are done. The lease was taken at accept by the
/// <see cref="AdmittingListener"/>; a connection that came another way (an embedding host's own
/// transport) is judged here instead, by the same <see cref="AdmissionGate"/>, and closed at once
/// when refused. The PROXY layer above rebinds the lease to the client it announces.
/// </summary>
internal sealed class AdmissionMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly AdmissionGate _gate;

    public AdmissionMiddleware(ConnectionDelegate next, AdmissionGate gate)
    {
        _next = next;
        _gate = gate;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var lease = context.Features.Get<AdmissionLease>();
        if (lease is null)
        {
            lease = _gate.TryAdmit(context);
            if (lease is null)
            {
                return;
            }

            context.Features.Set(lease);
        }

        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            lease.Dispose();
        }
    }
}
